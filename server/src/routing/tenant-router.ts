// One tenant's router state in this process: the RouterCore, queue rules, task versions, open offers and
// timers, and the pipeline that runs the tenant's operations one at a time (the core is not re-entrant across
// awaits). The database stays the authority; this is rebuilt from it on start, on takeover, and whenever a write
// failed after memory had already moved (see `transact`).
import type { Database, Tx } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';
import { RouterCore, type CoreAgentInput } from './router.core.ts';
import { loadAgents, loadOpenTasks, loadQueues, loadTodayFacts, toCoreQueue, transitionTask, type AgentRow, type FactDelta, type QueueRow } from './routing.store.ts';
import type { AgentStateName } from './routing.types.ts';
import { AgentCounters, loadAgentDay } from './routing.agent-stats.ts';
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
  /** The away reason's name, as shown to supervisors. */
  reason?: string | null;
  acwEndsAt: Date | null;
  acwTimer: unknown;
}

export type Liveness = (task: { id: string; channel: string; externalRef: string | null }) => Promise<boolean>;

/** What an operation gets inside its transaction. */
export interface Write {
  tx: Tx;
  now: number;
  /** Memory now runs ahead of the database: if the transaction fails from here on, the tenant is reloaded. */
  changed(): void;
  /** The database and memory disagree (a conditional UPDATE changed no row): reload once this commits. */
  diverged(): void;
  /** Runs after the commit: offers and pushes to sockets, in-process events, timers. */
  after(effect: () => void): void;
}

const MAX_BATCH = 200;
const restarting = () => new AppError('UNAVAILABLE', 'the router of this tenant is restarting; try again', { retryable: true });

interface PendingOp {
  fn: (w: Write) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  context: { database: Database; now: () => number; onDiverged: (err: unknown) => void; onEffectError: (err: unknown) => void };
}

export class TenantRouter {
  readonly queues = new Map<string, QueueRow>();
  readonly versions = new Map<string, number>();
  readonly offers = new Map<string, OpenOffer>();
  readonly offerOfTask = new Map<string, string>();
  readonly agents = new Map<string, AgentView>();
  readonly callbackNumbers = new Map<string, string>();
  /** When each task in hand was assigned (epoch ms), for the agents' live figures. */
  readonly assignedAt = new Map<string, number>();
  readonly agentCounters = new AgentCounters();
  /** Interval facts not yet written, by queue and 15-minute interval start (see `takeFacts`). */
  private facts = new Map<string, FactDelta & { queueId: string; intervalStart: number }>();
  /** Set when the router is discarded (stopped, lease lost, or memory diverged): its timers do nothing. */
  closed = false;
  private readonly waiting: PendingOp[] = [];
  private running: Promise<void> | undefined;

  constructor(
    readonly tenantId: string,
    readonly core: RouterCore,
  ) {}

  /**
   * Runs `fn` after every earlier operation of this tenant (the core is not re-entrant across awaits), inside a
   * transaction. Operations that arrive while a transaction commits wait and then run together in the next one,
   * one after the other, with one commit for all (group commit: a busy tenant pays one WAL flush for many
   * operations). An operation that fails before it changed anything (`changed()` not yet called) fails alone;
   * any other failure rolls the whole transaction back, and the tenant is rebuilt from the database. Effects
   * (sends, events) run only after the commit.
   */
  transact<T>(database: Database, now: () => number, fn: (w: Write) => Promise<T>, onDiverged: (err: unknown) => void, onEffectError: (err: unknown) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn: fn as PendingOp['fn'], resolve: resolve as PendingOp['resolve'], reject, context: { database, now, onDiverged, onEffectError } });
      this.running ??= this.drain();
    });
  }

  /** Resolves when every operation started so far has committed or failed. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Operations of the same tick join the first transaction (and `running` is set before anything ends).
    await null;
    for (;;) {
      if (this.waiting.length === 0) {
        // Cleared in the same tick as the last look at `waiting`: an operation queued later starts a new drain.
        this.running = undefined;
        return;
      }
      // runBatch settles every operation itself; nothing it throws may stop the tenant's pipeline.
      await this.runBatch().catch(() => {});
    }
  }

  private async runBatch(): Promise<void> {
    const batch = this.waiting.splice(0, MAX_BATCH);
    if (this.closed) {
      for (const op of batch) op.reject(restarting());
      return;
    }
    const { database, now, onDiverged, onEffectError } = batch[0]!.context;
    const done: { op: PendingOp; result: unknown; effects: (() => void)[] }[] = [];
    let changed = false;
    let diverged = false;
    let failed: PendingOp | undefined;
    const refused = new Set<PendingOp>();
    try {
      await database.withTenant(this.tenantId, async (tx) => {
        for (const op of batch) {
          const effects: (() => void)[] = [];
          let opChanged = false;
          const w: Write = { tx, now: now(), changed: () => (opChanged = changed = true), diverged: () => (diverged = true), after: (e) => effects.push(e) };
          try {
            done.push({ op, result: await op.fn(w), effects });
          } catch (err) {
            // A refusal before any change (not found, conflict, bad input) leaves the transaction usable.
            if (!opChanged && err instanceof AppError) {
              refused.add(op);
              op.reject(err);
              continue;
            }
            failed = op;
            throw err;
          }
        }
      });
    } catch (err) {
      failed?.reject(err);
      for (const d of done) d.op.reject(changed ? restarting() : err);
      // Operations after the failing one never ran: they go first into the next transaction. When none ran at all
      // (no connection, BEGIN failed), they fail with the error rather than retry in a loop.
      const ran = new Set<PendingOp>([...done.map((d) => d.op), ...refused, ...(failed ? [failed] : [])]);
      const notRun = batch.filter((op) => !ran.has(op));
      if (ran.size > 0) this.waiting.unshift(...notRun);
      else for (const op of notRun) op.reject(err);
      if (changed || diverged) onDiverged(err);
      return;
    }
    for (const d of done) {
      for (const effect of d.effects) {
        try {
          effect();
        } catch (err) {
          onEffectError(err);
        }
      }
      d.op.resolve(d.result);
    }
    if (diverged) onDiverged(new Error('the database changed under the router'));
  }

  /** Counts facts for the queue's current 15-minute interval (written by `takeFacts` every second). */
  addFacts(queueId: string, at: number, d: FactDelta): void {
    const intervalStart = Math.floor(at / 900_000) * 900_000;
    const key = `${queueId}|${intervalStart}`;
    const f = this.facts.get(key) ?? { queueId, intervalStart };
    for (const [k, v] of Object.entries(d) as [keyof FactDelta, number][]) f[k] = (f[k] ?? 0) + v;
    this.facts.set(key, f);
  }

  /** The facts counted since the last call (to be written; `putBackFacts` if that failed). */
  takeFacts(): (FactDelta & { queueId: string; intervalStart: number })[] {
    const all = [...this.facts.values()];
    this.facts = new Map();
    return all;
  }

  putBackFacts(facts: (FactDelta & { queueId: string; intervalStart: number })[]): void {
    for (const { queueId, intervalStart, ...d } of facts) this.addFacts(queueId, intervalStart, d);
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
    const { tasks, facts, agentDay } = await database.withTenant(tenantId, async (tx) => {
      for (const t of await loadOpenTasks(tx, tenantId)) {
        if (t.status === 'offered') {
          await transitionTask(tx, tenantId, t.id, t.version, sql`status = 'queued', offer_id = NULL, offered_to = '{}'`);
        }
      }
      return { tasks: await loadOpenTasks(tx, tenantId), facts: await loadTodayFacts(tx, tenantId), agentDay: await loadAgentDay(tx, tenantId) };
    });
    router.agentCounters.restore(now, agentDay);
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
      if (t.status === 'assigned' && t.assigned_agent_id) {
        router.core.restoreAssigned(input, t.assigned_agent_id);
        router.assignedAt.set(t.id, new Date(t.assigned_at ?? t.enqueued_at).getTime());
      }
      else router.core.enqueue(input, { restored: true });
    }
    return router;
  }

  async reloadConfig(database: Database, now: number): Promise<void> {
    await database.withTenant(this.tenantId, (tx) => this.reloadConfigIn(tx, now));
  }

  async reloadConfigIn(tx: Tx, now: number): Promise<void> {
    const queues = await loadQueues(tx, this.tenantId);
    const agents = await loadAgents(tx, this.tenantId);
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
    if (!known) this.agents.set(row.user_id, { state: row.state, since: new Date(row.state_since), awayReasonId: row.away_reason_id, reason: row.away_reason ?? null, acwEndsAt: row.acw_ends_at, acwTimer: undefined });
  }
}
