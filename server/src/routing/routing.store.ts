// The routing tables in SQL: loading a tenant's configuration and open tasks, and the conditional updates
// that move a task between states. Every status change checks (id, version) and must change exactly one row.
import { sql } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import type { AgentStateName, SkillRequirement, TaskChannel } from './routing.types.ts';
import type { CoreQueue, OverflowRule, PriorityRule } from './router.core.ts';
import type { StrategyName } from './strategies/index.ts';

export type QueueRow = {
  id: string;
  tenant_id: string;
  division_id: string;
  name: string;
  channels: string[];
  strategy: string;
  service_level_seconds: number;
  service_level_target: number;
  max_wait_seconds: number | null;
  overflow: OverflowRule[];
  priority_rules: PriorityRule[];
  aging_per_minute: number;
  acw_seconds: number;
  offer_timeout_seconds: number;
  announcements: Record<string, unknown>;
  callbacks_offered: boolean;
  created_at: Date;
};

export type TaskRow = {
  id: string;
  queue_id: string;
  channel: TaskChannel;
  status: 'queued' | 'offered' | 'assigned' | 'completed' | 'abandoned' | 'cancelled' | 'expired';
  priority: number;
  attributes: Record<string, unknown>;
  required_skills: SkillRequirement[];
  previous_agent_id: string | null;
  contact_id: string | null;
  external_ref: string | null;
  callback_number: string | null;
  enqueued_at: Date;
  assigned_agent_id: string | null;
  assigned_at: Date | null;
  version: number;
};

export type AgentRow = {
  user_id: string;
  state: AgentStateName;
  away_reason_id: string | null;
  state_since: Date;
  acw_ends_at: Date | null;
  capacity: Partial<Record<TaskChannel, number>>;
  call_blocks_chats: boolean;
  skills: Record<string, number>;
};

export const toCoreQueue = (q: QueueRow): CoreQueue => ({
  id: q.id,
  strategy: q.strategy as StrategyName,
  serviceLevelSeconds: q.service_level_seconds,
  maxWaitSeconds: q.max_wait_seconds,
  overflow: q.overflow,
  priorityRules: q.priority_rules,
  agingPerMinute: q.aging_per_minute,
  acwSeconds: q.acw_seconds,
});

export const DEFAULT_CAPACITY: Partial<Record<TaskChannel, number>> = { voice: 1, callback: 1, chat: 3, email: 5 };

export async function loadQueues(tx: Tx, tenantId: string): Promise<QueueRow[]> {
  return (await tx.execute<QueueRow>(sql`SELECT * FROM routing_queues WHERE tenant_id = ${tenantId} ORDER BY created_at, id`)).rows;
}

/** Every user who is a queue member or has an agent profile, with defaults for the missing profile. */
export async function loadAgents(tx: Tx, tenantId: string, userId?: string): Promise<(AgentRow & { memberships: { queue_id: string; skill_level: number; priority: number }[] })[]> {
  const only = userId ? sql`AND u.id = ${userId}` : sql``;
  return (
    await tx.execute<AgentRow & { memberships: { queue_id: string; skill_level: number; priority: number }[] }>(sql`
      SELECT u.id AS user_id, coalesce(a.state, 'offline') AS state, a.away_reason_id, coalesce(a.state_since, now()) AS state_since,
        a.acw_ends_at, coalesce(a.capacity, ${JSON.stringify(DEFAULT_CAPACITY)}::jsonb) AS capacity,
        coalesce(a.call_blocks_chats, true) AS call_blocks_chats, coalesce(a.skills, '{}') AS skills,
        coalesce((SELECT json_agg(json_build_object('queue_id', m.queue_id, 'skill_level', m.skill_level, 'priority', m.priority))
                  FROM routing_memberships m WHERE m.user_id = u.id AND m.tenant_id = ${tenantId}), '[]') AS memberships
      FROM users u LEFT JOIN routing_agents a ON a.user_id = u.id
      WHERE u.tenant_id = ${tenantId} ${only}
        AND (a.user_id IS NOT NULL OR EXISTS (SELECT 1 FROM routing_memberships m WHERE m.user_id = u.id))`)
  ).rows;
}

export async function loadOpenTasks(tx: Tx, tenantId: string): Promise<TaskRow[]> {
  return (
    await tx.execute<TaskRow>(sql`SELECT * FROM routing_tasks WHERE tenant_id = ${tenantId} AND status IN ('queued', 'offered', 'assigned')
                                  ORDER BY enqueued_at, id`)
  ).rows;
}

/** Today's counters per queue, from the interval facts (restored after a restart). */
export async function loadTodayFacts(tx: Tx, tenantId: string) {
  return (
    await tx.execute<{ queue_id: string; offered: number; answered: number; abandoned: number; answered_within_target: number; wait_seconds_sum: number; handled: number; handle_seconds_sum: number }>(sql`
      SELECT queue_id, sum(offered)::int AS offered, sum(answered)::int AS answered, sum(abandoned)::int AS abandoned,
        sum(answered_within_target)::int AS answered_within_target, sum(wait_seconds_sum)::float8 AS wait_seconds_sum,
        sum(handled)::int AS handled, sum(handle_seconds_sum)::float8 AS handle_seconds_sum
      FROM routing_interval_facts WHERE tenant_id = ${tenantId} AND interval_start >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      GROUP BY queue_id`)
  ).rows;
}

export interface FactDelta {
  offered?: number;
  answered?: number;
  abandoned?: number;
  answeredWithinTarget?: number;
  waitSeconds?: number;
  handled?: number;
  handleSeconds?: number;
}

/** Adds to the queue's current 15-minute interval. */
export async function addFacts(tx: Tx, tenantId: string, queueId: string, d: FactDelta): Promise<void> {
  await tx.execute(sql`
    INSERT INTO routing_interval_facts (tenant_id, queue_id, interval_start, offered, answered, abandoned, answered_within_target, wait_seconds_sum, handled, handle_seconds_sum)
    VALUES (${tenantId}, ${queueId}, to_timestamp(floor(extract(epoch FROM now()) / 900) * 900),
            ${d.offered ?? 0}, ${d.answered ?? 0}, ${d.abandoned ?? 0}, ${d.answeredWithinTarget ?? 0}, ${d.waitSeconds ?? 0}, ${d.handled ?? 0}, ${d.handleSeconds ?? 0})
    ON CONFLICT (tenant_id, queue_id, interval_start) DO UPDATE SET
      offered = routing_interval_facts.offered + EXCLUDED.offered, answered = routing_interval_facts.answered + EXCLUDED.answered,
      abandoned = routing_interval_facts.abandoned + EXCLUDED.abandoned,
      answered_within_target = routing_interval_facts.answered_within_target + EXCLUDED.answered_within_target,
      wait_seconds_sum = routing_interval_facts.wait_seconds_sum + EXCLUDED.wait_seconds_sum,
      handled = routing_interval_facts.handled + EXCLUDED.handled, handle_seconds_sum = routing_interval_facts.handle_seconds_sum + EXCLUDED.handle_seconds_sum`);
}

/**
 * The one way a task changes status: `UPDATE … WHERE id = $1 AND version = $2`. Returns the new version, or
 * undefined when another router or request changed the task first (zero rows).
 */
export async function transitionTask(
  tx: Tx,
  tenantId: string,
  taskId: string,
  version: number,
  set: ReturnType<typeof sql>,
  extraCondition: ReturnType<typeof sql> = sql``,
): Promise<number | undefined> {
  const result = await tx.execute<{ version: number }>(sql`
    UPDATE routing_tasks SET ${set}, version = version + 1
    WHERE tenant_id = ${tenantId} AND id = ${taskId} AND version = ${version} ${extraCondition}
    RETURNING version`);
  return result.rowCount === 1 ? result.rows[0]!.version : undefined;
}

/** Persists an agent's state and closes the previous history row. */
export async function saveAgentState(
  tx: Tx,
  tenantId: string,
  userId: string,
  state: AgentStateName,
  reason: { awayReasonId: string | null; text: string | null },
  changedBy: string | null,
  acwEndsAt: Date | null,
): Promise<Date> {
  const [row] = (
    await tx.execute<{ state_since: Date }>(sql`
      INSERT INTO routing_agents (user_id, tenant_id, state, away_reason_id, state_since, acw_ends_at)
      VALUES (${userId}, ${tenantId}, ${state}, ${reason.awayReasonId}, clock_timestamp(), ${acwEndsAt})
      ON CONFLICT (user_id) DO UPDATE SET state = EXCLUDED.state, away_reason_id = EXCLUDED.away_reason_id,
        state_since = EXCLUDED.state_since, acw_ends_at = EXCLUDED.acw_ends_at, version = routing_agents.version + 1
      RETURNING state_since`)
  ).rows;
  await tx.execute(sql`UPDATE routing_agent_state_history SET ended_at = clock_timestamp()
                       WHERE tenant_id = ${tenantId} AND user_id = ${userId} AND ended_at IS NULL`);
  await tx.execute(sql`INSERT INTO routing_agent_state_history (tenant_id, user_id, state, reason, changed_by)
                       VALUES (${tenantId}, ${userId}, ${state}, ${reason.text}, ${changedBy})`);
  return new Date(row!.state_since);
}
