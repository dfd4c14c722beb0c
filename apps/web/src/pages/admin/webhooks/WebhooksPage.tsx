import { HistoryOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { itemsOf, webhooksApi } from '../../../api/endpoints.ts';
import type { Webhook } from '../../../api/types.ts';
import { errorText } from '../../../components/errors.ts';
import { formatDateTime } from '../../../components/format.ts';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { RowActions } from '../../../components/RowActions.tsx';
import { SecretModal } from '../../../components/SecretModal.tsx';
import { queryKeys, useLabels } from '../admin-data.ts';
import { DeliveriesDrawer } from './DeliveriesDrawer.tsx';
import { WebhookFormModal } from './WebhookFormModal.tsx';

export default function WebhooksPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const queryClient = useQueryClient();
  const webhooks = useQuery({ queryKey: queryKeys.webhooks, queryFn: async () => itemsOf(await webhooksApi.list()) });
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [deliveriesOf, setDeliveriesOf] = useState<Webhook | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const remove = useMutation({
    mutationFn: (webhook: Webhook) => webhooksApi.remove(webhook.id),
    onSuccess: () => {
      void message.success(t('common.deleted'));
      void queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
    },
    onError: (error) => void message.error(errorText(error, t)),
  });

  const columns: ColumnsType<Webhook> = [
    {
      title: t('webhooks.url'),
      dataIndex: 'url',
      render: (url: string) => <Typography.Text copyable={{ text: url }}>{url}</Typography.Text>,
    },
    {
      title: t('webhooks.events'),
      dataIndex: 'events',
      render: (events: string[]) => (
        <Space size={[4, 4]} wrap>
          {events.map((event) => (
            <Tag key={event} style={{ fontFamily: 'monospace' }} title={labels.event(event)}>
              {event}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'active',
      width: 100,
      render: (active: boolean) =>
        active ? <Badge status="success" text={t('webhooks.active')} /> : <Badge status="default" text={t('webhooks.inactive')} />,
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 180, render: (at: string) => formatDateTime(at) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 250,
      render: (_, webhook) => (
        <RowActions
          name={webhook.url}
          onEdit={() => setEditing(webhook)}
          onDelete={() => remove.mutateAsync(webhook)}
          before={
            <Button type="link" size="small" icon={<HistoryOutlined />} onClick={() => setDeliveriesOf(webhook)}>
            {t('webhooks.deliveries')}
          </Button>
          }
        />
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('webhooks.title')}
        subtitle={t('webhooks.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('webhooks.create')}
          </Button>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Webhook>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={webhooks.data ?? []}
          loading={webhooks.isLoading}
          scroll={{ x: 900 }}
          pagination={false}
          locale={webhooks.isError ? { emptyText: errorText(webhooks.error, t) } : undefined}
        />
      </Card>
      {editing !== null && (
        <WebhookFormModal
          webhook={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(created) => {
            setEditing(null);
            if (created !== undefined) setSecret(created);
            void queryClient.invalidateQueries({ queryKey: queryKeys.webhooks });
          }}
        />
      )}
      <DeliveriesDrawer webhook={deliveriesOf} onClose={() => setDeliveriesOf(null)} />
      {secret !== null && (
        <SecretModal
          title={t('webhooks.secretTitle')}
          warning={t('webhooks.secretWarning')}
          secret={secret}
          onClose={() => setSecret(null)}
        />
      )}
    </>
  );
}
