import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, showFieldError } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { priorities, ticketsApi, types, type Priority, type Ticket, type TicketType } from './tickets-api.ts';

interface Values {
  subject: string;
  description?: string;
  priority: Priority;
  type: TicketType;
  interactionId?: string;
  requesterId?: string;
}

/** A new ticket, usually from an interaction the agent just handled (its customer becomes the requester). */
export function NewTicketModal(props: { interactionId?: string | undefined; onClose(): void; onCreated(ticket: Ticket): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [q, setQ] = useState('');
  const interactions = useQuery({ queryKey: ['tickets', 'recent-interactions'], queryFn: ticketsApi.recentInteractions });
  const contacts = useQuery({ queryKey: ['tickets', 'contacts', q], queryFn: () => ticketsApi.contacts(q), enabled: q.length > 0 });
  const create = useMutation({
    mutationFn: (v: Values) => ticketsApi.create(v),
    onSuccess: (ticket) => {
      void message.success(t('tickets.create.created', { number: ticket.number }));
      props.onCreated(ticket);
    },
    onError: (e) => {
      if (!showFieldError(form, e, ['subject', 'description', 'priority', 'type', 'interactionId', 'requesterId'])) void message.error(errorText(e, t));
    },
  });
  return (
    <Modal open title={t('tickets.create.title')} okText={t('tickets.create.submit')} onOk={() => form.submit()} onCancel={props.onClose} confirmLoading={create.isPending}>
      <Form<Values> form={form} layout="vertical" initialValues={{ priority: 'normal', type: 'question', interactionId: props.interactionId }} onFinish={(v) => create.mutate(v)}>
        <Form.Item name="interactionId" label={t('tickets.create.fromInteraction')}>
          <Select
            allowClear
            placeholder={t('tickets.create.noInteraction')}
            loading={interactions.isLoading}
            options={(interactions.data ?? []).map((i) => ({
              value: i.id,
              label: t('tickets.create.interactionOption', { channel: i.channel, from: i.contactName ?? i.from, at: formatDateTime(i.arrivedAt) }),
            }))}
          />
        </Form.Item>
        <Form.Item name="requesterId" label={t('tickets.create.requester')}>
          <Select
            showSearch
            allowClear
            filterOption={false}
            onSearch={setQ}
            placeholder={t('tickets.create.requesterPlaceholder')}
            options={(contacts.data?.items ?? []).map((c) => ({ value: c.id, label: c.displayName }))}
          />
        </Form.Item>
        <Form.Item name="subject" label={t('tickets.fields.subject')} rules={[{ required: true, whitespace: true, message: t('tickets.fields.subject') }]}>
          <Input maxLength={300} />
        </Form.Item>
        <Form.Item name="description" label={t('tickets.fields.description')}>
          <Input.TextArea rows={3} maxLength={20000} />
        </Form.Item>
        <Form.Item name="priority" label={t('tickets.fields.priority')}>
          <Select options={priorities.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
        </Form.Item>
        <Form.Item name="type" label={t('tickets.fields.type')}>
          <Select options={types.map((x) => ({ value: x, label: t(`tickets.type.${x}`) }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
