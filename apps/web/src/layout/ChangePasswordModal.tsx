import { App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { authApi } from '../api/endpoints.ts';
import { errorText, showFieldError } from '../components/errors.ts';

import { MIN_PASSWORD_LENGTH } from '../components/password-rules.ts';
interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePasswordModal(props: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      await authApi.changePassword(values.currentPassword, values.newPassword);
      void message.success(t('password.changed'));
      form.resetFields();
      props.onClose();
    } catch (error) {
      if (!showFieldError(form, error, ['currentPassword', 'newPassword'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={props.open}
      title={t('password.title')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={() => {
        form.resetFields();
        props.onClose();
      }}
      destroyOnHidden
    >
      <Form form={form} name="password" layout="vertical" requiredMark={false}>
        <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('password.new')}
          rules={[
            { required: true, message: t('common.required') },
            { min: MIN_PASSWORD_LENGTH, message: t('password.tooShort', { count: MIN_PASSWORD_LENGTH }) },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('common.required') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
