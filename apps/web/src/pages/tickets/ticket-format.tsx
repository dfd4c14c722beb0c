// Small shared renderings of ticket fields: status and priority tags, SLA state.
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../components/format.ts';
import type { Priority, SlaTarget, Status } from './tickets-api.ts';

const statusColor: Record<Status, string> = { new: 'gold', open: 'blue', pending: 'purple', on_hold: 'default', solved: 'green', closed: 'default' };
const priorityColor: Record<Priority, string> = { low: 'default', normal: 'blue', high: 'orange', urgent: 'red' };

export function StatusTag({ status }: { status: Status }) {
  const { t } = useTranslation();
  return <Tag color={statusColor[status]}>{t(`tickets.status.${status}`)}</Tag>;
}

export function PriorityTag({ priority }: { priority: Priority }) {
  const { t } = useTranslation();
  return <Tag color={priorityColor[priority]}>{t(`tickets.priority.${priority}`)}</Tag>;
}

/** The most pressing SLA target: a breach, else the running target due first, else nothing. */
export function SlaBadge({ sla }: { sla: SlaTarget[] }) {
  const { t } = useTranslation();
  const breached = sla.find((s) => s.state === 'breached');
  const next = sla.filter((s) => s.state === 'running' && s.dueAt).sort((a, b) => a.dueAt!.localeCompare(b.dueAt!))[0];
  const paused = sla.find((s) => s.state === 'paused');
  const shown = breached ?? next ?? paused;
  if (!shown) return <span>—</span>;
  const color = shown.state === 'breached' ? 'red' : shown.state === 'paused' ? 'default' : 'cyan';
  return (
    <Tooltip title={shown.dueAt ? t('tickets.sla.due', { at: formatDateTime(shown.dueAt) }) : undefined}>
      <Tag color={color}>
        {t(`tickets.sla.${shown.metric}`)} · {t(`tickets.sla.${shown.state}`)}
      </Tag>
    </Tooltip>
  );
}
