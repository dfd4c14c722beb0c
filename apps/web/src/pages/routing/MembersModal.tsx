// A queue's members: who serves it, with the skill level in this queue (1–5, used by best-skill routing) and the
// membership priority (1 is served first; a higher number gets tasks only when better-priority agents cannot).
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, InputNumber, Modal, Popconfirm, Select, Space, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { routingApi, type Member, type Queue } from './routing-api.ts';

export function MembersModal(props: { queue: Queue; manage: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const key = ['routing', 'members', props.queue.id];
  const members = useQuery({ queryKey: key, queryFn: () => routingApi.members(props.queue.id) });
  const users = useQuery({ queryKey: ['routing', 'users'], queryFn: routingApi.users, enabled: props.manage });
  const [userId, setUserId] = useState<string | undefined>();
  const [skillLevel, setSkillLevel] = useState(3);
  const [priority, setPriority] = useState(1);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: key });
    void queryClient.invalidateQueries({ queryKey: ['routing', 'agents'] });
  };
  const save = useMutation({
    mutationFn: (m: { userId: string; skillLevel: number; priority: number }) => routingApi.putMember(props.queue.id, m.userId, { skillLevel: m.skillLevel, priority: m.priority }),
    onSuccess: () => (setUserId(undefined), refresh()),
    onError: (e) => void message.error(errorText(e, t)),
  });
  const remove = useMutation({ mutationFn: (m: Member) => routingApi.removeMember(props.queue.id, m.userId), onSuccess: refresh, onError: (e) => void message.error(errorText(e, t)) });
  const memberIds = new Set((members.data ?? []).map((m) => m.userId));
  return (
    <Modal open width={720} title={t('routing.membersOf', { name: props.queue.name })} footer={null} onCancel={props.onClose} destroyOnHidden>
      {props.manage && (
        <Space wrap style={{ marginBottom: 16 }}>
          <Select
            showSearch
            style={{ width: 260 }}
            placeholder={t('routing.chooseAgent')}
            aria-label={t('routing.chooseAgent')}
            value={userId}
            onChange={setUserId}
            optionFilterProp="label"
            options={(users.data?.items ?? []).filter((u) => !memberIds.has(u.id)).map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` }))}
          />
          <InputNumber min={1} max={5} value={skillLevel} onChange={(v) => setSkillLevel(v ?? 3)} addonBefore={t('routing.skillLevel')} aria-label={t('routing.skillLevel')} />
          <InputNumber min={1} max={9} value={priority} onChange={(v) => setPriority(v ?? 1)} addonBefore={t('routing.memberPriority')} aria-label={t('routing.memberPriority')} />
          <Button type="primary" icon={<PlusOutlined />} disabled={!userId} loading={save.isPending} onClick={() => userId && save.mutate({ userId, skillLevel, priority })}>
            {t('routing.addMember')}
          </Button>
        </Space>
      )}
      <Table<Member>
        rowKey="userId"
        size="small"
        pagination={false}
        loading={members.isLoading}
        dataSource={members.data ?? []}
        locale={{ emptyText: members.isError ? errorText(members.error, t) : t('routing.noMembers') }}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          {
            title: t('routing.skillLevel'),
            dataIndex: 'skillLevel',
            width: 130,
            render: (level: number, m) => (props.manage ? <InputNumber size="small" min={1} max={5} defaultValue={level} aria-label={`${t('routing.skillLevel')} ${m.name}`} onBlur={(e) => Number(e.target.value) !== level && save.mutate({ ...m, skillLevel: Number(e.target.value) })} /> : level),
          },
          {
            title: t('routing.memberPriority'),
            dataIndex: 'priority',
            width: 130,
            render: (p: number, m) => (props.manage ? <InputNumber size="small" min={1} max={9} defaultValue={p} aria-label={`${t('routing.memberPriority')} ${m.name}`} onBlur={(e) => Number(e.target.value) !== p && save.mutate({ ...m, priority: Number(e.target.value) })} /> : p),
          },
          ...(props.manage
            ? [{ title: t('common.actions'), key: 'actions', width: 90, render: (_: unknown, m: Member) => (
                <Popconfirm title={t('common.confirmDelete', { name: m.name })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(m).catch(() => undefined)}>
                  <Button type="link" size="small" danger icon={<DeleteOutlined />}>{t('common.delete')}</Button>
                </Popconfirm>
              ) }]
            : []),
        ]}
      />
    </Modal>
  );
}
