import { UserAddOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Empty, Form, Input, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { agentApi, createContact, phoneOf } from './agent-api.ts';

/**
 * The screen pop: the customer's record as soon as an offer arrives (before it is answered). A task names its
 * contact when routing knew it; otherwise the caller's number is looked up, and an unknown caller gets a one-line
 * create form.
 */
export function ContactCard(props: { contactId: string | null; attributes: Record<string, unknown>; customerAddress?: string | null; compact?: boolean }) {
  const { t } = useTranslation();
  const phone = phoneOf(props.attributes, props.customerAddress);
  const byId = useQuery({
    queryKey: ['desktop', 'contact', props.contactId],
    queryFn: () => agentApi.contact(props.contactId!),
    enabled: props.contactId !== null,
  });
  const byPhone = useQuery({
    queryKey: ['desktop', 'lookup', phone],
    queryFn: async () => {
      try {
        return (await agentApi.lookupPhone(phone!)).contact;
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return null; // unknown or not a phone
        throw e;
      }
    },
    enabled: props.contactId === null && phone !== null,
  });
  const contact = props.contactId !== null ? byId.data : byPhone.data;
  const loading = props.contactId !== null ? byId.isLoading : phone !== null && byPhone.isLoading;

  if (loading) return <Spin />;
  if (!contact) {
    if (phone === null) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('desktop.noPhone')} />;
    return <UnknownCaller phone={phone} />;
  }
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="screen-pop">
      <Space wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {contact.displayName}
        </Typography.Title>
        {contact.vipLevel > 0 && <Tag color="gold">{t('desktop.vip', { level: contact.vipLevel })}</Tag>}
        {contact.tags.map((tag) => (
          <Tag key={tag}>{tag}</Tag>
        ))}
      </Space>
      <Descriptions column={1} size="small">
        {contact.company && <Descriptions.Item label={t('desktop.company')}>{contact.company.name}</Descriptions.Item>}
        {contact.identities.slice(0, 4).map((identity) => (
          <Descriptions.Item key={identity.id} label={t(`crm.kinds.${identity.kind}`)}>
            {identity.value}
          </Descriptions.Item>
        ))}
        {Object.entries(contact.customFields).slice(0, 6).map(([key, value]) => (
          <Descriptions.Item key={key} label={key}>
            {Array.isArray(value) ? value.join(', ') : String(value)}
          </Descriptions.Item>
        ))}
      </Descriptions>
      {!props.compact && <ContactHistory contactId={contact.id} />}
    </Space>
  );
}

function ContactHistory(props: { contactId: string }) {
  const { t } = useTranslation();
  const timeline = useQuery({ queryKey: ['desktop', 'timeline', props.contactId], queryFn: () => agentApi.timeline(props.contactId) });
  const orders = useQuery({ queryKey: ['desktop', 'orders', props.contactId], queryFn: () => agentApi.orders(props.contactId) });
  return (
    <>
      {(orders.data?.length ?? 0) > 0 && (
        <>
          <Typography.Text strong>{t('desktop.orders')}</Typography.Text>
          <Descriptions column={1} size="small">
            {orders.data!.slice(0, 3).map((o) => (
              <Descriptions.Item key={o.id} label={o.externalId ?? o.id.slice(0, 8)}>
                {o.status} · {o.amount} {o.currency} · {formatDateTime(o.orderedAt)}
              </Descriptions.Item>
            ))}
          </Descriptions>
        </>
      )}
      <Typography.Text strong>{t('desktop.history')}</Typography.Text>
      {timeline.data && timeline.data.items.length === 0 ? (
        <Typography.Text type="secondary">{t('desktop.noHistory')}</Typography.Text>
      ) : (
        <Timeline
          style={{ marginTop: 8 }}
          items={(timeline.data?.items ?? []).map((entry) => ({
            children: (
              <>
                <Typography.Text type="secondary">{formatDateTime(entry.at)}</Typography.Text> <Tag>{t(`crm.entry.${entry.kind}`, { defaultValue: entry.kind })}</Tag>
                <div>{entry.summary}</div>
              </>
            ),
          }))}
        />
      )}
    </>
  );
}

function UnknownCaller(props: { phone: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ displayName: string }>();
  const create = useMutation({
    mutationFn: (displayName: string) => createContact({ displayName, phone: props.phone }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['desktop', 'lookup', props.phone] }),
    onError: (e) => void message.error(errorText(e, t)),
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="unknown-caller">
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('desktop.unknownCaller')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('desktop.unknownCallerHint', { phone: props.phone })}</Typography.Text>
      <Form form={form} layout="inline" onFinish={(v) => create.mutate(v.displayName)}>
        <Form.Item name="displayName" rules={[{ required: true, whitespace: true, message: t('desktop.contactName') }]}>
          <Input placeholder={t('desktop.contactName')} maxLength={200} />
        </Form.Item>
        <Button htmlType="submit" icon={<UserAddOutlined />} loading={create.isPending}>
          {t('desktop.createContact')}
        </Button>
      </Form>
    </Space>
  );
}
