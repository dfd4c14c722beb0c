// Read-only views: a stored task, and a queue's live statistics (the `queue.stats` push).
import { sql } from 'drizzle-orm';
import type { QueueStatsEvent } from '@kefu/contracts';
import type { Database } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import type { TenantRouter } from './tenant-router.ts';

export async function readTask(database: Database, tenantId: string, taskId: string) {
  const [row] = await database.withTenant(tenantId, async (tx) =>
    (
      await tx.execute<{ id: string; queue_id: string; channel: string; status: string; assigned_agent_id: string | null; enqueued_at: Date; ended_at: Date | null; end_reason: string | null; callback_number: string | null }>(sql`
        SELECT id, queue_id, channel, status, assigned_agent_id, enqueued_at, ended_at, end_reason, callback_number FROM routing_tasks WHERE tenant_id = ${tenantId} AND id = ${taskId}`)
    ).rows,
  );
  if (!row) throw notFound('task');
  return {
    id: row.id,
    queueId: row.queue_id,
    channel: row.channel,
    status: row.status,
    assignedAgentId: row.assigned_agent_id,
    enqueuedAt: new Date(row.enqueued_at).toISOString(),
    endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
    endReason: row.end_reason,
    callbackNumber: row.callback_number,
  };
}

/** Service level today = answered within target ÷ (answered + abandoned). */
export function queueStatsOf(router: TenantRouter, queueId: string, now: number): QueueStatsEvent {
  const s = router.core.queueSnapshot(queueId, now);
  const c = s.counters;
  return {
    queueId,
    at: new Date(now).toISOString(),
    waiting: s.waiting,
    longestWaitSeconds: Math.round(s.longestWaitSeconds * 10) / 10,
    offeredToday: c.offered,
    answeredToday: c.answered,
    abandonedToday: c.abandoned,
    answeredWithinTargetToday: c.answeredWithinTarget,
    serviceLevelToday: c.answered + c.abandoned > 0 ? c.answeredWithinTarget / (c.answered + c.abandoned) : null,
    averageHandleSeconds: c.handled > 0 ? c.handleSecondsSum / c.handled : null,
    estimatedWaitSeconds: router.core.estimatedWait(queueId, s.waiting + 1),
    agentsByState: s.agentsByState,
  };
}
