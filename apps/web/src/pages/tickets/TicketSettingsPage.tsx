import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, TimePicker } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usersApi } from '../../api/endpoints.ts';
import { useSession } from '../../auth/session.tsx';
import { errorText, showFieldError } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useDivisions } from '../admin/admin-data.ts';
import { priorities, statuses, ticketConfigApi, ticketsApi, type Group, type SlaPolicy } from './tickets-api.ts';

/** Ticket configuration for supervisors and admins (tickets.manage): the API of docs/tickets.md, on one page. */
export default function TicketSettingsPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('tickets.settings.title')} subtitle={t('tickets.settings.subtitle')} />
      <Tabs
        items={[
          { key: 'groups', label: t('tickets.settings.groups'), children: <GroupsTab /> },
          { key: 'policies', label: t('tickets.settings.policies'), children: <PoliciesTab /> },
          { key: 'calendars', label: t('tickets.settings.calendars'), children: <CalendarsTab /> },
          { key: 'divisions', label: t('tickets.settings.divisions'), children: <DivisionsTab /> },
          { key: 'macros', label: t('tickets.settings.macros'), children: <MacrosTab /> },
        ]}
      />
    </>
  );
}

function useSaver<T>(fn: (v: T) => Promise<unknown>, onDone?: () => void) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      onDone?.();
    },
    onError: (e) => void message.error(errorText(e, t)),
  });
}

function GroupsTab() {
  const { t } = useTranslation();
  const { can } = useSession();
  const groups = useQuery({ queryKey: ['tickets', 'groups'], queryFn: ticketsApi.groups });
  const users = useQuery({ queryKey: ['tickets', 'users'], queryFn: () => usersApi.list({ limit: 200 }), enabled: can('users.read') });
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  const [form] = Form.useForm<{ kind: 'department' | 'team'; name: string; tier: number | null; memberIds: string[] }>();
  const save = useSaver((v: { kind: 'department' | 'team'; name: string; tier: number | null; memberIds: string[] }) =>
    ticketConfigApi.saveGroup(editing === 'new' || editing === null ? null : editing.id, v), () => setEditing(null));
  const remove = useSaver((id: string) => ticketConfigApi.removeGroup(id));
  return (
    <Card extra={<Button icon={<PlusOutlined />} onClick={() => { form.resetFields(); setEditing('new'); }}>{t('tickets.settings.newGroup')}</Button>}>
      <Table<Group>
        rowKey="id"
        size="small"
        pagination={false}
        loading={groups.isLoading}
        dataSource={groups.data ?? []}
        onRow={(g) => ({ onClick: () => { form.setFieldsValue({ kind: g.kind, name: g.name, tier: g.tier, memberIds: g.members.map((m) => m.id) }); setEditing(g); }, style: { cursor: 'pointer' } })}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (n: string) => <strong>{n}</strong> },
          { title: t('tickets.settings.kindLabel'), dataIndex: 'kind', render: (k: Group['kind']) => t(`tickets.settings.kind.${k}`) },
          { title: t('tickets.settings.tier'), dataIndex: 'tier', render: (x: number | null) => x ?? t('tickets.settings.noTier') },
          { title: t('tickets.settings.members'), key: 'members', render: (_, g) => g.members.map((m) => <Tag key={m.id}>{m.name}</Tag>) },
          {
            title: t('common.actions'), key: 'actions', width: 90,
            render: (_, g) => (
              <Popconfirm title={t('common.confirmDelete', { name: g.name })} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(g.id).catch(() => undefined)}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />} onClick={(e) => e.stopPropagation()} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]}
      />
      {editing && (
        <Modal open title={editing === 'new' ? t('tickets.settings.newGroup') : editing.name} onCancel={() => setEditing(null)} onOk={() => form.submit()} confirmLoading={save.isPending}>
          <Form form={form} layout="vertical" initialValues={{ kind: 'department', tier: null, memberIds: [] }} onFinish={(v) => save.mutate(v)}>
            <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true }]}><Input maxLength={100} /></Form.Item>
            <Form.Item name="kind" label={t('tickets.settings.kindLabel')}>
              <Select options={(['department', 'team'] as const).map((k) => ({ value: k, label: t(`tickets.settings.kind.${k}`) }))} />
            </Form.Item>
            <Form.Item name="tier" label={t('tickets.settings.tier')}>
              <Select allowClear options={[1, 2, 3].map((n) => ({ value: n, label: String(n) }))} />
            </Form.Item>
            <Form.Item name="memberIds" label={t('tickets.settings.members')}>
              <Select mode="multiple" optionFilterProp="label" options={(users.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.name} <${u.email}>` }))} />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </Card>
  );
}

type PolicyForm = Omit<SlaPolicy, 'id'>;

function PoliciesTab() {
  const { t } = useTranslation();
  const divisions = useDivisions();
  const policies = useQuery({ queryKey: ['tickets', 'policies'], queryFn: ticketConfigApi.policies });
  const calendars = useQuery({ queryKey: ['tickets', 'calendars'], queryFn: ticketConfigApi.calendars });
  const groups = useQuery({ queryKey: ['tickets', 'groups'], queryFn: ticketsApi.groups });
  const [editing, setEditing] = useState<SlaPolicy | 'new' | null>(null);
  const [form] = Form.useForm<PolicyForm>();
  const { message } = App.useApp();
  const save = useSaver((v: PolicyForm) => ticketConfigApi.savePolicy(editing === 'new' || editing === null ? null : editing.id, v), () => setEditing(null));
  const remove = useSaver((id: string) => ticketConfigApi.removePolicy(id));
  const divisionName = (id: string) => divisions.data?.find((d) => d.id === id)?.name ?? id;
  const calendarName = (id: string | null) => (id ? (calendars.data?.find((c) => c.id === id)?.name ?? id) : t('tickets.settings.allDay'));
  const minutes = (m: number | null) => (m === null ? '—' : `${m}`);
  return (
    <Card extra={<Button icon={<PlusOutlined />} onClick={() => { form.resetFields(); setEditing('new'); }}>{t('tickets.settings.newPolicy')}</Button>}>
      <Table<SlaPolicy>
        rowKey="id"
        size="small"
        pagination={false}
        loading={policies.isLoading}
        dataSource={policies.data ?? []}
        onRow={(p) => ({ onClick: () => { form.setFieldsValue(p); setEditing(p); }, style: { cursor: 'pointer' } })}
        columns={[
          { title: t('tickets.settings.division'), dataIndex: 'divisionId', render: divisionName },
          { title: t('tickets.fields.priority'), dataIndex: 'priority', render: (p: SlaPolicy['priority']) => t(`tickets.priority.${p}`) },
          { title: t('tickets.settings.calendar'), dataIndex: 'calendarId', render: calendarName },
          { title: t('tickets.settings.firstResponse'), dataIndex: 'firstResponseMinutes', render: minutes },
          { title: t('tickets.settings.nextResponse'), dataIndex: 'nextResponseMinutes', render: minutes },
          { title: t('tickets.settings.resolution'), dataIndex: 'resolutionMinutes', render: minutes },
          {
            title: t('common.actions'), key: 'actions', width: 90,
            render: (_, p) => (
              <Popconfirm title={t('common.confirmDelete', { name: `${divisionName(p.divisionId)} · ${t(`tickets.priority.${p.priority}`)}` })} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(p.id).catch(() => undefined)}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />} onClick={(e) => e.stopPropagation()} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]}
      />
      {editing && (
        <Modal open title={t('tickets.settings.policies')} onCancel={() => setEditing(null)} onOk={() => form.submit()} confirmLoading={save.isPending}>
          <Form<PolicyForm>
            form={form}
            layout="vertical"
            initialValues={{ priority: 'normal', calendarId: null, warnBeforeMinutes: 30, escalateGroupId: null, escalateRaisePriority: false }}
            onFinish={(v) => save.mutate(v, { onError: (e) => void (showFieldError(form, e, ['divisionId', 'priority', 'calendarId']) || message.error(errorText(e, t))) })}
          >
            <Form.Item name="divisionId" label={t('tickets.settings.division')} rules={[{ required: true }]}>
              <Select options={(divisions.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
            </Form.Item>
            <Form.Item name="priority" label={t('tickets.fields.priority')}>
              <Select options={priorities.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
            </Form.Item>
            <Form.Item name="calendarId" label={t('tickets.settings.calendar')}>
              <Select options={[{ value: null, label: t('tickets.settings.allDay') }, ...(calendars.data ?? []).map((c) => ({ value: c.id, label: c.name }))]} />
            </Form.Item>
            <Space wrap>
              <Form.Item name="firstResponseMinutes" label={t('tickets.settings.firstResponse')}><InputNumber min={1} /></Form.Item>
              <Form.Item name="nextResponseMinutes" label={t('tickets.settings.nextResponse')}><InputNumber min={1} /></Form.Item>
              <Form.Item name="resolutionMinutes" label={t('tickets.settings.resolution')}><InputNumber min={1} /></Form.Item>
              <Form.Item name="warnBeforeMinutes" label={t('tickets.settings.warnBefore')}><InputNumber min={0} /></Form.Item>
            </Space>
            <Form.Item name="escalateGroupId" label={t('tickets.settings.escalateGroup')}>
              <Select allowClear options={(groups.data ?? []).map((g) => ({ value: g.id, label: g.name }))} />
            </Form.Item>
            <Form.Item name="escalateRaisePriority" label={t('tickets.settings.raisePriority')} valuePropName="checked"><Switch /></Form.Item>
          </Form>
        </Modal>
      )}
    </Card>
  );
}

interface CalendarForm {
  name: string;
  timeZone: string;
  from: Dayjs;
  to: Dayjs;
  holidays?: string;
  workdays?: string;
}

const dates = (text: string | undefined): string[] => (text ?? '').split(/[,，\s]+/).map((d) => d.trim()).filter(Boolean);
const minuteOf = (d: Dayjs): number => d.hour() * 60 + d.minute();

function CalendarsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const calendars = useQuery({ queryKey: ['tickets', 'calendars'], queryFn: ticketConfigApi.calendars });
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<CalendarForm>();
  const save = useSaver((v: CalendarForm) => {
    const day: Array<[number, number]> = [[minuteOf(v.from), minuteOf(v.to)]];
    return ticketConfigApi.saveCalendar({ name: v.name, timeZone: v.timeZone, hours: [[], day, day, day, day, day, []], holidays: dates(v.holidays), workdays: dates(v.workdays) });
  }, () => setCreating(false));
  const remove = useSaver((id: string) => ticketConfigApi.removeCalendar(id));
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return (
    <Card extra={<Button icon={<PlusOutlined />} onClick={() => { form.resetFields(); setCreating(true); }}>{t('tickets.settings.newCalendar')}</Button>}>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        loading={calendars.isLoading}
        dataSource={calendars.data ?? []}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (n: string) => <strong>{n}</strong> },
          { title: t('tickets.settings.timeZone'), dataIndex: 'timeZone' },
          { title: t('tickets.settings.weekdays'), key: 'hours', render: (_, c) => (c.hours[1] ?? []).map(([s, e]) => `${hhmm(s)}–${hhmm(e)}`).join(', ') || '—' },
          { title: t('tickets.settings.holidays'), dataIndex: 'holidays', render: (d: string[]) => d.length },
          {
            title: t('common.actions'), key: 'actions', width: 90,
            render: (_, c) => (
              <Popconfirm title={t('common.confirmDelete', { name: c.name })} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(c.id).catch(() => undefined)}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]}
      />
      {creating && (
        <Modal open title={t('tickets.settings.newCalendar')} onCancel={() => setCreating(false)} onOk={() => form.submit()} confirmLoading={save.isPending}>
          <Form<CalendarForm>
            form={form}
            layout="vertical"
            initialValues={{ timeZone: 'Asia/Shanghai', from: dayjs('2000-01-01T09:00'), to: dayjs('2000-01-01T18:00') }}
            onFinish={(v) => save.mutate(v, { onError: (e) => void (showFieldError(form, e, ['name', 'timeZone', 'holidays', 'workdays']) || message.error(errorText(e, t))) })}
          >
            <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true }]}><Input maxLength={100} /></Form.Item>
            <Form.Item name="timeZone" label={t('tickets.settings.timeZone')}><Input /></Form.Item>
            <Space>
              <Form.Item name="from" label={t('tickets.settings.from')}><TimePicker format="HH:mm" minuteStep={15} /></Form.Item>
              <Form.Item name="to" label={t('tickets.settings.to')}><TimePicker format="HH:mm" minuteStep={15} /></Form.Item>
            </Space>
            <Form.Item name="holidays" label={t('tickets.settings.holidays')}><Input.TextArea rows={2} /></Form.Item>
            <Form.Item name="workdays" label={t('tickets.settings.workdays')}><Input /></Form.Item>
          </Form>
        </Modal>
      )}
    </Card>
  );
}

function DivisionsTab() {
  const { t } = useTranslation();
  const divisions = useDivisions();
  return (
    <Card>
      <Space direction="vertical" style={{ width: '100%' }}>
        {(divisions.data ?? []).map((d) => <DivisionRow key={d.id} id={d.id} name={d.name} />)}
      </Space>
      {divisions.isError && errorText(divisions.error, t)}
    </Card>
  );
}

function DivisionRow(props: { id: string; name: string }) {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['tickets', 'settings', props.id], queryFn: () => ticketConfigApi.settings(props.id) });
  const save = useSaver((body: { ownershipModel?: 'first_contact' | 'tiered'; repeatWindowDays?: number }) => ticketConfigApi.saveSettings(props.id, body));
  if (!settings.data) return null;
  return (
    <Space wrap>
      <strong style={{ display: 'inline-block', minWidth: 160 }}>{props.name}</strong>
      <Select aria-label={`${props.name} ${t('tickets.settings.ownership')}`} style={{ width: 200 }} value={settings.data.ownershipModel} onChange={(ownershipModel) => save.mutate({ ownershipModel })}
        options={(['first_contact', 'tiered'] as const).map((m) => ({ value: m, label: t(`tickets.settings.ownershipModel.${m}`) }))} />
      <span>{t('tickets.settings.repeatWindow')}</span>
      <InputNumber min={1} max={365} value={settings.data.repeatWindowDays} onChange={(v) => v && save.mutate({ repeatWindowDays: v })} />
    </Space>
  );
}

interface MacroForm {
  name: string;
  status?: (typeof statuses)[number];
  reply?: string;
  visibility: 'public' | 'internal';
}

function MacrosTab() {
  const { t } = useTranslation();
  const macros = useQuery({ queryKey: ['tickets', 'macros-full'], queryFn: ticketConfigApi.macros });
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<MacroForm>();
  const save = useSaver((v: MacroForm) =>
    ticketConfigApi.saveMacro({
      name: v.name,
      divisionId: null,
      actions: { ...(v.status ? { set: { status: v.status } } : {}), ...(v.reply?.trim() ? { reply: { body: v.reply, visibility: v.visibility } } : {}) },
    }), () => setCreating(false));
  const remove = useSaver((id: string) => ticketConfigApi.removeMacro(id));
  return (
    <Card extra={<Button icon={<PlusOutlined />} onClick={() => { form.resetFields(); setCreating(true); }}>{t('tickets.settings.newMacro')}</Button>}>
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        loading={macros.isLoading}
        dataSource={macros.data ?? []}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (n: string) => <strong>{n}</strong> },
          { title: t('tickets.settings.setStatus'), key: 'status', render: (_, m) => (m.actions.set?.status ? t(`tickets.status.${m.actions.set.status}`) : '—') },
          { title: t('tickets.settings.reply'), key: 'reply', render: (_, m) => m.actions.reply?.body ?? '—' },
          {
            title: t('common.actions'), key: 'actions', width: 90,
            render: (_, m) => (
              <Popconfirm title={t('common.confirmDelete', { name: m.name })} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(m.id).catch(() => undefined)}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>
            ),
          },
        ]}
      />
      {creating && (
        <Modal open title={t('tickets.settings.newMacro')} onCancel={() => setCreating(false)} onOk={() => form.submit()} confirmLoading={save.isPending}>
          <Form<MacroForm> form={form} layout="vertical" initialValues={{ visibility: 'public' }} onFinish={(v) => save.mutate(v)}>
            <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true }]}><Input maxLength={100} /></Form.Item>
            <Form.Item name="status" label={t('tickets.settings.setStatus')}>
              <Select allowClear options={statuses.map((s) => ({ value: s, label: t(`tickets.status.${s}`) }))} />
            </Form.Item>
            <Form.Item name="reply" label={t('tickets.settings.reply')}><Input.TextArea rows={3} /></Form.Item>
            <Form.Item name="visibility" label={t('tickets.settings.replyVisibility')}>
              <Select options={[{ value: 'public', label: t('tickets.detail.public') }, { value: 'internal', label: t('tickets.detail.internal') }]} />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </Card>
  );
}
