import { EyeOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Drawer, Empty, Input, List, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { crmApi, type Contact } from './crm-api.ts';

/** One contact as the screen pop shows it: identities, orders and the timeline, with notes and the reveal. */
export function ContactDrawer(props: { contactId: string; onClose(): void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [revealed, setRevealed] = useState<Contact | null>(null);
  const [note, setNote] = useState('');
  const contact = useQuery({ queryKey: ['crm', 'contact', props.contactId], queryFn: () => crmApi.contact(props.contactId) });
  const orders = useQuery({ queryKey: ['crm', 'orders', props.contactId], queryFn: () => crmApi.orders(props.contactId) });
  const timeline = useQuery({ queryKey: ['crm', 'timeline', props.contactId], queryFn: () => crmApi.timeline(props.contactId) });
  const reveal = useMutation({ mutationFn: () => crmApi.reveal(props.contactId), onSuccess: setRevealed, onError: (e) => void message.error(errorText(e, t)) });
  const addNote = useMutation({
    mutationFn: () => crmApi.addNote(props.contactId, note),
    onSuccess: () => {
      setNote('');
      void queryClient.invalidateQueries({ queryKey: ['crm', 'timeline', props.contactId] });
    },
    onError: (e) => void message.error(errorText(e, t)),
  });
  const shown = revealed ?? contact.data;

  return (
    <Drawer open width={560} title={shown?.displayName ?? t('crm.contact')} onClose={props.onClose}>
      {!shown ? (
        <Spin />
      ) : (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('crm.company')}>{shown.company?.name ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('crm.vip')}>{shown.vipLevel}</Descriptions.Item>
            <Descriptions.Item label={t('crm.tags')}>{shown.tags.length ? shown.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : '—'}</Descriptions.Item>
            {shown.identities.map((identity) => (
              <Descriptions.Item key={identity.id} label={t(`crm.kinds.${identity.kind}`)}>
                {identity.value}
              </Descriptions.Item>
            ))}
          </Descriptions>
          {can('crm.reveal') && shown.identities.some((i) => i.masked) && (
            <Button icon={<EyeOutlined />} onClick={() => reveal.mutate()} loading={reveal.isPending}>
              {t('crm.reveal')}
            </Button>
          )}
          <div>
            <Typography.Title level={5}>{t('crm.orders')}</Typography.Title>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={orders.data ?? []}
              locale={{ emptyText: t('crm.noOrders') }}
              columns={[
                { title: t('crm.orderNo'), dataIndex: 'externalId', render: (v: string | null) => v ?? '—' },
                { title: t('crm.status'), dataIndex: 'status' },
                { title: t('crm.amount'), key: 'amount', render: (_, o) => `${o.amount} ${o.currency}` },
                { title: t('crm.orderedAt'), dataIndex: 'orderedAt', render: (v: string) => formatDateTime(v) },
              ]}
            />
          </div>
          <div>
            <Typography.Title level={5}>{t('crm.timeline')}</Typography.Title>
            {can('crm.manage') && (
              <Space.Compact style={{ width: '100%', marginBottom: 16 }}>
                <Input aria-label={t('crm.note')} placeholder={t('crm.notePlaceholder')} value={note} onChange={(e) => setNote(e.target.value)} />
                <Button type="primary" disabled={!note.trim()} loading={addNote.isPending} onClick={() => addNote.mutate()}>
                  {t('crm.addNote')}
                </Button>
              </Space.Compact>
            )}
            {timeline.data?.items.length ? (
              <Timeline
                items={timeline.data.items.map((entry) => ({
                  children: (
                    <List.Item.Meta title={`${t(`crm.entry.${entry.kind}`, { defaultValue: entry.kind })} · ${formatDateTime(entry.at)}`} description={entry.summary} />
                  ),
                }))}
              />
            ) : (
              <Empty description={t('crm.noTimeline')} />
            )}
          </div>
        </Space>
      )}
    </Drawer>
  );
}
