// Per-agent figures: today's counts (offers taken, missed, turned down; work handled and its time), kept in
// memory beside the router and restored from the database on load; the `agent.stats` push (state, time in state,
// work in hand, open offers, today's counts); and the agent interval facts written for historical reports.
import { sql } from 'drizzle-orm';
import type { AgentStatsEvent } from '@kefu/contracts';
import type { Tx } from '../platform/db/database.ts';
import type { TenantRouter } from './tenant-router.ts';

export interface AgentDay {
  answered: number;
  handled: number;
  handleSecondsSum: number;
  missed: number;
  rejected: number;
}
type AgentFact = Partial<AgentDay> & { userId: string; intervalStart: number };

const emptyDay = (): AgentDay => ({ answered: 0, handled: 0, handleSecondsSum: 0, missed: 0, rejected: 0 });
const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);

/** Today's counts per agent (reset when the UTC day changes), and the facts not yet written. */
export class AgentCounters {
  private day = '';
  private readonly today = new Map<string, AgentDay>();
  private facts = new Map<string, AgentFact>();

  get(userId: string, at: number): AgentDay {
    this.roll(at);
    return this.today.get(userId) ?? emptyDay();
  }

  add(userId: string, at: number, d: Partial<AgentDay>): void {
    this.roll(at);
    const day = this.today.get(userId) ?? emptyDay();
    for (const [k, v] of Object.entries(d) as [keyof AgentDay, number][]) day[k] += v;
    this.today.set(userId, day);
    const intervalStart = Math.floor(at / 900_000) * 900_000;
    const key = `${userId}|${intervalStart}`;
    const f = this.facts.get(key) ?? { userId, intervalStart };
    for (const [k, v] of Object.entries(d) as [keyof AgentDay, number][]) f[k] = (f[k] ?? 0) + v;
    this.facts.set(key, f);
  }

  restore(at: number, rows: { user_id: string; answered: number; handled: number; handle_seconds_sum: number; missed: number; rejected: number }[]): void {
    this.roll(at);
    for (const r of rows) this.today.set(r.user_id, { answered: r.answered, handled: r.handled, handleSecondsSum: r.handle_seconds_sum, missed: r.missed, rejected: r.rejected });
  }

  takeFacts(): AgentFact[] {
    const all = [...this.facts.values()];
    this.facts = new Map();
    return all;
  }

  putBackFacts(facts: AgentFact[]): void {
    for (const { userId, intervalStart, ...d } of facts) {
      const key = `${userId}|${intervalStart}`;
      const f = this.facts.get(key) ?? { userId, intervalStart };
      for (const [k, v] of Object.entries(d) as [keyof AgentDay, number][]) f[k] = (f[k] ?? 0) + v;
      this.facts.set(key, f);
    }
  }

  private roll(at: number): void {
    const day = utcDay(at);
    if (day === this.day) return;
    this.day = day;
    this.today.clear();
  }
}

/** Today's counts per agent from the written agent facts (after a restart or a takeover). */
export async function loadAgentDay(tx: Tx, tenantId: string) {
  return (
    await tx.execute<{ user_id: string; answered: number; handled: number; handle_seconds_sum: number; missed: number; rejected: number }>(sql`
      SELECT user_id, sum(answered)::int AS answered, sum(handled)::int AS handled, sum(handle_seconds_sum)::float8 AS handle_seconds_sum,
        sum(missed)::int AS missed, sum(rejected)::int AS rejected
      FROM routing_agent_interval_facts WHERE tenant_id = ${tenantId} AND interval_start >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
      GROUP BY user_id`)
  ).rows;
}

/** Adds counted agent facts to their 15-minute intervals, in one statement. */
export async function addAgentFacts(tx: Tx, tenantId: string, facts: AgentFact[]): Promise<void> {
  if (facts.length === 0) return;
  const rows = facts.map(
    (f) => sql`(${tenantId}::uuid, ${f.userId}::uuid, ${new Date(f.intervalStart)}::timestamptz, ${f.answered ?? 0}::int, ${f.missed ?? 0}::int, ${f.rejected ?? 0}::int, ${f.handled ?? 0}::int, ${f.handleSecondsSum ?? 0}::float8)`,
  );
  await tx.execute(sql`
    INSERT INTO routing_agent_interval_facts (tenant_id, user_id, interval_start, answered, missed, rejected, handled, handle_seconds_sum)
    VALUES ${sql.join(rows, sql`, `)}
    ON CONFLICT (tenant_id, user_id, interval_start) DO UPDATE SET
      answered = routing_agent_interval_facts.answered + EXCLUDED.answered, missed = routing_agent_interval_facts.missed + EXCLUDED.missed,
      rejected = routing_agent_interval_facts.rejected + EXCLUDED.rejected, handled = routing_agent_interval_facts.handled + EXCLUDED.handled,
      handle_seconds_sum = routing_agent_interval_facts.handle_seconds_sum + EXCLUDED.handle_seconds_sum`);
}

/** The `agent.stats` figures of one agent. */
export function agentStatsOf(router: TenantRouter, userId: string, now: number): AgentStatsEvent {
  const view = router.agents.get(userId);
  const state = router.core.agentState(userId) ?? view?.state ?? 'offline';
  const since = view?.since ?? new Date(now);
  const work = router.core
    .agentLoad(userId)
    .work.map((taskId) => {
      const task = router.core.task(taskId);
      const at = router.assignedAt.get(taskId) ?? now;
      return task ? { taskId, queueId: task.queueId, channel: task.channel, sinceSeconds: Math.max(0, Math.round((now - at) / 100) / 10) } : undefined;
    })
    .filter((w) => w !== undefined)
    .sort((a, b) => b.sinceSeconds - a.sinceSeconds);
  let offersOpen = 0;
  for (const offer of router.offers.values()) if (offer.agentIds.has(userId)) offersOpen++;
  const day = router.agentCounters.get(userId, now);
  return {
    userId,
    at: new Date(now).toISOString(),
    state,
    reason: state === 'away' ? (view?.reason ?? null) : null,
    since: since.toISOString(),
    secondsInState: Math.max(0, Math.round((now - since.getTime()) / 100) / 10),
    acwEndsAt: state === 'acw' ? (view?.acwEndsAt?.toISOString() ?? null) : null,
    work,
    offersOpen,
    today: {
      answered: day.answered,
      handled: day.handled,
      missed: day.missed,
      rejected: day.rejected,
      averageHandleSeconds: day.handled > 0 ? Math.round((day.handleSecondsSum / day.handled) * 10) / 10 : null,
    },
  };
}
