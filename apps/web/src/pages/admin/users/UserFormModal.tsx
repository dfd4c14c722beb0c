import { App, Checkbox, Col, Form, Input, Modal, Row, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usersApi, type UserPatch } from '../../../api/endpoints.ts';
import type { Division, Role, User } from '../../../api/types.ts';
import { errorText, showFieldError } from '../../../components/errors.ts';
import { MIN_PASSWORD_LENGTH } from '../../../components/password-rules.ts';
import { currentLanguage } from '../../../i18n/i18n.ts';
import { useLabels } from '../admin-data.ts';

interface Values {
  email: string;
  name: string;
  password?: string;
  roles: string[];
  divisionIds: string[];
  locale: string;
}

const FIELDS = ['email', 'name', 'password', 'roles', 'divisionIds', 'locale'] as const;

/** Create a user (user = null) or edit one: name, roles, divisions, language, optional password reset. */
export function UserFormModal(props: {
  user: User | null;
  roles: Role[];
  divisions: Division[];
  onClose(): void;
  onSaved(user: User): void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const labels = useLabels();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const editing = props.user !== null;

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const locale = values.locale;
      let saved: User;
      if (props.user === null) {
        saved = await usersApi.create({
          email: values.email.trim(),
          name: values.name.trim(),
          password: values.password ?? '',
          roles: values.roles,
          divisionIds: values.divisionIds,
          locale,
        });
        void message.success(t('users.created'));
      } else {
        const patch: UserPatch = { name: values.name.trim(), roles: values.roles, divisionIds: values.divisionIds };
        if (locale !== props.user.locale) patch.locale = locale;
        if (values.password !== undefined && values.password !== '') patch.password = values.password;
        saved = await usersApi.update(props.user.id, patch);
        void message.success(t('users.updated'));
      }
      props.onSaved(saved);
    } catch (error) {
      if (!showFieldError(form, error, FIELDS)) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={editing ? t('users.editTitle') : t('users.createTitle')}
      okText={editing ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={props.onClose}
      width={560}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        name="user"
        layout="vertical"
       
        initialValues={{
          email: props.user?.email ?? '',
          name: props.user?.name ?? '',
          roles: props.user?.roles ?? [],
          divisionIds: props.user?.divisionIds ?? [],
          locale: props.user?.locale ?? currentLanguage(),
        }}
      >
        <Form.Item
          name="email"
          label={t('users.email')}
          rules={[
            { required: true, message: t('common.required') },
            { type: 'email', message: t('login.emailInvalid') },
          ]}
        >
          <Input disabled={editing} autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('users.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="password"
          label={editing ? t('users.newPassword') : t('users.password')}
          rules={[
            { required: !editing, message: t('common.required') },
            { min: MIN_PASSWORD_LENGTH, message: t('password.tooShort', { count: MIN_PASSWORD_LENGTH }) },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="roles" label={t('users.roles')}>
          {/* A handful of roles: checkboxes show them all at once and cannot be picked by accident. */}
          <Checkbox.Group style={{ width: '100%' }}>
            <Row gutter={[8, 6]}>
              {props.roles.map((role) => (
                <Col span={12} key={role.key}>
                  <Checkbox value={role.key}>{labels.role(role)}</Checkbox>
                </Col>
              ))}
            </Row>
          </Checkbox.Group>
        </Form.Item>
        <Form.Item name="divisionIds" label={t('users.divisions')}>
          <Select
            mode="multiple"
            allowClear
            optionFilterProp="label"
            options={props.divisions.map((division) => ({ value: division.id, label: division.name }))}
          />
        </Form.Item>
        <Form.Item name="locale" label={t('users.locale')}>
          <Select
            options={[
              { value: 'zh-CN', label: t('language.zh') },
              { value: 'en', label: t('language.en') },
            ]}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
