// The voice side of routing (server/src/routing): a call waits as a routing task of channel `voice` whose
// externalRef is the SIP Call-ID. The router decides who gets the offer; this adapter turns the router's
// in-process events into per-task callbacks for the call session that owns the task, and the session answers
// with accept (a phone answered), decline (a phone refused), cancel (the caller left) and complete (hangup).
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';
import type { RoutingService } from '../routing/routing.service.ts';
import type { SkillRequirement } from './call-control.ts';

export interface TaskHandlers {
  /** The router offers the task to these agents (ring their devices). */
  offered(offerId: string, agentIds: string[]): void;
  /** The offer left these agents without them taking it (timeout, rejected on the desktop, taken by another). */
  revoked(offerId: string, agentIds: string[]): void;
  /** An agent took the task (the phone that answered, or the desktop's accept). */
  assigned(agentId: string): void;
  /** The task ended without this session ending it (max wait, withdrawn by a supervisor or integration). */
  ended(reason: string): void;
}

export interface EnqueueCall {
  tenantId: string;
  callId: string;
  interactionId: string;
  queueId: string;
  priority?: number | undefined;
  skills?: SkillRequirement[] | undefined;
  attributes?: Record<string, string | number | boolean | null> | undefined;
  previousAgentId?: string | null | undefined;
}

type Pending = { handlers: TaskHandlers | undefined; buffered: ((h: TaskHandlers) => void)[]; since: number };

export class VoiceQueue {
  /** Voice tasks this node has seen queued, with their session's handlers (or events buffered until it watches). */
  private readonly tasks = new Map<string, Pending>();

  constructor(private readonly routing: RoutingService, private readonly database: Database, private readonly liveCalls: (callId: string) => boolean) {
    const events = routing.events;
    // Events of enqueue() arrive before enqueue returns the task id: buffer them for the session.
    events.on('task.queued', ({ taskId, channel }) => {
      if (channel === 'voice' && !this.tasks.has(taskId)) this.tasks.set(taskId, { handlers: undefined, buffered: [], since: Date.now() });
    });
    events.on('task.offered', ({ taskId, offerId, agentIds }) => this.deliver(taskId, (h) => h.offered(offerId, agentIds)));
    events.on('offer.revoked', ({ taskId, offerId, agentIds }) => this.deliver(taskId, (h) => h.revoked(offerId, agentIds)));
    events.on('task.assigned', ({ taskId, agentId }) => this.deliver(taskId, (h) => h.assigned(agentId)));
    events.on('task.ended', ({ taskId, reason }) => {
      this.deliver(taskId, (h) => h.ended(reason));
      this.tasks.delete(taskId);
    });
    // After a restart or a takeover the router reloads open tasks: a voice task whose call is gone is dropped. The
    // call may live on another node (cluster), so the interaction's state decides when this node does not hold it.
    routing.registerLiveness('voice', async (t) => !!t.externalRef && (this.liveCalls(t.externalRef) || (await this.liveAnywhere(t.externalRef))));
  }

  private deliver(taskId: string, fn: (h: TaskHandlers) => void): void {
    const entry = this.tasks.get(taskId);
    if (!entry) return;
    if (entry.handlers) fn(entry.handlers);
    else entry.buffered.push(fn);
  }

  /**
   * At start, after crash recovery closed the calls that died with the previous process: their routing tasks
   * (still open in the database, reloaded by routing before this module started) are withdrawn or completed.
   */
  async sweepDeadTasks(): Promise<number> {
    const open = (await this.database.withSystem(async (tx) =>
      (await tx.execute<{ id: string; tenant_id: string; external_ref: string | null; status: string }>(sql`
        SELECT id, tenant_id, external_ref, status FROM routing_tasks WHERE channel = 'voice' AND status IN ('queued', 'offered', 'assigned')`)).rows));
    let swept = 0;
    for (const t of open) {
      if (t.external_ref && (this.liveCalls(t.external_ref) || (await this.liveAnywhere(t.external_ref)))) continue;
      if (t.status === 'assigned') await this.complete(t.tenant_id, t.id).catch(() => {});
      else await this.cancel(t.tenant_id, t.id, 'cancelled').catch(() => {});
      swept++;
    }
    return swept;
  }

  /** Whether a voice interaction with this Call-ID is still live (system path: the task names no tenant here). */
  private async liveAnywhere(callId: string): Promise<boolean> {
    const [row] = await this.database.withSystem(async (tx) =>
      (await tx.execute<{ x: number }>(sql`SELECT 1 AS x FROM interactions WHERE channel = 'voice' AND state = 'live' AND external_ref = ${callId} LIMIT 1`)).rows);
    return !!row;
  }

  async enqueue(call: EnqueueCall): Promise<string> {
    this.forgetAbandoned();
    const { taskId } = await this.routing.enqueue(call.tenantId, {
      queueId: call.queueId,
      channel: 'voice',
      externalRef: call.callId,
      ...(call.priority !== undefined ? { priority: call.priority } : {}),
      ...(call.skills?.length ? { requiredSkills: call.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel, weight: s.weight ?? 1 })) } : {}),
      attributes: { interactionId: call.interactionId, ...call.attributes },
      ...(call.previousAgentId ? { previousAgentId: call.previousAgentId } : {}),
    });
    if (!this.tasks.has(taskId)) this.tasks.set(taskId, { handlers: undefined, buffered: [], since: Date.now() });
    return taskId;
  }

  /** The session's callbacks for its task; buffered events are replayed at once. */
  watch(taskId: string, handlers: TaskHandlers): () => void {
    const entry = this.tasks.get(taskId);
    if (!entry) {
      queueMicrotask(() => handlers.ended('unknown'));
      return () => {};
    }
    entry.handlers = handlers;
    for (const fn of entry.buffered.splice(0)) fn(handlers);
    return () => {
      if (this.tasks.get(taskId)?.handlers === handlers) this.tasks.delete(taskId);
    };
  }

  /** True when this agent now has the task; false when someone else took it or the offer closed. */
  async accept(tenantId: string, agentId: string, offerId: string): Promise<boolean> {
    try {
      await this.routing.accept(tenantId, agentId, offerId);
      return true;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'CONFLICT' || err.code === 'NOT_FOUND')) return false;
      throw err;
    }
  }

  async decline(tenantId: string, offerId: string, agentId: string): Promise<void> {
    await this.routing.decline(tenantId, offerId, agentId, 'rejected').catch(() => {}); // already closed: nothing to do
  }

  /** The caller left while waiting (abandoned), or the session withdraws the task (cancelled); assigned → completed. */
  async cancel(tenantId: string, taskId: string, reason: 'abandoned' | 'cancelled'): Promise<void> {
    await this.routing.cancel(tenantId, taskId, reason).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
    });
  }

  async complete(tenantId: string, taskId: string): Promise<void> {
    await this.routing.complete(tenantId, taskId).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
    });
  }

  /** When the agent's open offer for a task expires (epoch ms), if it is still open. */
  async offerExpiresAt(tenantId: string, agentId: string, offerId: string): Promise<number | undefined> {
    const view = await this.routing.agentView(tenantId, agentId);
    return view.offers.find((o) => o.offerId === offerId)?.expiresAt;
  }

  /** Position (1 = next) and estimated wait of a waiting task, from the tenant's router; undefined once it left. */
  async estimate(tenantId: string, taskId: string): Promise<{ position: number | null; estimatedWaitSeconds: number | null } | undefined> {
    const e = await this.routing.estimateOf(tenantId, taskId);
    return e.position === null ? undefined : e;
  }

  /** Replaces a waiting task with a callback task that keeps its place (routing dials nothing: voice does). */
  async requestCallback(tenantId: string, taskId: string, number: string): Promise<void> {
    await this.routing.requestCallback(tenantId, taskId, number);
  }

  /** Phone login: an agent whose phone registers while signed out becomes available. */
  async phoneLogin(tenantId: string, userId: string): Promise<void> {
    const view = await this.routing.agentView(tenantId, userId);
    if (view.state === 'offline') await this.routing.setState(tenantId, userId, 'available', null, userId);
  }

  /** The division's default voice queue: its oldest queue that serves voice. */
  async defaultQueue(tenantId: string, divisionId: string): Promise<string | undefined> {
    const [row] = await this.database.withTenant(tenantId, async (tx) =>
      (await tx.execute<{ id: string }>(sql`SELECT id FROM routing_queues WHERE tenant_id = ${tenantId} AND division_id = ${divisionId}
        AND 'voice' = ANY(channels) ORDER BY created_at, id LIMIT 1`)).rows);
    return row?.id;
  }

  /** Entries of voice tasks nobody on this node watches (enqueued elsewhere) are forgotten after a minute. */
  private forgetAbandoned(): void {
    const old = Date.now() - 60_000;
    for (const [id, e] of this.tasks) if (!e.handlers && e.since < old) this.tasks.delete(id);
  }
}
