import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Drawer, Empty, Input, List, Radio, Select, Space, Spin, Tabs, Tag, Timeline, Typography } from 'antd';
import type { ParseKeys } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PriorityTag, StatusTag } from './ticket-format.tsx';
import { priorities, statuses, ticketsApi, type Activity, type Ticket, type TicketPatch } from './tickets-api.ts';

/**
 * One ticket: fields (agents change them), replies and internal notes, sub-tasks for any department, and the
 * activity log. Staff (without tickets.all) see the same ticket read-only and add internal notes only.
 */
export function TicketDrawer(props: { ticketId: string; onClose(): void }) {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const agent = can('tickets.all');
  const id = props.ticketId;
  const ticket = useQuery({ queryKey: ['tickets', 'one', id], queryFn: () => ticketsApi.get(id) });
  const comments = useQuery({ queryKey: ['tickets', 'comments', id], queryFn: () => ticketsApi.comments(id) });
  const tasks = useQuery({ queryKey: ['tickets', 'tasks', id], queryFn: () => ticketsApi.tasks(id) });
  const activity = useQuery({ queryKey: ['tickets', 'activity', id], queryFn: () => ticketsApi.activity(id) });
  const groups = useQuery({ queryKey: ['tickets', 'groups'], queryFn: ticketsApi.groups, enabled: agent });
  const macros = useQuery({ queryKey: ['tickets', 'macros'], queryFn: ticketsApi.macros, enabled: agent });
  const [reply, setReply] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'internal'>(agent ? 'public' : 'internal');
  const [taskTitle, setTaskTitle] = useState('');
  const [taskFor, setTaskFor] = useState<string | undefined>();

  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['tickets'] });
  const onError = (e: unknown) => void message.error(errorText(e, t));
  const update = useMutation({ mutationFn: (patch: TicketPatch) => ticketsApi.update(id, patch), onSuccess: refresh, onError });
  const send = useMutation({
    mutationFn: () => ticketsApi.comment(id, reply, visibility),
    onSuccess: () => {
      setReply('');
      refresh();
    },
    onError,
  });
  const addTask = useMutation({
    mutationFn: () => {
      const [kind, target] = (taskFor ?? ':').split(':') as [string, string];
      return ticketsApi.addTask(id, { title: taskTitle, ...(kind === 'user' ? { assigneeUserId: target } : { assigneeGroupId: target }) });
    },
    onSuccess: () => {
      setTaskTitle('');
      setTaskFor(undefined);
      refresh();
    },
    onError,
  });
  const escalate = useMutation({ mutationFn: () => ticketsApi.escalate(id), onSuccess: refresh, onError });
  const macro = useMutation({ mutationFn: (macroId: string) => ticketsApi.applyMacro(id, macroId), onSuccess: refresh, onError });
  const [mergeQ, setMergeQ] = useState('');
  const mergeCandidates = useQuery({ queryKey: ['tickets', 'merge-candidates', mergeQ], queryFn: () => ticketsApi.list({ q: mergeQ, limit: 10 }), enabled: agent && mergeQ.length > 0 });
  const merge = useMutation({ mutationFn: (otherId: string) => ticketsApi.merge(id, otherId), onSuccess: refresh, onError });

  const tk: Ticket | undefined = ticket.data;
  // Sub-tasks go to a person (listed under their department) or to a whole department.
  const assigneeOptions = (groups.data ?? []).map((g) => ({
    label: g.name,
    options: [{ value: `group:${g.id}`, label: `${g.name}（${t('tickets.fields.group')}）` }, ...g.members.map((m) => ({ value: `user:${m.id}`, label: `${m.name} · ${g.name}` }))],
  }));

  return (
    <Drawer open width={720} title={tk ? t('tickets.detail.title', { number: tk.number }) : ''} onClose={props.onClose}>
      {!tk ? (
        <Spin />
      ) : (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {tk.subject}
          </Typography.Title>
          {tk.description && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{tk.description}</Typography.Paragraph>}
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('tickets.fields.status')}>
              {agent ? (
                <Select aria-label={t('tickets.fields.status')} size="small" style={{ width: 130 }} value={tk.status} onChange={(status) => update.mutate({ status })}
                  options={statuses.map((s) => ({ value: s, label: t(`tickets.status.${s}`) }))} />
              ) : (
                <StatusTag status={tk.status} />
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.priority')}>
              {agent ? (
                <Select aria-label={t('tickets.fields.priority')} size="small" style={{ width: 110 }} value={tk.priority} onChange={(priority) => update.mutate({ priority })}
                  options={priorities.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} />
              ) : (
                <PriorityTag priority={tk.priority} />
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.requester')}>{tk.requesterName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.type')}>{t(`tickets.type.${tk.type}`)}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.assignee')}>
              {tk.assigneeUserName ?? t('tickets.detail.unassigned')}
              {agent && tk.assigneeUserId !== me?.user.id && (
                <Button size="small" type="link" onClick={() => update.mutate({ assigneeUserId: me?.user.id ?? null })}>
                  {t('tickets.detail.assignToMe')}
                </Button>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.group')}>{tk.assigneeGroupName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.owner')}>{tk.ownerName ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.tier')}>{tk.tier}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.fields.sla')} span={2}>
              <Space wrap>
                {tk.sla.length === 0 ? '—' : tk.sla.map((s) => (
                  <Tag key={s.metric} color={s.state === 'breached' ? 'red' : s.state === 'met' ? 'green' : s.state === 'paused' ? 'default' : 'cyan'}>
                    {t(`tickets.sla.${s.metric}`)} · {t(`tickets.sla.${s.state}`)}
                    {s.state === 'running' && s.dueAt ? ` · ${t('tickets.sla.due', { at: formatDateTime(s.dueAt) })}` : ''}
                  </Tag>
                ))}
              </Space>
            </Descriptions.Item>
            {tk.resolvedFirstContact !== null && (
              <Descriptions.Item label={t('tickets.detail.fcr')} span={2}>
                {tk.resolvedFirstContact ? t('tickets.detail.fcrYes') : t('tickets.detail.fcrNo')}
              </Descriptions.Item>
            )}
            {tk.tags.length > 0 && (
              <Descriptions.Item label={t('tickets.fields.tags')} span={2}>
                {tk.tags.map((tag) => <Tag key={tag}>{tag}</Tag>)}
              </Descriptions.Item>
            )}
          </Descriptions>
          {tk.mergedInto && <Typography.Text type="warning">{t('tickets.detail.merged')}</Typography.Text>}
          {agent && !tk.mergedInto && (
            <Space wrap>
              {tk.status !== 'solved' && tk.status !== 'closed' && (
                <Button type="primary" onClick={() => update.mutate({ status: 'solved' })} loading={update.isPending}>
                  {t('tickets.detail.solve')}
                </Button>
              )}
              <Select aria-label={t('tickets.detail.macro')} placeholder={t('tickets.detail.macro')} style={{ width: 240 }} value={null}
                options={(macros.data ?? []).map((m) => ({ value: m.id, label: m.name }))} onChange={(v: string | null) => v && macro.mutate(v)} />
              <Button onClick={() => escalate.mutate()} loading={escalate.isPending}>
                {t('tickets.detail.escalate')}
              </Button>
              <Select aria-label={t('tickets.detail.mergeFrom')} placeholder={t('tickets.detail.mergeFrom')} style={{ width: 320 }} value={null} showSearch filterOption={false}
                onSearch={setMergeQ} loading={merge.isPending}
                options={(mergeCandidates.data?.items ?? []).filter((c) => c.id !== id).map((c) => ({ value: c.id, label: `#${c.number} ${c.subject}` }))}
                onChange={(otherId: string | null) => {
                  const other = mergeCandidates.data?.items.find((c) => c.id === otherId);
                  if (other) modal.confirm({ title: t('tickets.detail.mergeConfirm', { other: other.number, into: tk.number }), onOk: () => merge.mutateAsync(other.id) });
                }} />
            </Space>
          )}
          <Tabs
            items={[
              {
                key: 'comments',
                label: t('tickets.detail.comments'),
                children: (
                  <Space direction="vertical" style={{ width: '100%' }}>
                    <List
                      locale={{ emptyText: t('tickets.detail.noComments') }}
                      dataSource={comments.data ?? []}
                      renderItem={(c) => (
                        <List.Item style={c.visibility === 'internal' ? { background: '#fffbe6', paddingInline: 8 } : { paddingInline: 8 }}>
                          <List.Item.Meta
                            title={
                              <Space>
                                <strong>{c.authorKind === 'system' ? t('tickets.detail.system') : c.authorKind === 'customer' ? t('tickets.detail.customer') : c.authorName}</strong>
                                <Tag>{c.visibility === 'internal' ? t('tickets.detail.internal') : t('tickets.detail.public')}</Tag>
                                <Typography.Text type="secondary">{formatDateTime(c.createdAt)}</Typography.Text>
                              </Space>
                            }
                            description={<span style={{ whiteSpace: 'pre-wrap', color: 'inherit' }}>{c.body}</span>}
                          />
                        </List.Item>
                      )}
                    />
                    {!tk.mergedInto && (
                      <>
                        <Input.TextArea aria-label={t('tickets.detail.replyPlaceholder')} placeholder={t('tickets.detail.replyPlaceholder')} rows={3} value={reply} onChange={(e) => setReply(e.target.value)} />
                        <Space>
                          {agent && (
                            <Radio.Group value={visibility} onChange={(e) => setVisibility(e.target.value as 'public' | 'internal')}>
                              <Radio value="public">{t('tickets.detail.public')}</Radio>
                              <Radio value="internal">{t('tickets.detail.internal')}</Radio>
                            </Radio.Group>
                          )}
                          <Button type="primary" disabled={!reply.trim()} loading={send.isPending} onClick={() => send.mutate()}>
                            {t('tickets.detail.send')}
                          </Button>
                        </Space>
                      </>
                    )}
                  </Space>
                ),
              },
              {
                key: 'tasks',
                label: t('tickets.detail.tasks'),
                children: (
                  <Space direction="vertical" style={{ width: '100%' }}>
                    <List
                      locale={{ emptyText: t('tickets.detail.noTasks') }}
                      dataSource={tasks.data ?? []}
                      renderItem={(task) => (
                        <List.Item>
                          <List.Item.Meta
                            title={
                              <Space>
                                <span>{task.title}</span>
                                <Tag color={task.status === 'done' ? 'green' : task.status === 'open' ? 'blue' : 'default'}>{t(`tickets.task.status.${task.status}`)}</Tag>
                              </Space>
                            }
                            description={
                              <>
                                <div>{[task.assigneeUserName, task.assigneeGroupName].filter(Boolean).join(' · ')}</div>
                                {task.result && <div style={{ whiteSpace: 'pre-wrap' }}>{task.result}</div>}
                              </>
                            }
                          />
                        </List.Item>
                      )}
                    />
                    {agent && !tk.mergedInto && tk.status !== 'closed' && (
                      <Space.Compact style={{ width: '100%' }}>
                        <Input aria-label={t('tickets.detail.taskTitle')} placeholder={t('tickets.detail.taskTitle')} value={taskTitle} onChange={(e) => setTaskTitle(e.target.value)} />
                        <Select aria-label={t('tickets.detail.taskAssignee')} placeholder={t('tickets.detail.taskAssignee')} style={{ width: 280 }} value={taskFor} onChange={setTaskFor} options={assigneeOptions} showSearch optionFilterProp="label" />
                        <Button type="primary" disabled={!taskTitle.trim() || !taskFor} loading={addTask.isPending} onClick={() => addTask.mutate()}>
                          {t('tickets.detail.addTask')}
                        </Button>
                      </Space.Compact>
                    )}
                  </Space>
                ),
              },
              {
                key: 'activity',
                label: t('tickets.detail.activity'),
                children: (activity.data ?? []).length === 0 ? <Empty /> : (
                  <Timeline items={(activity.data ?? []).map((a) => ({ children: <ActivityLine entry={a} /> }))} />
                ),
              },
            ]}
          />
        </Space>
      )}
    </Drawer>
  );
}

function ActivityLine({ entry }: { entry: Activity }) {
  const { t } = useTranslation();
  const key = `tickets.actions.${entry.action.replace('.', '_')}`;
  const fields = entry.action === 'updated' ? Object.keys(entry.details).map((f) => fieldLabel(f, t)).join('、') : '';
  const detail = entry.action === 'task.created' || entry.action === 'task.updated' ? ` · ${String(entry.details.title ?? '')}` : '';
  return (
    <span>
      <Typography.Text type="secondary">{formatDateTime(entry.at)}</Typography.Text> {entry.actorName ?? t('tickets.detail.system')} {t(key as ParseKeys, { fields })}
      {detail}
    </span>
  );
}

const fieldKeys: Record<string, string> = { status: 'status', priority: 'priority', type: 'type', subject: 'subject', description: 'description', assigneeUserId: 'assignee', assigneeGroupId: 'group', requesterId: 'requester', tags: 'tags', ownerId: 'owner' };
function fieldLabel(field: string, t: (k: ParseKeys) => string): string {
  const k = fieldKeys[field];
  return k ? t(`tickets.fields.${k}` as ParseKeys) : field;
}
