// The routing engine: enqueue, cancel and complete tasks; offers over the realtime hub with a timeout
// (accept / reject / timeout → missed and re-offer); agent states with history; estimated waits; stats.
// Every operation is one transaction (`TenantRouter.transact`): its conditional UPDATEs on the task's version
// (each must change exactly one row), the agent's state and history, the outbox events, and the routing
// decisions the operation makes possible (the queues it touched only), all of a pass's offers in one statement.
// Messages and events go out after the commit. Interval facts are counted in memory and written every second.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import type { AgentStatsEvent, QueueAgentsEvent, QueueStatsEvent, TaskChannel } from '@kefu/contracts';
import { appendEvent } from '../platform/events/outbox.ts';
import type { Database } from '../platform/db/database.ts';
import { AppError, conflict, notFound } from '../platform/errors.ts';
import type { RealtimeHub } from '../realtime/realtime.hub.ts';
import { canTransition, type ChosenState } from './agent-state.machine.ts';
import { AgentStateWriter } from './agent-state.writer.ts';
import { DEFAULT_CAPACITY, loadAgents, transitionTask } from './routing.store.ts';
import { OfferDesk, type WithdrawReason } from './routing.offers.ts';
import { agentStatsOf } from './routing.agent-stats.ts';
import type { EnqueueInput } from './routing.schemas.ts';
import type { AgentStateName } from './routing.types.ts';
import { queueStatsOf, readTask } from './routing.queries.ts';
import { TenantRegistry } from './routing.tenants.ts';
import type { Liveness, TenantRouter, Write } from './tenant-router.ts';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** In-process events for other modules (voice dials callbacks and bridges calls on `task.assigned`). */
export interface RoutingEvents {
  'task.queued': [{ tenantId: string; taskId: string; queueId: string; channel: TaskChannel }];
  'task.offered': [{ tenantId: string; taskId: string; offerId: string; agentIds: string[] }];
  'task.assigned': [{ tenantId: string; taskId: string; queueId: string; agentId: string; channel: TaskChannel; callbackNumber: string | null; waitSeconds: number }];
  'task.ended': [{ tenantId: string; taskId: string; queueId: string; reason: string }];
  /** An offer withdrawn from these agents without them taking it (voice stops ringing their phones). */
  'offer.revoked': [{ tenantId: string; taskId: string; offerId: string; agentIds: string[]; reason: 'taken' | 'cancelled' | 'rejected' | 'timeout' | 'disconnected' }];
  'agent.state_changed': [{ tenantId: string; userId: string; state: AgentStateName }];
}

export interface RoutingEngineDeps {
  database: Database;
  hub: RealtimeHub;
  clock?: Clock;
  random?: () => number;
  onError?: (err: unknown, what: string) => void;
}

type Estimate = { position: number | null; estimatedWaitSeconds: number | null };

export class RoutingEngine {
  readonly events = new EventEmitter<RoutingEvents>();
  private readonly registry: TenantRegistry;
  private readonly liveness = new Map<string, Liveness>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly states: AgentStateWriter;
  private readonly offers: OfferDesk;
  /** In a cluster, whether this node still routes the tenant (a diverged router is reloaded only then). */
  routes: (tenantId: string) => boolean = () => true;

  constructor(private readonly deps: RoutingEngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.registry = new TenantRegistry({ ...deps, clock: this.clock, random: this.random, liveness: this.liveness, routes: (t) => this.routes(t), dispatch: (r) => this.dispatch(r) });
    this.states = new AgentStateWriter(deps.hub, this.clock, this.events, (router, fn) => this.write(router, fn), (w, router, agentId) => this.offers.route(w, router, router.core.queuesOf(agentId)), deps.onError);
    this.offers = new OfferDesk(deps.hub, this.clock, this.events, this.states, (router, offerId) => {
      if (!router.closed) void this.decline(router.tenantId, offerId, null, 'timeout').catch((e) => this.deps.onError?.(e, 'offer timeout'));
    });
  }

  /** A channel's owner tells the router, on reload, whether a queued task still has a customer (a live call). */
  registerLiveness(channel: TaskChannel, check: Liveness): void {
    this.liveness.set(channel, check);
  }

  /** Loads every tenant with open tasks or signed-in agents (restart), and offers what can be offered. */
  async start(): Promise<void> {
    const tenantIds = await this.deps.database.withSystem(async (tx) =>
      (
        await tx.execute<{ tenant_id: string }>(sql`
          SELECT DISTINCT tenant_id FROM routing_tasks WHERE status IN ('queued', 'offered', 'assigned')
          UNION SELECT DISTINCT tenant_id FROM routing_agents WHERE state <> 'offline'`)
      ).rows.map((r) => r.tenant_id),
    );
    for (const tenantId of tenantIds) await this.dispatch(await this.tenant(tenantId));
  }

  /** Finishes every operation in flight, writes the counted facts, and forgets every tenant. */
  stop(): Promise<void> {
    return this.registry.stop();
  }

  tenant(tenantId: string): Promise<TenantRouter> {
    return this.registry.tenant(tenantId);
  }

  loadedTenants(): Promise<TenantRouter>[] {
    return this.registry.loadedTenants();
  }

  private write<T>(router: TenantRouter, fn: (w: Write) => Promise<T>): Promise<T> {
    return this.registry.write(router, fn);
  }

  /** After an admin change: queues, memberships, capacity and skills are read again. */
  async reloadConfig(tenantId: string): Promise<void> {
    const pending = this.registry.loadedTenant(tenantId);
    if (!pending) return;
    const router = await pending;
    await this.write(router, async (w) => {
      w.changed();
      await router.reloadConfigIn(w.tx, w.now);
      await this.offers.route(w, router);
    });
  }

  // Tasks

  async enqueue(tenantId: string, input: EnqueueInput): Promise<{ taskId: string } & Estimate> {
    const router = await this.tenant(tenantId);
    const taskId = await this.write(router, async (w) => {
      const queue = router.queues.get(input.queueId);
      if (!queue) throw notFound('queue');
      if (!queue.channels.includes(input.channel) && !(input.channel === 'callback' && queue.channels.includes('voice'))) {
        throw new AppError('VALIDATION_FAILED', `the queue does not serve ${input.channel}`, { field: 'channel' });
      }
      const id = randomUUID();
      const enqueuedAt = input.enqueuedAt ?? new Date(w.now);
      const requiredSkills = (input.requiredSkills ?? []).map((r) => ({ weight: 1, ...r }));
      const [row] = (
        await w.tx.execute<{ version: number }>(sql`
          INSERT INTO routing_tasks (id, tenant_id, queue_id, channel, priority, attributes, required_skills, previous_agent_id, contact_id, external_ref, callback_number, enqueued_at)
          VALUES (${id}, ${tenantId}, ${input.queueId}, ${input.channel}, ${input.priority ?? 0}, ${JSON.stringify(input.attributes ?? {})}::jsonb,
                  ${JSON.stringify(requiredSkills)}::jsonb, ${input.previousAgentId ?? null},
                  ${input.contactId ?? null}, ${input.externalRef ?? null}, ${input.callbackNumber ?? null}, ${enqueuedAt})
          RETURNING version`)
      ).rows;
      w.changed();
      router.versions.set(id, row!.version);
      if (input.callbackNumber) router.callbackNumbers.set(id, input.callbackNumber);
      router.core.enqueue({
        id,
        queueId: input.queueId,
        channel: input.channel,
        priority: input.priority ?? 0,
        enqueuedAt: enqueuedAt.getTime(),
        attributes: input.attributes ?? {},
        previousAgentId: input.previousAgentId ?? null,
        requiredSkills,
      });
      w.after(() => {
        router.addFacts(input.queueId, w.now, { offered: 1 });
        this.events.emit('task.queued', { tenantId, taskId: id, queueId: input.queueId, channel: input.channel });
      });
      await this.offers.route(w, router, [input.queueId]);
      return id;
    });
    return { taskId, ...this.estimateIn(router, taskId) };
  }

  private estimateIn(router: TenantRouter, taskId: string): Estimate {
    const estimate = router.core.estimate(taskId, this.clock.now());
    return { position: estimate?.position ?? null, estimatedWaitSeconds: estimate?.estimatedWaitSeconds ?? null };
  }

  /** Position and estimated wait of a waiting task (nulls once an agent has it). */
  async estimateOf(tenantId: string, taskId: string): Promise<Estimate> {
    return this.estimateIn(await this.tenant(tenantId), taskId);
  }

  /** A task as stored (any node may read it). */
  taskRow(tenantId: string, taskId: string) {
    return readTask(this.deps.database, tenantId, taskId);
  }

  /** The customer left (or the owner withdrew the task) before or during an offer; an assigned task completes. */
  async cancel(tenantId: string, taskId: string, reason: 'abandoned' | 'cancelled' = 'abandoned'): Promise<void> {
    const router = await this.tenant(tenantId);
    if (router.core.task(taskId)?.status === 'assigned') return this.complete(tenantId, taskId);
    await this.write(router, async (w) => {
      const t = router.core.task(taskId);
      if (!t) throw notFound('task');
      if (t.status === 'assigned') throw conflict('the task was assigned meanwhile; complete it');
      const queueId = t.queueId;
      const v = await transitionTask(w.tx, tenantId, taskId, router.versions.get(taskId)!, sql`status = ${reason}, ended_at = clock_timestamp(), end_reason = ${reason}, offered_to = '{}'`, sql`AND status IN ('queued', 'offered')`);
      if (v === undefined) throw conflict('the task changed meanwhile; try again');
      await appendEvent(w.tx, tenantId, 'routing_task.ended', { taskId, queueId, reason });
      w.changed();
      const { revoked } = router.core.cancel(taskId, w.now);
      this.offers.close(w, router, taskId, revoked, 'cancelled');
      router.versions.delete(taskId);
      router.callbackNumbers.delete(taskId);
      w.after(() => {
        if (reason === 'abandoned') router.addFacts(queueId, w.now, { abandoned: 1 });
        this.events.emit('task.ended', { tenantId, taskId, queueId, reason });
      });
      // The agents whose offer was withdrawn are free for other tasks.
      if (revoked.length) await this.offers.route(w, router, queuesOfAll(router, revoked));
    });
  }

  /** The work ended (hang-up, chat closed): the agent's capacity frees, after-call work may follow. */
  async complete(tenantId: string, taskId: string): Promise<void> {
    const router = await this.tenant(tenantId);
    await this.write(router, async (w) => {
      const t = router.core.task(taskId);
      if (!t || t.status !== 'assigned') throw notFound('assigned task');
      const queueId = t.queueId;
      const [row] = (
        await w.tx.execute<{ seconds: number }>(sql`
          UPDATE routing_tasks SET status = 'completed', ended_at = clock_timestamp(), end_reason = 'completed', version = version + 1
          WHERE tenant_id = ${tenantId} AND id = ${taskId} AND version = ${router.versions.get(taskId)!} AND status = 'assigned'
          RETURNING extract(epoch FROM ended_at - assigned_at)::float8 AS seconds`)
      ).rows;
      if (!row) throw conflict('the task changed meanwhile; try again');
      await appendEvent(w.tx, tenantId, 'routing_task.ended', { taskId, queueId, reason: 'completed' });
      w.changed();
      const { agentId, acwSeconds } = router.core.complete(taskId, w.now, row.seconds);
      router.versions.delete(taskId);
      router.callbackNumbers.delete(taskId);
      router.assignedAt.delete(taskId);
      w.after(() => {
        router.addFacts(queueId, w.now, { handled: 1, handleSeconds: row.seconds });
        if (agentId) router.agentCounters.add(agentId, w.now, { handled: 1, handleSecondsSum: row.seconds });
        this.events.emit('task.ended', { tenantId, taskId, queueId, reason: 'completed' });
      });
      if (agentId) {
        await this.states.persist(w, router, agentId, null, acwSeconds);
        await this.offers.route(w, router, router.core.queuesOf(agentId));
      }
    });
  }

  /** A waiting voice caller asks to be called back: the task keeps its place (its enqueue time). */
  async requestCallback(tenantId: string, taskId: string, number: string | undefined): Promise<void> {
    const router = await this.tenant(tenantId);
    const task = router.core.task(taskId);
    if (!task || task.status === 'assigned') throw notFound('waiting task');
    if (!number) throw new AppError('VALIDATION_FAILED', 'number: the number to call back is required', { field: 'number' });
    const queue = router.queues.get(task.queueId);
    if (!queue?.callbacks_offered) throw conflict('this queue does not offer callbacks');
    const original = { ...task };
    await this.cancel(tenantId, taskId, 'cancelled');
    await this.enqueue(tenantId, {
      queueId: original.queueId,
      channel: 'callback',
      priority: original.priority,
      attributes: { ...original.attributes, callbackFor: taskId },
      requiredSkills: [...original.requiredSkills],
      previousAgentId: original.previousAgentId,
      callbackNumber: number,
      enqueuedAt: new Date(original.enqueuedAt),
    });
  }

  // Offers

  /** The per-second pass: overflow rules and maximum waits, a routing pass over every queue, and the interval facts. */
  async dispatch(router: TenantRouter): Promise<void> {
    await this.write(router, async (w) => {
      await this.offers.tick(w, router);
      await this.offers.route(w, router);
    });
    await this.registry.flushFacts(router).catch((e) => this.deps.onError?.(e, 'interval facts'));
  }

  /** The agent takes the offered task. Exactly one accept wins: the conditional UPDATE changes one row or none. */
  async accept(tenantId: string, userId: string, offerId: string): Promise<{ taskId: string }> {
    const router = await this.tenant(tenantId);
    return this.write(router, async (w) => {
      const offer = router.offers.get(offerId);
      if (!offer || !offer.agentIds.has(userId)) throw conflict('the offer is no longer open');
      const task = router.core.task(offer.taskId)!;
      const waitSeconds = (w.now - task.enqueuedAt) / 1000;
      const queue = router.queues.get(task.queueId)!;
      const callbackNumber = router.callbackNumbers.get(task.id) ?? null;
      const v = await transitionTask(w.tx, tenantId, task.id, router.versions.get(task.id)!,
        sql`status = 'assigned', assigned_agent_id = ${userId}, assigned_at = clock_timestamp(), offer_id = NULL, offered_to = '{}'`,
        sql`AND status = 'offered' AND ${userId}::uuid = ANY(offered_to)`);
      if (v === undefined) throw conflict('the offer is no longer open');
      await appendEvent(w.tx, tenantId, 'routing_task.assigned', { taskId: task.id, queueId: task.queueId, agentId: userId, channel: task.channel, waitSeconds, callbackNumber });
      w.changed();
      router.versions.set(task.id, v);
      router.assignedAt.set(task.id, w.now);
      const { revoked } = router.core.accept(task.id, userId, w.now);
      this.offers.close(w, router, task.id, revoked, 'taken');
      await this.states.persist(w, router, userId, null, 0);
      w.after(() => {
        router.addFacts(task.queueId, w.now, { answered: 1, waitSeconds, answeredWithinTarget: waitSeconds <= queue.service_level_seconds ? 1 : 0 });
        router.agentCounters.add(userId, w.now, { answered: 1 });
        this.events.emit('task.assigned', { tenantId, taskId: task.id, queueId: task.queueId, agentId: userId, channel: task.channel, callbackNumber, waitSeconds });
      });
      // Ring-all: the other agents' reservations are free again.
      if (revoked.length) await this.offers.route(w, router, queuesOfAll(router, revoked));
      return { taskId: task.id };
    });
  }

  /** Rejected, unanswered in time (the agent becomes `missed`), or the agent's socket went away. */
  async decline(tenantId: string, offerId: string, userId: string | null, reason: WithdrawReason): Promise<void> {
    const router = await this.tenant(tenantId);
    await this.write(router, async (w) => {
      const offer = router.offers.get(offerId);
      if (!offer || (userId && !offer.agentIds.has(userId))) {
        if (reason === 'rejected') throw conflict('the offer is no longer open');
        return;
      }
      const agents = userId ? [userId] : [...offer.agentIds];
      const queueId = router.core.task(offer.taskId)?.queueId;
      await this.offers.withdraw(w, router, offer, agents, reason);
      // The task waits again; an agent who rejected it may take other work.
      await this.offers.route(w, router, [...(queueId ? [queueId] : []), ...queuesOfAll(router, agents)]);
    });
  }

  // Agent states

  async agentView(tenantId: string, userId: string) {
    const router = await this.tenant(tenantId);
    const view = router.agents.get(userId);
    const load = router.core.agentLoad(userId);
    const offers = [...router.offers.values()].filter((o) => o.agentIds.has(userId)).map((o) => ({ offerId: o.offerId, taskId: o.taskId, expiresAt: o.expiresAt }));
    return {
      userId,
      state: router.core.agentState(userId) ?? view?.state ?? 'offline',
      since: (view?.since ?? new Date(this.clock.now())).toISOString(),
      awayReasonId: view?.awayReasonId ?? null,
      acwEndsAt: view?.acwEndsAt?.toISOString() ?? null,
      tasks: load.work,
      offers,
    };
  }

  /** A person chooses offline, available or away (an agent for themselves, a supervisor for an agent). */
  async setState(tenantId: string, userId: string, state: ChosenState, awayReasonId: string | null, changedBy: string | null): Promise<void> {
    const router = await this.tenant(tenantId);
    await this.write(router, async (w) => {
      if (!router.agents.has(userId)) {
        const [row] = await loadAgents(w.tx, tenantId, userId);
        router.upsertAgent(row ?? { user_id: userId, state: 'offline', away_reason_id: null, state_since: new Date(w.now), acw_ends_at: null, capacity: { ...DEFAULT_CAPACITY }, call_blocks_chats: true, skills: {}, memberships: [] }, w.now);
      }
      const current = router.core.agentState(userId) ?? 'offline';
      const hasWork = router.core.agentLoad(userId).work.length > 0;
      const target: AgentStateName = state === 'available' && hasWork ? 'busy' : state;
      if (!canTransition(current, target)) throw conflict(`an agent cannot go from ${current} to ${state}`, 'state');
      let reasonText: string | null = null;
      if (state === 'away' && awayReasonId) {
        const [reason] = (await w.tx.execute<{ name: string }>(sql`SELECT name FROM routing_away_reasons WHERE tenant_id = ${tenantId} AND id = ${awayReasonId}`)).rows;
        if (!reason) throw new AppError('VALIDATION_FAILED', 'awayReasonId: no such away reason', { field: 'awayReasonId' });
        reasonText = reason.name;
      }
      w.changed();
      router.core.setAgentState(userId, target);
      await this.states.persist(w, router, userId, { awayReasonId: state === 'away' ? awayReasonId : null, text: reasonText, changedBy, force: true }, 0);
      // Going offline or away withdraws the agent's open offers (they go to someone else).
      if (target === 'offline' || target === 'away') await this.withdrawAll(w, router, userId);
      await this.offers.route(w, router, router.core.queuesOf(userId));
    });
  }

  private async withdrawAll(w: Write, router: TenantRouter, userId: string): Promise<string[]> {
    const queues: string[] = [];
    for (const offer of [...router.offers.values()]) {
      if (!offer.agentIds.has(userId)) continue;
      const queueId = router.core.task(offer.taskId)?.queueId;
      if (queueId) queues.push(queueId);
      await this.offers.withdraw(w, router, offer, [userId], 'disconnected');
    }
    return queues;
  }

  /** Adds time to the agent's after-call work (at most 30 minutes in all). */
  async extendAcw(tenantId: string, userId: string, seconds: number): Promise<void> {
    const router = await this.tenant(tenantId);
    await this.write(router, async (w) => {
      const view = router.agents.get(userId);
      if (!view || router.core.agentState(userId) !== 'acw' || !view.acwEndsAt) throw conflict('the agent is not in after-call work');
      const endsAt = Math.min(view.acwEndsAt.getTime() + seconds * 1000, view.since.getTime() + 30 * 60_000);
      await w.tx.execute(sql`UPDATE routing_agents SET acw_ends_at = ${new Date(endsAt)} WHERE tenant_id = ${tenantId} AND user_id = ${userId}`);
      w.after(() => this.states.scheduleAcwEnd(router, userId, endsAt));
    });
  }

  /** The agent's last socket closed: open offers go to someone else. */
  async agentDisconnected(tenantId: string, userId: string): Promise<void> {
    const pending = this.registry.loadedTenant(tenantId);
    if (!pending) return;
    const router = await pending;
    if (![...router.offers.values()].some((o) => o.agentIds.has(userId))) return;
    await this.write(router, async (w) => {
      const queues = await this.withdrawAll(w, router, userId);
      await this.offers.route(w, router, queues);
    });
  }

  // Statistics

  async queueStats(tenantId: string, queueId: string): Promise<QueueStatsEvent> {
    const router = await this.tenant(tenantId);
    if (!router.queues.has(queueId)) throw notFound('queue');
    return queueStatsOf(router, queueId, this.clock.now());
  }

  /** One agent's live figures (the `agent.stats` push). */
  async agentStats(tenantId: string, userId: string): Promise<AgentStatsEvent> {
    return agentStatsOf(await this.tenant(tenantId), userId, this.clock.now());
  }

  /** The members of a queue with their live figures (the `queue.agents` push). */
  async queueAgents(tenantId: string, queueId: string): Promise<QueueAgentsEvent> {
    const router = await this.tenant(tenantId);
    if (!router.queues.has(queueId)) throw notFound('queue');
    const now = this.clock.now();
    return { queueId, at: new Date(now).toISOString(), agents: router.core.membersOf(queueId).map((userId) => agentStatsOf(router, userId, now)) };
  }
}

/** The queues any of these agents serves (to route after they were freed). */
function queuesOfAll(router: TenantRouter, agentIds: Iterable<string>): string[] {
  const queues = new Set<string>();
  for (const id of agentIds) for (const q of router.core.queuesOf(id)) queues.add(q);
  return [...queues];
}
