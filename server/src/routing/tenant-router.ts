// One tenant's router state in this process: the RouterCore, queue rows, task versions, open offers and
// timers, and a promise chain that runs the tenant's operations one at a time (the core is not re-entrant
// across awaits). The database stays the authority; this is rebuilt from it on start and on takeover.
import type { Database } from '../platform/db/database.ts';
import { RouterCore, type CoreAgentInput } from './router.core.ts';
import { loadAgents, loadOpenTasks, loadQueues, loadTodayFacts, toCoreQueue, transitionTask, type AgentRow, type QueueRow } from './routing.store.ts';
import type { AgentStateName } from './routing.types.ts';
import { sql } from 'drizzle-orm';

export interface OpenOffer {
  offerId: string;
  taskId: string;
  agentIds: Set<string>;
  expiresAt: number;
  timer: unknown;
}

export interface AgentView {
  state: AgentStateName;
  since: Date;
  awayReasonId: string | null;
  acwEndsAt: Date | null;
  acwTimer: unknown;
}

export type Liveness = (task: { id: string; channel: string; externalRef: string | null }) => Promise<boolean>;

export class TenantRouter {
  readonly queues = new Map<string, QueueRow>();
  readonly versions = new Map<string, number>();
  readonly offers = new Map<string, OpenOffer>();
  readonly offerOfTask = new Map<string, string>();
  readonly agents = new Map<string, AgentView>();
  readonly callbackNumbers = new Map<string, string>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly tenantId: string,
    readonly core: RouterCore,
  ) {}

  /** Runs `fn` after every earlier operation of this tenant has finished. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => {});
    return next;
  }

  static agentInput(row: AgentRow & { memberships: { queue_id: string; skill_level: number; priority: number }[] }): CoreAgentInput {
    return {
      id: row.user_id,
      state: row.state,
      capacity: row.capacity,
      callBlocksChats: row.call_blocks_chats,
      memberships: new Map(row.memberships.map((m) => [m.queue_id, { skillLevel: m.skill_level, priority: m.priority }])),
      skills: new Map(Object.entries(row.skills)),
    };
  }

  /** Loads configuration, agents, today's counters and open tasks; offers that were open when the previous router stopped are queued again. */
  static async load(database: Database, tenantId: string, now: number, random: () => number, liveness: Map<string, Liveness>): Promise<TenantRouter> {
    const router = new TenantRouter(tenantId, new RouterCore({ random }));
    await router.reloadConfig(database, now);
    const { tasks, facts } = await database.withTenant(tenantId, async (tx) => {
      for (const t of await loadOpenTasks(tx, tenantId)) {
        if (t.status === 'offered') {
          await transitionTask(tx, tenantId, t.id, t.version, sql`status = 'queued', offer_id = NULL, offered_to = '{}'`);
        }
      }
      return { tasks: await loadOpenTasks(tx, tenantId), facts: await loadTodayFacts(tx, tenantId) };
    });
    for (const f of facts) {
      router.core.restoreCounters(f.queue_id, {
        offered: f.offered,
        answered: f.answered,
        abandoned: f.abandoned,
        answeredWithinTarget: f.answered_within_target,
        waitSecondsSum: f.wait_seconds_sum,
        handled: f.handled,
        handleSecondsSum: f.handle_seconds_sum,
      });
    }
    for (const t of tasks) {
      const check = liveness.get(t.channel);
      if (check && t.status === 'queued' && !(await check({ id: t.id, channel: t.channel, externalRef: t.external_ref }))) {
        await database.withTenant(tenantId, (tx) => transitionTask(tx, tenantId, t.id, t.version, sql`status = 'abandoned', ended_at = clock_timestamp(), end_reason = 'gone'`));
        continue;
      }
      router.versions.set(t.id, t.version);
      if (t.callback_number) router.callbackNumbers.set(t.id, t.callback_number);
      const input = {
        id: t.id,
        queueId: t.queue_id,
        channel: t.channel,
        priority: t.priority,
        enqueuedAt: new Date(t.enqueued_at).getTime(),
        attributes: t.attributes,
        previousAgentId: t.previous_agent_id,
        requiredSkills: t.required_skills,
      };
      if (t.status === 'assigned' && t.assigned_agent_id) router.core.restoreAssigned(input, t.assigned_agent_id);
      else router.core.enqueue(input, { restored: true });
    }
    return router;
  }

  async reloadConfig(database: Database, now: number): Promise<void> {
    const { queues, agents } = await database.withTenant(this.tenantId, async (tx) => ({
      queues: await loadQueues(tx, this.tenantId),
      agents: await loadAgents(tx, this.tenantId),
    }));
    for (const id of this.queues.keys()) if (!queues.some((q) => q.id === id)) this.core.removeQueue(id);
    this.queues.clear();
    for (const q of queues) {
      this.queues.set(q.id, q);
      this.core.upsertQueue(toCoreQueue(q));
    }
    for (const a of agents) this.upsertAgent(a, now);
  }

  upsertAgent(row: AgentRow & { memberships: { queue_id: string; skill_level: number; priority: number }[] }, now: number): void {
    const input = TenantRouter.agentInput(row);
    const known = this.agents.get(row.user_id);
    // The core's state is the live one (busy/acw follow work); the row may be older.
    if (known) input.state = this.core.agentState(row.user_id) ?? known.state;
    this.core.upsertAgent(input, now);
    if (!known) this.agents.set(row.user_id, { state: row.state, since: new Date(row.state_since), awayReasonId: row.away_reason_id, acwEndsAt: row.acw_ends_at, acwTimer: undefined });
  }
}
