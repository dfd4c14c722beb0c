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
  /** The away reason's name. */
  away_reason?: string | null;
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
      SELECT u.id AS user_id, coalesce(a.state, 'offline') AS state, a.away_reason_id,
        (SELECT r.name FROM routing_away_reasons r WHERE r.id = a.away_reason_id) AS away_reason, coalesce(a.state_since, now()) AS state_since,
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

/** Adds counted facts to their queues' 15-minute intervals, all in one statement. */
export async function addFacts(tx: Tx, tenantId: string, facts: (FactDelta & { queueId: string; intervalStart: number })[]): Promise<void> {
  if (facts.length === 0) return;
  const rows = facts.map(
    (d) => sql`(${tenantId}::uuid, ${d.queueId}::uuid, ${new Date(d.intervalStart)}::timestamptz, ${d.offered ?? 0}::int, ${d.answered ?? 0}::int, ${d.abandoned ?? 0}::int,
                ${d.answeredWithinTarget ?? 0}::int, ${d.waitSeconds ?? 0}::float8, ${d.handled ?? 0}::int, ${d.handleSeconds ?? 0}::float8)`,
  );
  await tx.execute(sql`
    INSERT INTO routing_interval_facts (tenant_id, queue_id, interval_start, offered, answered, abandoned, answered_within_target, wait_seconds_sum, handled, handle_seconds_sum)
    SELECT v.* FROM (VALUES ${sql.join(rows, sql`, `)}) AS v(tenant_id, queue_id, interval_start, offered, answered, abandoned, answered_within_target, wait_seconds_sum, handled, handle_seconds_sum)
    WHERE EXISTS (SELECT 1 FROM routing_queues q WHERE q.id = v.queue_id)
    ON CONFLICT (tenant_id, queue_id, interval_start) DO UPDATE SET
      offered = routing_interval_facts.offered + EXCLUDED.offered, answered = routing_interval_facts.answered + EXCLUDED.answered,
      abandoned = routing_interval_facts.abandoned + EXCLUDED.abandoned,
      answered_within_target = routing_interval_facts.answered_within_target + EXCLUDED.answered_within_target,
      wait_seconds_sum = routing_interval_facts.wait_seconds_sum + EXCLUDED.wait_seconds_sum,
      handled = routing_interval_facts.handled + EXCLUDED.handled, handle_seconds_sum = routing_interval_facts.handle_seconds_sum + EXCLUDED.handle_seconds_sum`);
}

/**
 * Offers many tasks in one statement: each row changes only if its version is still the one the router knows and
 * the task still waits. Returns the new version of every task that changed; a task missing from the answer was
 * changed by someone else.
 */
export async function offerTasks(tx: Tx, tenantId: string, offers: { taskId: string; version: number; offerId: string; agentIds: string[] }[]): Promise<Map<string, number>> {
  if (offers.length === 0) return new Map();
  const rows = offers.map((o) => sql`(${o.taskId}::uuid, ${o.version}::int, ${o.offerId}::uuid, ${`{${o.agentIds.join(',')}}`}::uuid[])`);
  const { rows: changed } = await tx.execute<{ id: string; version: number }>(sql`
    UPDATE routing_tasks t SET status = 'offered', offer_id = v.offer_id, offered_to = v.offered_to, offered_at = clock_timestamp(), version = t.version + 1
    FROM (VALUES ${sql.join(rows, sql`, `)}) AS v(id, version, offer_id, offered_to)
    WHERE t.tenant_id = ${tenantId} AND t.id = v.id AND t.version = v.version AND t.status = 'queued'
    RETURNING t.id, t.version`);
  return new Map(changed.map((r) => [r.id, r.version]));
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

/** Persists an agent's state, closes the previous history row and opens the next: one statement. */
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
      WITH agent AS (
        INSERT INTO routing_agents (user_id, tenant_id, state, away_reason_id, state_since, acw_ends_at)
        VALUES (${userId}, ${tenantId}, ${state}, ${reason.awayReasonId}, clock_timestamp(), ${acwEndsAt})
        ON CONFLICT (user_id) DO UPDATE SET state = EXCLUDED.state, away_reason_id = EXCLUDED.away_reason_id,
          state_since = EXCLUDED.state_since, acw_ends_at = EXCLUDED.acw_ends_at, version = routing_agents.version + 1
        RETURNING state_since),
      closed AS (
        UPDATE routing_agent_state_history SET ended_at = clock_timestamp()
        WHERE tenant_id = ${tenantId} AND user_id = ${userId} AND ended_at IS NULL),
      opened AS (
        INSERT INTO routing_agent_state_history (tenant_id, user_id, state, reason, changed_by)
        VALUES (${tenantId}, ${userId}, ${state}, ${reason.text}, ${changedBy}))
      SELECT state_since FROM agent`)
  ).rows;
  return new Date(row!.state_since);
}
