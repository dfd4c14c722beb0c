import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Form, Input, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText, showFieldError } from '../../components/errors.ts';
import { agentApi, type DeskTask } from './agent-api.ts';

interface Values {
  code?: string;
  notes?: string;
  resolvedFirstContact: boolean;
}

/** Disposition code (required when the queue lists any), notes and first-contact resolution; saved once. */
export function WrapupForm(props: { task: DeskTask }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const codes = props.task.wrapupCodes;
  const save = useMutation({
    mutationFn: (v: Values) =>
      agentApi.wrapUp(props.task.id, {
        ...(v.code ? { code: v.code } : {}),
        ...(v.notes ? { notes: v.notes } : {}),
        resolvedFirstContact: v.resolvedFirstContact,
      }),
    onSuccess: () => {
      void message.success(t('desktop.wrapup.saved'));
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
    <Form form={form} layout="vertical" initialValues={{ resolvedFirstContact: true }} onFinish={(v) => save.mutate(v)} data-testid="wrapup-form">
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
      <Button type="primary" htmlType="submit" loading={save.isPending}>
        {t('desktop.wrapup.save')}
      </Button>
    </Form>
  );
}
