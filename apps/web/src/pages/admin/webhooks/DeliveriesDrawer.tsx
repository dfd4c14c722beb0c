import { ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Badge, Button, Drawer, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { itemsOf, webhooksApi } from '../../../api/endpoints.ts';
import type { DeliveryStatus, Webhook, WebhookDelivery } from '../../../api/types.ts';
import { errorText } from '../../../components/errors.ts';
import { formatDateTime } from '../../../components/format.ts';

const statusBadge: Record<DeliveryStatus, 'processing' | 'success' | 'error'> = {
  pending: 'processing',
  delivered: 'success',
  failed: 'error',
};

/** The delivery log of one webhook: every attempt's outcome, newest first as the server sends it. */
export function DeliveriesDrawer(props: { webhook: Webhook | null; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const id = props.webhook?.id;
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', id],
    queryFn: async () => itemsOf(await webhooksApi.deliveries(id ?? '')),
    enabled: id !== undefined,
  });

  const ping = useMutation({
    mutationFn: () => webhooksApi.ping(id ?? ''),
    onSuccess: () => {
      void message.success(t('webhooks.pinged'));
      // Delivery happens in the background: look again shortly.
      setTimeout(() => void deliveries.refetch(), 1500);
    },
    onError: (error) => void message.error(errorText(error, t)),
  });

  const columns: ColumnsType<WebhookDelivery> = [
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: (at: string) => formatDateTime(at) },
    {
      title: t('webhooks.eventType'),
      dataIndex: 'eventType',
      render: (type: string) => <Typography.Text code>{type}</Typography.Text>,
    },
    {
      title: t('common.status'),
      dataIndex: 'status',
      width: 100,
      render: (status: DeliveryStatus) => <Badge status={statusBadge[status]} text={t(`webhooks.deliveryStatus.${status}`)} />,
    },
    { title: t('webhooks.attempts'), dataIndex: 'attempts', width: 90, align: 'right' },
    {
      title: t('webhooks.responseStatus'),
      dataIndex: 'responseStatus',
      width: 90,
      render: (status: number | null) => status ?? '—',
    },
    {
      title: t('webhooks.lastError'),
      dataIndex: 'lastError',
      ellipsis: true,
      render: (error: string | null) => error ?? '—',
    },
    {
      title: t('webhooks.deliveredAt'),
      dataIndex: 'deliveredAt',
      width: 170,
      render: (at: string | null) => formatDateTime(at),
    },
  ];

  return (
    <Drawer
      open={props.webhook !== null}
      onClose={props.onClose}
      width={980}
      title={t('webhooks.deliveriesTitle', { url: props.webhook?.url ?? '' })}
      extra={
        <Space>
          <Button icon={<SendOutlined />} onClick={() => ping.mutate()} loading={ping.isPending}>
            {t('webhooks.ping')}
          </Button>
          <Button icon={<ReloadOutlined />} onClick={() => void deliveries.refetch()} loading={deliveries.isFetching}>
            {t('common.refresh')}
          </Button>
        </Space>
      }
    >
      <Table<WebhookDelivery>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={deliveries.data ?? []}
        loading={deliveries.isLoading}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: deliveries.isError ? errorText(deliveries.error, t) : t('webhooks.noDeliveries') }}
      />
    </Drawer>
  );
}
