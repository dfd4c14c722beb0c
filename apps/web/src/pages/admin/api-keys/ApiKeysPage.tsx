import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiKeysApi, itemsOf } from '../../../api/endpoints.ts';
import type { ApiKey } from '../../../api/types.ts';
import { errorText, showFieldError } from '../../../components/errors.ts';
import { formatDateTime } from '../../../components/format.ts';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { SecretModal } from '../../../components/SecretModal.tsx';
import { queryKeys, useLabels, usePermissions } from '../admin-data.ts';
import { PermissionChecklist } from '../PermissionChecklist.tsx';

export default function ApiKeysPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const labels = useLabels();
  const keys = useQuery({ queryKey: queryKeys.apiKeys, queryFn: async () => itemsOf(await apiKeysApi.list()) });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  const revoke = useMutation({
    mutationFn: (key: ApiKey) => apiKeysApi.revoke(key.id),
    onSuccess: () => {
      void message.success(t('apiKeys.revokedMessage'));
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
    },
    onError: (error) => void message.error(errorText(error, t)),
  });

  const columns: ColumnsType<ApiKey> = [
    { title: t('common.name'), dataIndex: 'name', render: (name: string) => <strong>{name}</strong> },
    {
      title: t('apiKeys.prefix'),
      dataIndex: 'prefix',
      width: 200,
      render: (prefix: string) => (
        <Typography.Text code style={{ whiteSpace: 'nowrap' }}>
          {prefix}…
        </Typography.Text>
      ),
    },
    {
      title: t('apiKeys.scopes'),
      dataIndex: 'scopes',
      render: (scopes: string[]) => (
        <Space size={[4, 4]} wrap>
          {scopes.map((scope) => (
            <Tag key={scope} title={scope}>
              {labels.permission(scope)}
            </Tag>
          ))}
        </Space>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'revokedAt',
      width: 110,
      render: (revokedAt: string | null) =>
        revokedAt === null ? (
          <Badge status="success" text={t('apiKeys.active')} />
        ) : (
          <Badge status="default" text={t('apiKeys.revoked')} />
        ),
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 180, render: (at: string) => formatDateTime(at) },
    {
      title: t('apiKeys.lastUsedAt'),
      dataIndex: 'lastUsedAt',
      width: 180,
      render: (at: string | null) => (at === null ? t('common.never') : formatDateTime(at)),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      render: (_, key) =>
        key.revokedAt === null && (
          <Popconfirm
            title={t('apiKeys.confirmRevoke', { name: key.name })}
            okText={t('apiKeys.revoke')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => revoke.mutateAsync(key).catch(() => undefined)}
          >
            <Button type="link" size="small" danger icon={<StopOutlined />}>
              {t('apiKeys.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('apiKeys.title')}
        subtitle={t('apiKeys.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('apiKeys.create')}
          </Button>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<ApiKey>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={keys.data ?? []}
          loading={keys.isLoading}
          scroll={{ x: 1000 }}
          pagination={false}
          locale={keys.isError ? { emptyText: errorText(keys.error, t) } : undefined}
        />
      </Card>
      {creating && (
        <CreateApiKeyModal
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
            void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
          }}
        />
      )}
      {secret !== null && (
        <SecretModal
          title={t('apiKeys.secretTitle')}
          warning={t('apiKeys.secretWarning')}
          secret={secret}
          onClose={() => setSecret(null)}
        />
      )}
    </>
  );
}

function CreateApiKeyModal(props: { onClose(): void; onCreated(secret: string): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const permissions = usePermissions();
  const [form] = Form.useForm<{ name: string; scopes: string[] }>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const created = await apiKeysApi.create({ name: values.name.trim(), scopes: values.scopes });
      props.onCreated(created.secret);
    } catch (error) {
      if (!showFieldError(form, error, ['name', 'scopes'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('apiKeys.createTitle')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={props.onClose}
      width={640}
      destroyOnHidden
    >
      <Form form={form} name="apiKey" layout="vertical" initialValues={{ name: '', scopes: [] }}>
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="scopes" label={t('apiKeys.scopes')} rules={[{ required: true, message: t('common.required') }]}>
          <PermissionChecklist permissions={permissions.data ?? []} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
