import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Form, Input, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText, showFieldError } from '../../components/errors.ts';
import { agentApi, createTicket, type DeskTask } from './agent-api.ts';

interface Values {
  code?: string;
  notes?: string;
  resolvedFirstContact: boolean;
  createTicket: boolean;
  ticketSubject?: string;
}

/** Disposition code (required when the queue lists any), notes and first-contact resolution; saved once. */
export function WrapupForm(props: { task: DeskTask }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const codes = props.task.wrapupCodes;
  const save = useMutation({
    mutationFn: async (v: Values) => {
      const task = await agentApi.wrapUp(props.task.id, {
        ...(v.code ? { code: v.code } : {}),
        ...(v.notes ? { notes: v.notes } : {}),
        resolvedFirstContact: v.resolvedFirstContact,
      });
      // Work that outlives the contact goes on as a ticket linked to the interaction and the customer.
      // The wrap-up is saved at this point: a failed ticket is reported on its own, never as a failed wrap-up.
      let ticket: { number: number } | null = null;
      let ticketError: unknown = null;
      if (v.createTicket) {
        try {
          ticket = await createTicket({
            subject: v.ticketSubject!.trim(),
            ...(v.notes ? { description: v.notes } : {}),
            ...(props.task.interactionId ? { interactionId: props.task.interactionId } : {}),
            ...(props.task.contactId && !props.task.interactionId ? { requesterId: props.task.contactId } : {}),
          });
        } catch (e) {
          ticketError = e;
        }
      }
      return { task, ticket, ticketError };
    },
    onSuccess: ({ ticket, ticketError }) => {
      if (ticketError) void message.error(errorText(ticketError, t));
      void message.success(ticket ? t('desktop.wrapup.savedWithTicket', { number: ticket.number }) : t('desktop.wrapup.saved'));
      void queryClient.invalidateQueries({ queryKey: ['desktop', 'work'] });
      void queryClient.invalidateQueries({ queryKey: ['desktop', 'me'] });
    },
    onError: (e) => {
      if (!showFieldError(form, e, ['code', 'notes'])) void message.error(errorText(e, t));
    },
  });

  if (props.task.wrapup) {
    const code = codes.find((c) => c.code === props.task.wrapup!.code)?.label ?? props.task.wrapup.code ?? '—';
    return <Typography.Text type="success">{t('desktop.wrapup.done', { code })}</Typography.Text>;
  }
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ resolvedFirstContact: true, createTicket: false, ticketSubject: subjectOf(props.task) }}
      onFinish={(v) => save.mutate(v)}
      data-testid="wrapup-form"
    >
      {codes.length > 0 && (
        <Form.Item name="code" label={t('desktop.wrapup.code')} rules={[{ required: true, message: t('desktop.wrapup.codeRequired') }]}>
          <Select options={codes.map((c) => ({ value: c.code, label: c.label }))} placeholder={t('desktop.wrapup.codeRequired')} />
        </Form.Item>
      )}
      <Form.Item name="notes" label={t('desktop.wrapup.notes')}>
        <Input.TextArea rows={3} maxLength={4000} />
      </Form.Item>
      <Form.Item name="resolvedFirstContact" valuePropName="checked">
        <Checkbox>{t('desktop.wrapup.fcr')}</Checkbox>
      </Form.Item>
      <Form.Item name="createTicket" valuePropName="checked" style={{ marginBottom: 8 }}>
        <Checkbox>{t('desktop.wrapup.createTicket')}</Checkbox>
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a, b) => a.createTicket !== b.createTicket}>
        {({ getFieldValue }) =>
          getFieldValue('createTicket') ? (
            <Form.Item name="ticketSubject" label={t('desktop.wrapup.ticketSubject')} rules={[{ required: true, whitespace: true, message: t('desktop.wrapup.ticketSubject') }]}>
              <Input maxLength={200} />
            </Form.Item>
          ) : null
        }
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={save.isPending}>
        {t('desktop.wrapup.save')}
      </Button>
    </Form>
  );
}

/** The ticket's subject to start from: what the customer said the contact was about, if the channel knows. */
function subjectOf(task: DeskTask): string {
  const subject = task.attributes.subject;
  return typeof subject === 'string' ? subject.slice(0, 200) : '';
}
