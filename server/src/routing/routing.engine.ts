// The RoutingService: enqueue, cancel and complete tasks; offers over the realtime hub with a timeout
// (accept / reject / timeout → missed and re-offer); agent states with history; estimated waits; stats.
// Each step is written to PostgreSQL first (a conditional UPDATE on the task's version that must change one
// row), then applied to the tenant's in-memory RouterCore, then announced.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import type { QueueStatsEvent, ServerMessage, TaskChannel } from '@kefu/contracts';
import { appendEvent } from '../platform/events/outbox.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { AppError, conflict, notFound } from '../platform/errors.ts';
import type { RealtimeHub } from '../realtime/realtime.hub.ts';
import { canTransition, type ChosenState } from './agent-state.machine.ts';
import { addFacts, loadAgents, transitionTask } from './routing.store.ts';
import type { EnqueueInput } from './routing.schemas.ts';
import type { AgentStateName } from './routing.types.ts';
import { TenantRouter, type Liveness } from './tenant-router.ts';
import { queueStatsOf, readTask } from './routing.queries.ts';
import { AgentStateWriter } from './agent-state.writer.ts';

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

export class RoutingEngine {
  readonly events = new EventEmitter<RoutingEvents>();
  private readonly tenants = new Map<string, Promise<TenantRouter>>();
  private readonly liveness = new Map<string, Liveness>();
  private readonly clock: Clock;
  private readonly random: () => number;

  private readonly states: AgentStateWriter;

  constructor(private readonly deps: RoutingEngineDeps) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.states = new AgentStateWriter(deps.database, deps.hub, this.clock, this.events, (router) => this.dispatch(router), deps.onError);
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

  async stop(): Promise<void> {
    for (const pending of this.tenants.values()) {
      const router = await pending.catch(() => undefined);
      if (!router) continue;
      // Let the operation in progress finish (its transaction commits or fails) before the tenant is forgotten.
      await router.run(async () => {});
      for (const offer of router.offers.values()) this.clock.clearTimeout(offer.timer);
      for (const agent of router.agents.values()) if (agent.acwTimer) this.clock.clearTimeout(agent.acwTimer);
    }
    this.tenants.clear();
  }

  tenant(tenantId: string): Promise<TenantRouter> {
    let router = this.tenants.get(tenantId);
    if (!router) {
      router = TenantRouter.load(this.deps.database, tenantId, this.clock.now(), this.random, this.liveness);
      router.catch(() => this.tenants.delete(tenantId));
      this.tenants.set(tenantId, router);
    }
    return router;
  }

  loadedTenants(): Promise<TenantRouter>[] {
    return [...this.tenants.values()];
  }

  /** After an admin change: queues, memberships, capacity and skills are read again. */
  async reloadConfig(tenantId: string): Promise<void> {
    const pending = this.tenants.get(tenantId);
    if (!pending) return;
    const router = await pending;
    await router.run(() => router.reloadConfig(this.deps.database, this.clock.now()));
    await this.dispatch(router);
  }

  // Tasks

  async enqueue(tenantId: string, input: EnqueueInput): Promise<{ taskId: string; position: number | null; estimatedWaitSeconds: number | null }> {
    const router = await this.tenant(tenantId);
    const taskId = await router.run(async () => {
      const queue = router.queues.get(input.queueId);
      if (!queue) throw notFound('queue');
      if (!queue.channels.includes(input.channel) && !(input.channel === 'callback' && queue.channels.includes('voice'))) {
        throw new AppError('VALIDATION_FAILED', `the queue does not serve ${input.channel}`, { field: 'channel' });
      }
      const row = await this.deps.database.withTenant(tenantId, async (tx) => {
        const [r] = (
          await tx.execute<{ id: string; enqueued_at: Date; version: number }>(sql`
            INSERT INTO routing_tasks (tenant_id, queue_id, channel, priority, attributes, required_skills, previous_agent_id, contact_id, external_ref, callback_number, enqueued_at)
            VALUES (${tenantId}, ${input.queueId}, ${input.channel}, ${input.priority ?? 0}, ${JSON.stringify(input.attributes ?? {})}::jsonb,
                    ${JSON.stringify((input.requiredSkills ?? []).map((r) => ({ weight: 1, ...r })))}::jsonb, ${input.previousAgentId ?? null},
                    ${input.contactId ?? null}, ${input.externalRef ?? null}, ${input.callbackNumber ?? null}, ${input.enqueuedAt ?? new Date(this.clock.now())})
            RETURNING id, enqueued_at, version`)
        ).rows;
        await addFacts(tx, tenantId, input.queueId, { offered: 1 });
        return r!;
      });
      router.versions.set(row.id, row.version);
      if (input.callbackNumber) router.callbackNumbers.set(row.id, input.callbackNumber);
      router.core.enqueue({
        id: row.id,
        queueId: input.queueId,
        channel: input.channel,
        priority: input.priority ?? 0,
        enqueuedAt: new Date(row.enqueued_at).getTime(),
        attributes: input.attributes ?? {},
        previousAgentId: input.previousAgentId ?? null,
        requiredSkills: (input.requiredSkills ?? []).map((r) => ({ weight: 1, ...r })),
      });
      this.events.emit('task.queued', { tenantId, taskId: row.id, queueId: input.queueId, channel: input.channel });
      return row.id;
    });
    await this.dispatch(router);
    const estimate = router.core.estimate(taskId, this.clock.now());
    return { taskId, position: estimate?.position ?? null, estimatedWaitSeconds: estimate?.estimatedWaitSeconds ?? null };
  }

  /** Position and estimated wait of a waiting task (nulls once an agent has it). */
  async estimateOf(tenantId: string, taskId: string): Promise<{ position: number | null; estimatedWaitSeconds: number | null }> {
    const router = await this.tenant(tenantId);
    const estimate = router.core.estimate(taskId, this.clock.now());
    return { position: estimate?.position ?? null, estimatedWaitSeconds: estimate?.estimatedWaitSeconds ?? null };
  }

  /** A task as stored (any node may read it). */
  taskRow(tenantId: string, taskId: string) {
    return readTask(this.deps.database, tenantId, taskId);
  }

  /** The customer left (or the owner withdrew the task) before or during an offer; an assigned task completes. */
  async cancel(tenantId: string, taskId: string, reason: 'abandoned' | 'cancelled' = 'abandoned'): Promise<void> {
    const router = await this.tenant(tenantId);
    const task = router.core.task(taskId);
    if (task?.status === 'assigned') return this.complete(tenantId, taskId);
    await router.run(async () => {
      const t = router.core.task(taskId);
      if (!t) throw notFound('task');
      const queueId = t.queueId;
      await this.deps.database.withTenant(tenantId, async (tx) => {
        const v = await transitionTask(tx, tenantId, taskId, router.versions.get(taskId)!, sql`status = ${reason}, ended_at = clock_timestamp(), end_reason = ${reason}, offered_to = '{}'`, sql`AND status IN ('queued', 'offered')`);
        if (v === undefined) throw conflict('the task changed meanwhile; try again');
        if (reason === 'abandoned') await addFacts(tx, tenantId, queueId, { abandoned: 1 });
        await appendEvent(tx, tenantId, 'routing_task.ended', { taskId, queueId, reason });
      });
      const { revoked } = router.core.cancel(taskId, this.clock.now());
      this.closeOffer(router, taskId, revoked, 'cancelled');
      router.versions.delete(taskId);
      this.events.emit('task.ended', { tenantId, taskId, queueId, reason });
    });
    await this.dispatch(router);
  }

  /** The work ended (hang-up, chat closed): the agent's capacity frees, after-call work may follow. */
  async complete(tenantId: string, taskId: string): Promise<void> {
    const router = await this.tenant(tenantId);
    await router.run(async () => {
      const t = router.core.task(taskId);
      if (!t || t.status !== 'assigned') throw notFound('assigned task');
      const queueId = t.queueId;
      const handle = await this.deps.database.withTenant(tenantId, async (tx) => {
        const [row] = (
          await tx.execute<{ seconds: number }>(sql`
            UPDATE routing_tasks SET status = 'completed', ended_at = clock_timestamp(), end_reason = 'completed', version = version + 1
            WHERE tenant_id = ${tenantId} AND id = ${taskId} AND version = ${router.versions.get(taskId)!} AND status = 'assigned'
            RETURNING extract(epoch FROM ended_at - assigned_at)::float8 AS seconds`)
        ).rows;
        if (!row) throw conflict('the task changed meanwhile; try again');
        await addFacts(tx, tenantId, queueId, { handled: 1, handleSeconds: row.seconds });
        await appendEvent(tx, tenantId, 'routing_task.ended', { taskId, queueId, reason: 'completed' });
        return row.seconds;
      });
      const { agentId, acwSeconds } = router.core.complete(taskId, this.clock.now(), handle);
      router.versions.delete(taskId);
      if (agentId) await this.deps.database.withTenant(tenantId, (tx) => this.states.persist(tx, router, agentId, null, acwSeconds));
      this.events.emit('task.ended', { tenantId, taskId, queueId, reason: 'completed' });
    });
    await this.dispatch(router);
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

  /** Matches waiting tasks to agents and sends the offers. */
  async dispatch(router: TenantRouter): Promise<void> {
    await router.run(async () => {
      const now = this.clock.now();
      const { moved, expired } = router.core.tick(now);
      for (const id of expired) await this.expire(router, id);
      if (moved.length) {
        await this.deps.database.withTenant(router.tenantId, async (tx) => {
          for (const m of moved) {
            const v = await transitionTask(tx, router.tenantId, m.taskId, router.versions.get(m.taskId)!, sql`queue_id = ${m.queueId}`);
            if (v !== undefined) router.versions.set(m.taskId, v);
          }
        });
      }
      for (const decision of router.core.route(now)) {
        const queue = router.queues.get(decision.queueId)!;
        const offerId = randomUUID();
        const v = await this.deps.database.withTenant(router.tenantId, (tx) =>
          transitionTask(tx, router.tenantId, decision.taskId, router.versions.get(decision.taskId)!,
            sql`status = 'offered', offer_id = ${offerId}, offered_to = ${`{${decision.agentIds.join(',')}}`}::uuid[], offered_at = clock_timestamp()`, sql`AND status = 'queued'`),
        );
        if (v === undefined) {
          // Another router or request changed the task: drop it here; the database copy is the truth.
          router.core.cancel(decision.taskId, now);
          router.versions.delete(decision.taskId);
          continue;
        }
        router.versions.set(decision.taskId, v);
        const expiresAt = now + queue.offer_timeout_seconds * 1000;
        const timer = this.clock.setTimeout(() => void this.decline(router.tenantId, offerId, null, 'timeout').catch((e) => this.deps.onError?.(e, 'offer timeout')), queue.offer_timeout_seconds * 1000);
        router.offers.set(offerId, { offerId, taskId: decision.taskId, agentIds: new Set(decision.agentIds), expiresAt, timer });
        router.offerOfTask.set(decision.taskId, offerId);
        const task = router.core.task(decision.taskId)!;
        const message: ServerMessage = {
          type: 'event',
          name: 'offer',
          data: { offerId, taskId: task.id, queueId: queue.id, queueName: queue.name, channel: task.channel, expiresAt, attributes: task.attributes, contactId: null },
        };
        for (const agentId of decision.agentIds) this.deps.hub.sendToUser(router.tenantId, agentId, message);
        this.events.emit('task.offered', { tenantId: router.tenantId, taskId: task.id, offerId, agentIds: decision.agentIds });
      }
    });
  }

  /** The agent takes the offered task. Exactly one accept wins: the conditional UPDATE changes one row or none. */
  async accept(tenantId: string, userId: string, offerId: string): Promise<{ taskId: string }> {
    const router = await this.tenant(tenantId);
    const result = await router.run(async () => {
      const offer = router.offers.get(offerId);
      if (!offer || !offer.agentIds.has(userId)) throw conflict('the offer is no longer open');
      const task = router.core.task(offer.taskId)!;
      const now = this.clock.now();
      const waitSeconds = (now - task.enqueuedAt) / 1000;
      const queue = router.queues.get(task.queueId)!;
      await this.deps.database.withTenant(tenantId, async (tx) => {
        const v = await transitionTask(tx, tenantId, task.id, router.versions.get(task.id)!,
          sql`status = 'assigned', assigned_agent_id = ${userId}, assigned_at = clock_timestamp(), offer_id = NULL, offered_to = '{}'`,
          sql`AND status = 'offered' AND ${userId}::uuid = ANY(offered_to)`);
        if (v === undefined) throw conflict('the offer is no longer open');
        router.versions.set(task.id, v);
        await addFacts(tx, tenantId, task.queueId, { answered: 1, waitSeconds, answeredWithinTarget: waitSeconds <= queue.service_level_seconds ? 1 : 0 });
        await appendEvent(tx, tenantId, 'routing_task.assigned', { taskId: task.id, queueId: task.queueId, agentId: userId, channel: task.channel, waitSeconds, callbackNumber: router.callbackNumbers.get(task.id) ?? null });
      });
      // Committed: now the memory follows.
      const { revoked } = router.core.accept(task.id, userId, now);
      this.closeOffer(router, task.id, revoked, 'taken');
      await this.deps.database.withTenant(tenantId, (tx) => this.states.persist(tx, router, userId, null, 0));
      this.events.emit('task.assigned', { tenantId, taskId: task.id, queueId: task.queueId, agentId: userId, channel: task.channel, callbackNumber: router.callbackNumbers.get(task.id) ?? null, waitSeconds });
      return { taskId: task.id };
    });
    await this.dispatch(router);
    return result;
  }

  /** Rejected, unanswered in time (the agent becomes `missed`), or the agent's socket went away. */
  async decline(tenantId: string, offerId: string, userId: string | null, reason: 'rejected' | 'timeout' | 'disconnected'): Promise<void> {
    const router = await this.tenant(tenantId);
    await router.run(async () => {
      const offer = router.offers.get(offerId);
      if (!offer || (userId && !offer.agentIds.has(userId))) {
        if (reason === 'rejected') throw conflict('the offer is no longer open');
        return;
      }
      const agents = userId ? [userId] : [...offer.agentIds];
      const remaining = [...offer.agentIds].filter((a) => !agents.includes(a));
      await this.deps.database.withTenant(tenantId, async (tx) => {
        const set = remaining.length
          ? sql`offered_to = ${`{${remaining.join(',')}}`}::uuid[]`
          : sql`status = 'queued', offer_id = NULL, offered_to = '{}'`;
        const v = await transitionTask(tx, tenantId, offer.taskId, router.versions.get(offer.taskId)!, set, sql`AND status = 'offered'`);
        if (v !== undefined) router.versions.set(offer.taskId, v);
        for (const agentId of agents) {
          router.core.decline(offer.taskId, agentId, reason);
          offer.agentIds.delete(agentId);
          this.deps.hub.sendToUser(tenantId, agentId, { type: 'event', name: 'offer.revoked', data: { offerId, taskId: offer.taskId, reason } });
          await this.states.persist(tx, router, agentId, null, 0);
        }
      });
      this.events.emit('offer.revoked', { tenantId, taskId: offer.taskId, offerId, agentIds: agents, reason });
      if (offer.agentIds.size === 0) {
        this.clock.clearTimeout(offer.timer);
        router.offers.delete(offerId);
        router.offerOfTask.delete(offer.taskId);
      }
    });
    await this.dispatch(router);
  }

  /** Withdraws the open offer of a task from the given agents and forgets it. */
  private closeOffer(router: TenantRouter, taskId: string, revoked: string[], reason: 'taken' | 'cancelled'): void {
    const offerId = router.offerOfTask.get(taskId);
    if (!offerId) return;
    const offer = router.offers.get(offerId);
    if (offer) this.clock.clearTimeout(offer.timer);
    router.offers.delete(offerId);
    router.offerOfTask.delete(taskId);
    for (const agentId of revoked) this.deps.hub.sendToUser(router.tenantId, agentId, { type: 'event', name: 'offer.revoked', data: { offerId, taskId, reason } });
    if (revoked.length) this.events.emit('offer.revoked', { tenantId: router.tenantId, taskId, offerId, agentIds: revoked, reason });
  }

  private async expire(router: TenantRouter, taskId: string): Promise<void> {
    const task = router.core.task(taskId);
    if (!task) return;
    await this.deps.database.withTenant(router.tenantId, async (tx) => {
      await transitionTask(tx, router.tenantId, taskId, router.versions.get(taskId)!, sql`status = 'expired', ended_at = clock_timestamp(), end_reason = 'max_wait'`, sql`AND status = 'queued'`);
      await addFacts(tx, router.tenantId, task.queueId, { abandoned: 1 });
      await appendEvent(tx, router.tenantId, 'routing_task.ended', { taskId, queueId: task.queueId, reason: 'expired' });
    });
    router.core.cancel(taskId, this.clock.now());
    router.versions.delete(taskId);
    this.events.emit('task.ended', { tenantId: router.tenantId, taskId, queueId: task.queueId, reason: 'expired' });
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
    await router.run(async () => {
      if (!router.agents.has(userId)) {
        const [row] = await this.deps.database.withTenant(tenantId, (tx) => loadAgents(tx, tenantId, userId));
        if (row) router.upsertAgent(row, this.clock.now());
        else {
          router.upsertAgent({ user_id: userId, state: 'offline', away_reason_id: null, state_since: new Date(this.clock.now()), acw_ends_at: null, capacity: { voice: 1, callback: 1, chat: 3, email: 5 }, call_blocks_chats: true, skills: {}, memberships: [] }, this.clock.now());
        }
      }
      const current = router.core.agentState(userId) ?? 'offline';
      const hasWork = router.core.agentLoad(userId).work.length > 0;
      const target: AgentStateName = state === 'available' && hasWork ? 'busy' : state;
      if (!canTransition(current, target)) throw conflict(`an agent cannot go from ${current} to ${state}`, 'state');
      let reasonText: string | null = null;
      await this.deps.database.withTenant(tenantId, async (tx) => {
        if (state === 'away' && awayReasonId) {
          const [reason] = (await tx.execute<{ name: string }>(sql`SELECT name FROM routing_away_reasons WHERE tenant_id = ${tenantId} AND id = ${awayReasonId}`)).rows;
          if (!reason) throw new AppError('VALIDATION_FAILED', 'awayReasonId: no such away reason', { field: 'awayReasonId' });
          reasonText = reason.name;
        }
        router.core.setAgentState(userId, target);
        await this.states.persist(tx, router, userId, { awayReasonId: state === 'away' ? awayReasonId : null, text: reasonText, changedBy, force: true }, 0);
      });
      // Going offline or away withdraws the agent's open offers (they go to someone else).
      if (target === 'offline' || target === 'away') {
        for (const offer of [...router.offers.values()]) if (offer.agentIds.has(userId)) queueMicrotask(() => void this.decline(tenantId, offer.offerId, userId, 'disconnected').catch(() => {}));
      }
    });
    await this.dispatch(router);
  }

  /** Adds time to the agent's after-call work (at most 30 minutes in all). */
  async extendAcw(tenantId: string, userId: string, seconds: number): Promise<void> {
    const router = await this.tenant(tenantId);
    await router.run(async () => {
      const view = router.agents.get(userId);
      if (!view || router.core.agentState(userId) !== 'acw' || !view.acwEndsAt) throw conflict('the agent is not in after-call work');
      const endsAt = Math.min(view.acwEndsAt.getTime() + seconds * 1000, view.since.getTime() + 30 * 60_000);
      this.states.scheduleAcwEnd(router, userId, endsAt);
      await this.deps.database.withTenant(tenantId, (tx) => tx.execute(sql`UPDATE routing_agents SET acw_ends_at = ${new Date(endsAt)} WHERE tenant_id = ${tenantId} AND user_id = ${userId}`));
    });
  }

  /** The agent's last socket closed: open offers go to someone else. */
  async agentDisconnected(tenantId: string, userId: string): Promise<void> {
    const pending = this.tenants.get(tenantId);
    if (!pending) return;
    const router = await pending;
    for (const offer of [...router.offers.values()]) if (offer.agentIds.has(userId)) await this.decline(tenantId, offer.offerId, userId, 'disconnected');
  }

  // Statistics

  async queueStats(tenantId: string, queueId: string): Promise<QueueStatsEvent> {
    const router = await this.tenant(tenantId);
    if (!router.queues.has(queueId)) throw notFound('queue');
    return queueStatsOf(router, queueId, this.clock.now());
  }
}
