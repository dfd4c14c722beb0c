import { PlusOutlined, StopOutlined, CheckCircleOutlined, EditOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Flex, Input, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usersApi } from '../../../api/endpoints.ts';
import type { User } from '../../../api/types.ts';
import { useSession } from '../../../auth/session.tsx';
import { errorText } from '../../../components/errors.ts';
import { formatDateTime } from '../../../components/format.ts';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { queryKeys, useDivisions, useLabels, useRoles } from '../admin-data.ts';
import { UserFormModal } from './UserFormModal.tsx';

const PAGE_SIZE = 50;

export default function UsersPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const labels = useLabels();
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const roles = useRoles();
  const divisions = useDivisions();
  const manage = can('users.manage');

  const users = useInfiniteQuery({
    queryKey: [...queryKeys.users, search],
    queryFn: ({ pageParam }) => usersApi.list({ q: search, cursor: pageParam, limit: PAGE_SIZE }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = useMemo(() => users.data?.pages.flatMap((page) => page.items) ?? [], [users.data]);

  const setStatus = useMutation({
    mutationFn: (user: User) => usersApi.update(user.id, { status: user.status === 'active' ? 'disabled' : 'active' }),
    onSuccess: () => {
      void message.success(t('users.updated'));
      void queryClient.invalidateQueries({ queryKey: queryKeys.users });
    },
    onError: (error) => void message.error(errorText(error, t)),
  });

  const roleByKey = new Map((roles.data ?? []).map((role) => [role.key, role]));
  const divisionName = new Map((divisions.data ?? []).map((division) => [division.id, division.name]));

  const columns: ColumnsType<User> = [
    {
      title: t('users.name'),
      dataIndex: 'name',
      render: (_, user) => (
        <Flex vertical>
          <Typography.Text strong>{user.name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {user.email}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('users.roles'),
      dataIndex: 'roles',
      render: (keys: string[]) => (
        <Space size={[4, 4]} wrap>
          {keys.map((key) => {
            const role = roleByKey.get(key);
            return (
              <Tag key={key} color={role?.builtIn === false ? 'purple' : 'blue'}>
                {role === undefined ? key : labels.role(role)}
              </Tag>
            );
          })}
        </Space>
      ),
    },
    {
      title: t('users.divisions'),
      dataIndex: 'divisionIds',
      render: (ids: string[]) =>
        ids.length === 0 ? (
          <Typography.Text type="secondary">{t('common.none')}</Typography.Text>
        ) : (
          ids.map((id) => divisionName.get(id) ?? id).join(t('common.listSeparator'))
        ),
    },
    {
      title: t('common.status'),
      dataIndex: 'status',
      width: 110,
      render: (status: User['status']) =>
        status === 'active' ? (
          <Badge status="success" text={t('users.active')} />
        ) : (
          <Badge status="default" text={t('users.disabled')} />
        ),
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 190, render: (at: string) => formatDateTime(at) },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 180,
      render: (_, user) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(user)}>
            {t('common.edit')}
          </Button>
          {user.status === 'active' ? (
            <Popconfirm
              title={t('users.confirmDisable', { name: user.name })}
              okText={t('users.disable')}
              cancelText={t('common.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => setStatus.mutateAsync(user).catch(() => undefined)}
              disabled={user.id === me?.user.id}
            >
              <Button type="link" size="small" danger icon={<StopOutlined />} disabled={user.id === me?.user.id}>
                {t('users.disable')}
              </Button>
            </Popconfirm>
          ) : (
            <Button type="link" size="small" icon={<CheckCircleOutlined />} onClick={() => setStatus.mutate(user)}>
              {t('users.enable')}
            </Button>
          )}
        </Space>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('users.create')}
            </Button>
          )
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Flex style={{ padding: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('users.searchPlaceholder')}
            aria-label={t('common.search')}
            enterButton={t('common.search')}
            style={{ maxWidth: 420 }}
            onSearch={(value) => setSearch(value.trim())}
          />
        </Flex>
        <Table<User>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={users.isLoading}
          scroll={{ x: 900 }}
          pagination={false}
          locale={{ emptyText: users.isError ? errorText(users.error, t) : t('users.empty') }}
        />
        {users.hasNextPage && (
          <Flex justify="center" style={{ padding: 12 }}>
            <Button onClick={() => void users.fetchNextPage()} loading={users.isFetchingNextPage}>
              {t('common.loadMore')}
            </Button>
          </Flex>
        )}
      </Card>
      {editing !== null && (
        <UserFormModal
          user={editing === 'new' ? null : editing}
          roles={roles.data ?? []}
          divisions={divisions.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: queryKeys.users });
          }}
        />
      )}
    </>
  );
}
