import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Input, Segmented, Select, Space, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { NewTicketModal } from './NewTicketModal.tsx';
import { PriorityTag, SlaBadge, StatusTag } from './ticket-format.tsx';
import { TicketDrawer } from './TicketDrawer.tsx';
import { priorities, statuses, ticketsApi, views, type Ticket, type TicketPatch, type View } from './tickets-api.ts';
import { useTicketNotices } from './use-ticket-notices.ts';

/**
 * Tickets: views (mine, my team, unassigned, breaching soon), filters, bulk changes, and a ticket's detail in a
 * drawer. `?interaction=<id>` opens a new ticket from that interaction (the agent desktop links here);
 * `?ticket=<id>` opens a ticket.
 */
export default function TicketsPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const agent = can('tickets.all');
  const [view, setView] = useState<View>(agent ? 'mine' : 'all');
  const [status, setStatus] = useState<string | undefined>();
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [creating, setCreating] = useState(params.has('interaction'));
  useTicketNotices();
  const open = params.get('ticket');
  const setOpen = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('ticket', id);
    else next.delete('ticket');
    next.delete('interaction');
    setParams(next, { replace: true });
  };
  const list = useQuery({ queryKey: ['tickets', 'list', view, status, q], queryFn: () => ticketsApi.list({ view, status, q: q || undefined, limit: 200 }) });
  const bulk = useMutation({
    mutationFn: (set: TicketPatch) => ticketsApi.bulk(selected, set),
    onSuccess: (r) => {
      void message.info(t('tickets.bulk.done', { updated: r.updated, failed: r.failed }));
      setSelected([]);
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
    },
    onError: (e) => void message.error(errorText(e, t)),
  });

  const columns: ColumnsType<Ticket> = [
    { title: t('tickets.fields.number'), dataIndex: 'number', width: 80, render: (n: number) => `#${n}` },
    { title: t('tickets.fields.subject'), dataIndex: 'subject', render: (s: string) => <strong>{s}</strong> },
    { title: t('tickets.fields.status'), dataIndex: 'status', width: 110, render: (s: Ticket['status']) => <StatusTag status={s} /> },
    { title: t('tickets.fields.priority'), dataIndex: 'priority', width: 90, render: (p: Ticket['priority']) => <PriorityTag priority={p} /> },
    { title: t('tickets.fields.requester'), dataIndex: 'requesterName', render: (n: string | null) => n ?? '—' },
    { title: t('tickets.fields.assignee'), key: 'assignee', render: (_, tk) => tk.assigneeUserName ?? tk.assigneeGroupName ?? '—' },
    { title: t('tickets.fields.sla'), key: 'sla', render: (_, tk) => <SlaBadge sla={tk.sla} /> },
    { title: t('tickets.fields.updatedAt'), dataIndex: 'updatedAt', width: 170, render: (at: string) => formatDateTime(at) },
  ];

  return (
    <>
      <PageHeader
        title={t('tickets.title')}
        subtitle={t('tickets.subtitle')}
        extra={agent && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('tickets.create.button')}</Button>}
      />
      <Space wrap style={{ marginBottom: 16 }}>
        {agent && <Segmented<View> value={view} onChange={setView} options={views.map((v) => ({ value: v, label: t(`tickets.views.${v}`) }))} />}
        <Select aria-label={t('tickets.fields.status')} allowClear placeholder={t('tickets.fields.status')} style={{ width: 140 }} value={status} onChange={setStatus}
          options={statuses.map((s) => ({ value: s, label: t(`tickets.status.${s}`) }))} />
        <Input.Search aria-label={t('tickets.search')} placeholder={t('tickets.search')} allowClear onSearch={setQ} style={{ width: 300 }} />
      </Space>
      {agent && selected.length > 0 && (
        <Space wrap style={{ marginBottom: 12 }}>
          <span>{t('tickets.bulk.selected', { count: selected.length })}</span>
          <Select aria-label={t('tickets.bulk.setStatus')} placeholder={t('tickets.bulk.setStatus')} style={{ width: 160 }} value={null}
            options={statuses.map((s) => ({ value: s, label: t(`tickets.status.${s}`) }))} onChange={(s: Ticket['status'] | null) => s && bulk.mutate({ status: s })} />
          <Select aria-label={t('tickets.bulk.setPriority')} placeholder={t('tickets.bulk.setPriority')} style={{ width: 160 }} value={null}
            options={priorities.map((p) => ({ value: p, label: t(`tickets.priority.${p}`) }))} onChange={(p: Ticket['priority'] | null) => p && bulk.mutate({ priority: p })} />
          <Button onClick={() => bulk.mutate({ assigneeUserId: me?.user.id ?? null })}>{t('tickets.bulk.assignMe')}</Button>
        </Space>
      )}
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Ticket>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={list.data?.items ?? []}
          loading={list.isLoading}
          scroll={{ x: 900 }}
          rowSelection={agent ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) } : undefined}
          onRow={(tk) => ({ onClick: () => setOpen(tk.id), style: { cursor: 'pointer' } })}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: list.isError ? errorText(list.error, t) : t('tickets.empty') }}
        />
      </Card>
      {open && <TicketDrawer ticketId={open} onClose={() => setOpen(null)} />}
      {creating && (
        <NewTicketModal
          interactionId={params.get('interaction') ?? undefined}
          onClose={() => {
            setCreating(false);
            setOpen(null);
          }}
          onCreated={(ticket) => {
            setCreating(false);
            void queryClient.invalidateQueries({ queryKey: ['tickets'] });
            setOpen(ticket.id);
          }}
        />
      )}
    </>
  );
}
