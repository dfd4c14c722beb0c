// Agents as routing sees them: live state, skills and capacity. An admin edits the profile (skills with levels,
// capacity per channel, whether a call blocks chats); a supervisor may set an agent offline, available or away.
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, InputNumber, Modal, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { capacityChannels, routingApi, type Agent, type AgentState } from './routing-api.ts';

const stateColor: Record<AgentState, string> = { offline: 'default', available: 'green', away: 'orange', busy: 'blue', acw: 'purple', missed: 'red' };

export function AgentsTab() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const agents = useQuery({ queryKey: ['routing', 'agents'], queryFn: routingApi.agents, refetchInterval: 5000 });
  const reasons = useQuery({ queryKey: ['routing', 'away-reasons'], queryFn: () => routingApi.list('away-reasons') });
  const [editing, setEditing] = useState<Agent | null>(null);
  const manage = can('routing.manage');
  const supervise = can('supervisor.console');
  const setState = useMutation({
    mutationFn: (v: { agent: Agent; choice: string }) => {
      const [state, reasonId] = v.choice.split(':') as ['offline' | 'available' | 'away', string | undefined];
      return routingApi.setAgentState(v.agent.userId, state, reasonId ?? null);
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['routing', 'agents'] }),
    onError: (e) => void message.error(errorText(e, t)),
  });
  const stateChoices = [
    { value: 'available', label: t('routing.state.available') },
    { value: 'offline', label: t('routing.state.offline') },
    { value: 'away', label: t('routing.state.away') },
    ...(reasons.data ?? []).map((r) => ({ value: `away:${r.id}`, label: `${t('routing.state.away')} · ${r.name}` })),
  ];
  return (
    <Card title={t('routing.agents')} styles={{ body: { padding: 0 } }}>
      <Table<Agent>
        rowKey="userId"
        size="middle"
        loading={agents.isLoading}
        dataSource={agents.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        locale={{ emptyText: agents.isError ? errorText(agents.error, t) : t('routing.noAgents') }}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (name: string) => <strong>{name}</strong> },
          { title: t('routing.agentState'), dataIndex: 'state', width: 120, render: (s: AgentState) => <Tag color={stateColor[s]}>{t(`routing.state.${s}`)}</Tag> },
          { title: t('routing.skills'), dataIndex: 'skills', render: (skills: Record<string, number>) => Object.entries(skills).map(([s, l]) => <Tag key={s}>{`${s} ${l}`}</Tag>) },
          { title: t('routing.capacity'), dataIndex: 'capacity', render: (c: Agent['capacity']) => capacityChannels.filter((ch) => (c[ch] ?? 0) > 0).map((ch) => [ch, c[ch]] as const).map(([ch, n]) => `${t(`routing.channel.${ch}` as 'routing.channel.voice')} ${n}`).join(' · ') },
          ...(supervise
            ? [{ title: t('routing.changeState'), key: 'state', width: 200, render: (_: unknown, a: Agent) => (
                <Select size="small" style={{ width: 180 }} aria-label={`${t('routing.changeState')} ${a.name}`} placeholder={t('routing.changeState')} value={null} options={stateChoices} onChange={(choice: string) => setState.mutate({ agent: a, choice })} />
              ) }]
            : []),
          ...(manage
            ? [{ title: t('common.actions'), key: 'actions', width: 100, render: (_: unknown, a: Agent) => (
                <Button type="link" size="small" icon={<EditOutlined />} aria-label={`${t('common.edit')} ${a.name}`} onClick={() => setEditing(a)}>{t('common.edit')}</Button>
              ) }]
            : []),
        ]}
      />
      {editing && (
        <AgentProfileModal
          agent={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: ['routing', 'agents'] });
          }}
        />
      )}
    </Card>
  );
}

interface ProfileForm { skills: { skill: string; level: number }[]; capacity: Agent['capacity']; callBlocksChats: boolean }

function AgentProfileModal(props: { agent: Agent; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ProfileForm>();
  const skills = useQuery({ queryKey: ['routing', 'skills'], queryFn: () => routingApi.list('skills') });
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await routingApi.updateAgent(props.agent.userId, { skills: Object.fromEntries((v.skills ?? []).map((s) => [s.skill, s.level])), capacity: Object.fromEntries(Object.entries(v.capacity ?? {}).filter(([, n]) => typeof n === 'number')), callBlocksChats: v.callBlocksChats });
      void message.success(t('common.saved'));
      props.onSaved();
    } catch (error) {
      void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  const required = [{ required: true, message: t('common.required') }];
  return (
    <Modal open width={640} title={t('routing.agentProfile', { name: props.agent.name })} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => void submit().catch(() => undefined)} onCancel={props.onClose} destroyOnHidden>
      <Form
        form={form}
        name="agentProfile"
        layout="vertical"
        initialValues={{ skills: Object.entries(props.agent.skills).map(([skill, level]) => ({ skill, level })), capacity: props.agent.capacity, callBlocksChats: props.agent.callBlocksChats }}
      >
        <Form.Item label={t('routing.skills')}>
          <Form.List name="skills">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <Space key={field.key} align="baseline">
                    <Form.Item name={[field.name, 'skill']} rules={required}>
                      <Select style={{ width: 200 }} aria-label={t('routing.skill')} options={(skills.data ?? []).map((s) => ({ value: s.name, label: s.name }))} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'level']} rules={required}>
                      <InputNumber min={1} max={5} addonBefore={t('routing.skillLevel')} aria-label={t('routing.skillLevel')} />
                    </Form.Item>
                    <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} onClick={() => remove(field.name)} />
                  </Space>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ level: 3 })}>{t('routing.addSkill')}</Button>
              </>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item label={t('routing.capacity')}>
          <Space wrap>
            {capacityChannels.map((ch) => (
              <Form.Item key={ch} name={['capacity', ch]} noStyle>
                <InputNumber min={0} max={50} style={{ width: 150 }} addonBefore={t(`routing.channel.${ch}`)} aria-label={`${t('routing.capacity')} ${t(`routing.channel.${ch}`)}`} />
              </Form.Item>
            ))}
          </Space>
        </Form.Item>
        <Form.Item name="callBlocksChats" label={t('routing.callBlocksChats')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
