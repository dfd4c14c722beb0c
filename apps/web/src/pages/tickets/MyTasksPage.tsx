import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Input, List, Modal, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { TicketDrawer } from './TicketDrawer.tsx';
import { ticketsApi, type Task } from './tickets-api.ts';
import { useTicketNotices } from './use-ticket-notices.ts';

/** The simple view for staff of any department: my open sub-tasks, complete one with its result. */
export default function MyTasksPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [completing, setCompleting] = useState<Task | null>(null);
  const [result, setResult] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  useTicketNotices();
  const tasks = useQuery({ queryKey: ['tickets', 'my-tasks'], queryFn: ticketsApi.myTasks });
  const complete = useMutation({
    mutationFn: () => ticketsApi.updateTask(completing!.id, { status: 'done', result }),
    onSuccess: () => {
      void message.success(t('tickets.task.completed'));
      setCompleting(null);
      setResult('');
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
    },
    onError: (e) => void message.error(errorText(e, t)),
  });

  return (
    <>
      <PageHeader title={t('tickets.myTasksTitle')} subtitle={t('tickets.myTasksSubtitle')} />
      <Card>
        <List
          loading={tasks.isLoading}
          locale={{ emptyText: tasks.isError ? errorText(tasks.error, t) : t('tickets.task.empty') }}
          dataSource={tasks.data ?? []}
          renderItem={(task) => (
            <List.Item
              actions={[
                <Button key="open" onClick={() => setOpen(task.ticketId)}>{t('tickets.task.openTicket')}</Button>,
                <Button key="done" type="primary" onClick={() => setCompleting(task)}>{t('tickets.task.complete')}</Button>,
              ]}
            >
              <List.Item.Meta
                title={
                  <Space>
                    <strong>{task.title}</strong>
                    <Tag>#{task.ticketNumber} {task.ticketSubject}</Tag>
                    {task.assigneeGroupName && !task.assigneeUserId && <Tag color="purple">{task.assigneeGroupName}</Tag>}
                  </Space>
                }
                description={
                  <Space direction="vertical" size={0}>
                    {task.description && <span>{task.description}</span>}
                    <Typography.Text type="secondary">
                      {task.createdByName ? t('tickets.task.from', { name: task.createdByName }) : ''} · {formatDateTime(task.createdAt)}
                    </Typography.Text>
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      </Card>
      {completing && (
        <Modal open title={t('tickets.task.completeTitle', { title: completing.title })} okText={t('tickets.task.complete')} okButtonProps={{ disabled: !result.trim() }}
          confirmLoading={complete.isPending} onOk={() => complete.mutate()} onCancel={() => setCompleting(null)}>
          <Input.TextArea aria-label={t('tickets.task.result')} placeholder={t('tickets.task.resultPlaceholder')} rows={4} value={result} onChange={(e) => setResult(e.target.value)} />
        </Modal>
      )}
      {open && <TicketDrawer ticketId={open} onClose={() => setOpen(null)} />}
    </>
  );
}
