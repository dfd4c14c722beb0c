import { App, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { rolesApi } from '../../../api/endpoints.ts';
import type { Permission, Role } from '../../../api/types.ts';
import { errorText, showFieldError } from '../../../components/errors.ts';
import { PermissionChecklist } from '../PermissionChecklist.tsx';

interface Values {
  key: string;
  name: string;
  permissions: string[];
}

/** A custom role is a key, a name and a set of permissions (checkboxes, one per permission key). */
export function RoleFormModal(props: { role: Role | null; permissions: Permission[]; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const editing = props.role !== null;

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      if (props.role === null) {
        await rolesApi.create({ key: values.key.trim(), name: values.name.trim(), permissions: values.permissions });
        void message.success(t('roles.created'));
      } else {
        await rolesApi.update(props.role.id, { name: values.name.trim(), permissions: values.permissions });
        void message.success(t('common.saved'));
      }
      props.onSaved();
    } catch (error) {
      if (!showFieldError(form, error, ['key', 'name', 'permissions'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={editing ? t('roles.editTitle') : t('roles.createTitle')}
      okText={editing ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={props.onClose}
      width={640}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        name="role"
        layout="vertical"
       
        initialValues={{ key: props.role?.key ?? '', name: props.role?.name ?? '', permissions: props.role?.permissions ?? [] }}
      >
        <Form.Item
          name="key"
          label={t('roles.key')}
          extra={t('roles.keyHelp')}
          rules={[
            { required: true, message: t('common.required') },
            { pattern: /^[a-z][a-z0-9_]{1,40}$/, message: t('roles.keyHelp') },
          ]}
        >
          <Input disabled={editing} autoComplete="off" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="permissions" label={t('roles.permissions')} rules={[{ required: true, message: t('common.required') }]}>
          <PermissionChecklist permissions={props.permissions} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
