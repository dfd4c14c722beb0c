import { PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Input, Space, Table, Tabs, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { DeleteAction, RowActions } from '../../components/RowActions.tsx';
import { AgentsTab } from './AgentsTab.tsx';
import { MembersModal } from './MembersModal.tsx';
import { QueueFormModal } from './QueueFormModal.tsx';
import { routingApi, type NamedItem, type Queue } from './routing-api.ts';

/** Routing administration: queues with their rules and members, agents (profile, state), skills and away reasons. */
export default function RoutingPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('routing.title')} subtitle={t('routing.subtitle')} />
      <Tabs
        items={[
          { key: 'queues', label: t('routing.queues'), children: <QueuesTab /> },
          { key: 'agents', label: t('routing.agents'), children: <AgentsTab /> },
          { key: 'skills', label: t('routing.skills'), children: <NamedList kind="skills" /> },
          { key: 'away', label: t('routing.awayReasons'), children: <NamedList kind="away-reasons" /> },
        ]}
      />
    </>
  );
}

function QueuesTab() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const queues = useQuery({ queryKey: ['routing', 'queues'], queryFn: routingApi.queues });
  const [editing, setEditing] = useState<Queue | 'new' | null>(null);
  const [members, setMembers] = useState<Queue | null>(null);
  const manage = can('routing.manage');
  const remove = useMutation({
    mutationFn: (queue: Queue) => routingApi.removeQueue(queue.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['routing', 'queues'] }),
    onError: (error) => void message.error(errorText(error, t)),
  });
  const columns: ColumnsType<Queue> = [
    { title: t('common.name'), dataIndex: 'name', render: (name: string) => <strong>{name}</strong> },
    { title: t('routing.channels'), dataIndex: 'channels', render: (channels: string[]) => channels.map((c) => <Tag key={c}>{t(`routing.channel.${c}` as 'routing.channel.voice')}</Tag>) },
    { title: t('routing.strategy'), dataIndex: 'strategy', render: (s: string) => t(`routing.strategyName.${s}` as 'routing.strategyName.longest_idle') },
    { title: t('routing.serviceLevel'), key: 'sl', render: (_, q) => t('routing.serviceLevelValue', { percent: Math.round(q.serviceLevelTarget * 100), seconds: q.serviceLevelSeconds }) },
    { title: t('routing.acw'), dataIndex: 'acwSeconds', width: 130, render: (s: number) => `${s} s` },
    { title: t('routing.members'), key: 'members', width: 120, render: (_, queue) => (
      <Button type="link" size="small" icon={<TeamOutlined />} aria-label={`${t('routing.members')} ${queue.name}`} onClick={() => setMembers(queue)}>{t('routing.members')}</Button>
    ) },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 170,
      render: (_, queue) => (
        <RowActions name={queue.name} onEdit={() => setEditing(queue)} onDelete={() => remove.mutateAsync(queue)} />
      ),
    });
  }
  return (
    <Card styles={{ body: { padding: 0 } }} extra={manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>{t('routing.createQueue')}</Button>} title={t('routing.queues')}>
      <Table<Queue> rowKey="id" size="middle" columns={columns} dataSource={queues.data ?? []} loading={queues.isLoading} scroll={{ x: 800 }} pagination={{ pageSize: 50, hideOnSinglePage: true }} locale={{ emptyText: queues.isError ? errorText(queues.error, t) : t('routing.empty') }} />
      {editing !== null && (
        <QueueFormModal
          queue={editing === 'new' ? null : editing}
          queues={queues.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: ['routing', 'queues'] });
          }}
        />
      )}
      {members && <MembersModal queue={members} manage={manage} onClose={() => setMembers(null)} />}
    </Card>
  );
}

function NamedList(props: { kind: 'skills' | 'away-reasons' }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const key = ['routing', props.kind];
  const items = useQuery({ queryKey: key, queryFn: () => routingApi.list(props.kind) });
  const [name, setName] = useState('');
  const manage = can('routing.manage');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  const add = useMutation({ mutationFn: () => routingApi.add(props.kind, name.trim()), onSuccess: () => (setName(''), refresh()), onError: (e) => void message.error(errorText(e, t)) });
  const remove = useMutation({ mutationFn: (item: NamedItem) => routingApi.remove(props.kind, item.id), onSuccess: refresh, onError: (e) => void message.error(errorText(e, t)) });
  return (
    <Card
      title={props.kind === 'skills' ? t('routing.skills') : t('routing.awayReasons')}
      extra={
        manage && (
          <Space.Compact>
            <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('common.name')} aria-label={t('common.name')} onPressEnter={() => name.trim() && add.mutate()} />
            <Button type="primary" icon={<PlusOutlined />} disabled={!name.trim()} loading={add.isPending} onClick={() => add.mutate()}>
              {t('routing.add')}
            </Button>
          </Space.Compact>
        )
      }
      styles={{ body: { padding: 0 } }}
    >
      <Table<NamedItem>
        rowKey="id"
        size="middle"
        dataSource={items.data ?? []}
        loading={items.isLoading}
        pagination={false}
        locale={{ emptyText: items.isError ? errorText(items.error, t) : t('routing.empty') }}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          ...(manage
            ? [{ title: t('common.actions'), key: 'actions', width: 120, render: (_: unknown, item: NamedItem) => (
                <DeleteAction name={item.name} onDelete={() => remove.mutateAsync(item)} />
              ) }]
            : []),
        ]}
      />
    </Card>
  );
}
