import { LockOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { rolesApi } from '../../../api/endpoints.ts';
import type { Role } from '../../../api/types.ts';
import { useSession } from '../../../auth/session.tsx';
import { errorText } from '../../../components/errors.ts';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { RowActions } from '../../../components/RowActions.tsx';
import { queryKeys, useLabels, usePermissions, useRoles } from '../admin-data.ts';
import { RoleFormModal } from './RoleFormModal.tsx';

export default function RolesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const labels = useLabels();
  const roles = useRoles();
  const permissions = usePermissions();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const manage = can('roles.manage');
  const description = new Map((permissions.data ?? []).map((p) => [p.key, p.description]));

  const remove = useMutation({
    mutationFn: (role: Role) => rolesApi.remove(role.id),
    onSuccess: () => {
      void message.success(t('common.deleted'));
      void queryClient.invalidateQueries({ queryKey: queryKeys.roles });
    },
    onError: (error) => void message.error(errorText(error, t)),
  });

  const columns: ColumnsType<Role> = [
    {
      title: t('common.name'),
      dataIndex: 'name',
      width: 220,
      render: (_, role) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{labels.role(role)}</Typography.Text>
          <Typography.Text type="secondary" code style={{ fontSize: 12 }}>
            {role.key}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('roles.type'),
      dataIndex: 'builtIn',
      width: 110,
      render: (builtIn: boolean) =>
        builtIn ? (
          <Tag icon={<LockOutlined />}>{t('roles.builtIn')}</Tag>
        ) : (
          <Tag color="purple">{t('roles.custom')}</Tag>
        ),
    },
    {
      title: t('roles.permissions'),
      dataIndex: 'permissions',
      render: (keys: string[]) => (
        <Space size={[4, 4]} wrap>
          {keys.map((key) => (
            <Tooltip key={key} title={key}>
              <Tag>{labels.permission(key, description.get(key))}</Tag>
            </Tooltip>
          ))}
        </Space>
      ),
    },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 170,
      render: (_, role) =>
        role.builtIn ? (
          <Typography.Text type="secondary">{t('roles.readOnly')}</Typography.Text>
        ) : (
          <RowActions name={role.name} onEdit={() => setEditing(role)} onDelete={() => remove.mutateAsync(role)} />
        ),
    });
  }

  return (
    <>
      <PageHeader
        title={t('roles.title')}
        subtitle={t('roles.subtitle')}
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('roles.create')}
            </Button>
          )
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Role>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={roles.data ?? []}
          loading={roles.isLoading}
          scroll={{ x: 800 }}
          pagination={false}
          locale={roles.isError ? { emptyText: errorText(roles.error, t) } : undefined}
        />
      </Card>
      {editing !== null && (
        <RoleFormModal
          role={editing === 'new' ? null : editing}
          permissions={permissions.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: queryKeys.roles });
          }}
        />
      )}
    </>
  );
}
