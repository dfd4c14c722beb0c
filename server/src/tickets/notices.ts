// Notices to the people concerned (assigned a ticket or a sub-task, a sub-task done, an SLA warning or breach):
// the event goes to the outbox (webhooks, other modules) and, in the same transaction, one job that pushes it to
// the users' realtime sockets. A job runs once in a cluster, where a bus subscription would run on every node and
// push the notice once per node.
import type { EventPayload } from '@kefu/contracts';
import type { Tx } from '../platform/db/database.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { enqueueJob, type Job } from '../platform/jobs/job-runner.ts';

export const NOTICE_JOB = 'tickets.notice';

export const noticeTypes = ['ticket.assigned', 'ticket_task.assigned', 'ticket_task.completed', 'ticket.sla_warning', 'ticket.sla_breached'] as const;
export type NoticeType = (typeof noticeTypes)[number];

export async function notice<T extends NoticeType>(tx: Tx, tenantId: string, type: T, data: EventPayload<T>): Promise<void> {
  const eventId = await appendEvent(tx, tenantId, type, data);
  if (data.userIds.length === 0) return;
  await enqueueJob(tx, { type: NOTICE_JOB, tenantId, payload: { type, data }, idempotencyKey: `${NOTICE_JOB}:${eventId}`, maxAttempts: 3 });
}

/** The job: a notice is pushed to each user's open sockets (on whichever node holds them). */
export function noticeHandler(send: (tenantId: string, userId: string, name: string, data: unknown) => void) {
  return async (job: Job<{ type: NoticeType; data: { userIds: string[] } }>): Promise<void> => {
    if (!job.tenantId) return;
    for (const userId of job.payload.data.userIds) send(job.tenantId, userId, job.payload.type, job.payload.data);
  };
}
