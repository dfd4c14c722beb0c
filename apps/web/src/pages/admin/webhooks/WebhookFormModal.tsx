import { useQuery } from '@tanstack/react-query';
import { App, Form, Input, Modal, Select, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { itemsOf, webhooksApi } from '../../../api/endpoints.ts';
import type { Webhook } from '../../../api/types.ts';
import { errorText, showFieldError } from '../../../components/errors.ts';
import { queryKeys, useLabels } from '../admin-data.ts';

interface Values {
  url: string;
  events: string[];
  active: boolean;
}

/** Create (then onSaved gets the signing secret, shown once) or edit a webhook subscription. */
export function WebhookFormModal(props: { webhook: Webhook | null; onClose(): void; onSaved(secret?: string): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const catalog = useQuery({ queryKey: queryKeys.catalog, queryFn: async () => itemsOf(await webhooksApi.catalog()) });
  const labels = useLabels();
  const editing = props.webhook !== null;

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const input = { url: values.url.trim(), events: values.events, active: values.active };
      if (props.webhook === null) {
        const created = await webhooksApi.create(input);
        props.onSaved(created.secret);
      } else {
        await webhooksApi.update(props.webhook.id, input);
        void message.success(t('common.saved'));
        props.onSaved();
      }
    } catch (error) {
      if (!showFieldError(form, error, ['url', 'events', 'active'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={editing ? t('webhooks.editTitle') : t('webhooks.createTitle')}
      okText={editing ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={props.onClose}
      width={600}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        name="webhook"
        layout="vertical"
       
        initialValues={{ url: props.webhook?.url ?? '', events: props.webhook?.events ?? [], active: props.webhook?.active ?? true }}
      >
        <Form.Item
          name="url"
          label={t('webhooks.url')}
          rules={[
            { required: true, message: t('common.required') },
            { pattern: /^https?:\/\/\S+$/i, message: t('webhooks.urlInvalid') },
          ]}
        >
          <Input placeholder="https://crm.example.com/kefu/events" autoComplete="off" />
        </Form.Item>
        <Form.Item name="events" label={t('webhooks.events')} rules={[{ required: true, message: t('common.required') }]}>
          <Select
            mode="multiple"
            placeholder={t('webhooks.eventsPlaceholder')}
            loading={catalog.isLoading}
            optionFilterProp="label"
            options={(catalog.data ?? []).map((event) => ({
              value: event.type,
              label: `${event.type} — ${labels.event(event.type, event.description)}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="active" label={t('webhooks.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
