import { CheckCircleOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Empty, Flex, Segmented, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { kbApi, type Update } from './kb-api.ts';
import { kbKeys } from './kb-data.ts';
import { renderMarkdown } from './markdown.ts';

/** Unread means not read yet, or not acknowledged when the update requires it (the server's `unread=true`). */
export const isUnread = (u: Update): boolean => u.readAt === null || (u.requiresAck && u.ackedAt === null);

/** The person's new-business updates (新业务更新): unread first, read on opening, acknowledged with one click. */
export default function UpdatesPage() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<'unread' | 'all'>('unread');
  const updates = useQuery({ queryKey: [...kbKeys.updates, filter], queryFn: () => kbApi.updates(filter === 'unread') });
  return (
    <>
      <PageHeader title={t('kb.updates.title')} subtitle={t('kb.updates.subtitle')} extra={<Segmented value={filter} onChange={(v) => setFilter(v as 'unread' | 'all')} options={[{ value: 'unread', label: t('kb.updates.unread') }, { value: 'all', label: t('common.all') }]} />} />
      {updates.isLoading ? (
        <Spin style={{ display: 'block', margin: 48 }} />
      ) : updates.isError ? (
        <Typography.Text type="danger">{errorText(updates.error, t)}</Typography.Text>
      ) : (updates.data ?? []).length === 0 ? (
        <Card>
          <Empty description={filter === 'unread' ? t('kb.updates.allRead') : t('kb.updates.none')} />
        </Card>
      ) : (
        <Flex vertical gap={12} style={{ maxWidth: 880 }}>
          {updates.data!.map((u) => <UpdateCard key={u.id} update={u} />)}
        </Flex>
      )}
    </>
  );
}

function UpdateCard({ update }: { update: Update }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(isUnread(update));
  const [busy, setBusy] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: kbKeys.updates });
  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      refresh();
    } catch (error) {
      void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  const expand = () => setOpen(true);
  // Shown is read: an unread update opens by itself, so it counts as read once on screen.
  useEffect(() => {
    if (open && update.readAt === null) void kbApi.markRead(update.id).then(refresh, () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, update.id, update.readAt]);
  return (
    <Card
      size="small"
      data-testid="kb-update"
      title={
        <Space>
          {isUnread(update) && <Badge status="processing" />}
          <Typography.Link onClick={expand}>{update.title}</Typography.Link>
          {update.requiresAck && <Tag color="orange">{t('kb.updates.ackRequired')}</Tag>}
        </Space>
      }
      extra={<Typography.Text type="secondary">{formatDateTime(update.createdAt)}</Typography.Text>}
    >
      {open && <div className="kb-article" dangerouslySetInnerHTML={{ __html: renderMarkdown(update.body) }} />}
      <Flex justify="space-between" align="center" gap={8}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {update.ackedAt ? t('kb.updates.ackedAt', { at: formatDateTime(update.ackedAt) }) : update.readAt ? t('kb.updates.readAt', { at: formatDateTime(update.readAt) }) : t('kb.updates.notRead')}
        </Typography.Text>
        <Space>
          {!open && <Button size="small" onClick={expand}>{t('kb.updates.read')}</Button>}
          {update.requiresAck && update.ackedAt === null && (
            <Button type="primary" size="small" icon={<CheckCircleOutlined />} loading={busy} onClick={() => void act(() => kbApi.acknowledge(update.id))}>
              {t('kb.updates.acknowledge')}
            </Button>
          )}
        </Space>
      </Flex>
    </Card>
  );
}
