// The offer protocol's writes, inside an operation's transaction: a routing pass (the core's decisions, all
// offers of the pass in one conditional UPDATE), withdrawing an offer from some of its agents (rejected, timed
// out, agent gone), closing an offer once its task is taken or cancelled, and expiring tasks past their queue's
// maximum wait. Messages to agents and in-process events are sent after the commit.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import type { ServerMessage } from '@kefu/contracts';
import { appendEvent } from '../platform/events/outbox.ts';
import type { RealtimeHub } from '../realtime/realtime.hub.ts';
import type { AgentStateWriter } from './agent-state.writer.ts';
import type { Clock, RoutingEvents } from './routing.engine.ts';
import { offerTasks, transitionTask } from './routing.store.ts';
import type { OpenOffer, TenantRouter, Write } from './tenant-router.ts';

export type WithdrawReason = 'rejected' | 'timeout' | 'disconnected';

export class OfferDesk {
  constructor(
    private readonly hub: RealtimeHub,
    private readonly clock: Clock,
    private readonly events: EventEmitter<RoutingEvents>,
    private readonly states: AgentStateWriter,
    /** Called when an offer's time is up (the engine withdraws it as `timeout`). */
    private readonly onTimeout: (router: TenantRouter, offerId: string) => void,
  ) {}

  /**
   * Matches waiting tasks to agents — of the given queues only, since nothing else can have become routable
   * after an event in them; of all queues on the per-second pass — and writes every offer of the pass at once.
   */
  async route(w: Write, router: TenantRouter, queueIds?: Iterable<string>): Promise<void> {
    const decisions = router.core.route(w.now, queueIds);
    if (decisions.length === 0) return;
    w.changed();
    const planned = decisions.map((d) => ({ ...d, offerId: randomUUID(), version: router.versions.get(d.taskId)! }));
    const changed = await offerTasks(w.tx, router.tenantId, planned.map((p) => ({ taskId: p.taskId, version: p.version, offerId: p.offerId, agentIds: p.agentIds })));
    for (const p of planned) {
      const version = changed.get(p.taskId);
      if (version === undefined) {
        // Another router or request changed the task: the database copy is the truth, reload from it.
        w.diverged();
        continue;
      }
      router.versions.set(p.taskId, version);
      const queue = router.queues.get(p.queueId)!;
      const expiresAt = w.now + queue.offer_timeout_seconds * 1000;
      const offer: OpenOffer = { offerId: p.offerId, taskId: p.taskId, agentIds: new Set(p.agentIds), expiresAt, timer: undefined };
      router.offers.set(p.offerId, offer);
      router.offerOfTask.set(p.taskId, p.offerId);
      const task = router.core.task(p.taskId)!;
      const message: ServerMessage = {
        type: 'event',
        name: 'offer',
        data: { offerId: p.offerId, taskId: task.id, queueId: queue.id, queueName: queue.name, channel: task.channel, expiresAt, attributes: task.attributes, contactId: null },
      };
      w.after(() => {
        // A later operation may already have withdrawn it (it waited for this commit on the task's row).
        if (router.offers.get(p.offerId) !== offer || router.closed) return;
        offer.timer = this.clock.setTimeout(() => this.onTimeout(router, p.offerId), queue.offer_timeout_seconds * 1000);
        for (const agentId of p.agentIds) this.hub.sendToUser(router.tenantId, agentId, message);
        this.events.emit('task.offered', { tenantId: router.tenantId, taskId: task.id, offerId: p.offerId, agentIds: p.agentIds });
      });
    }
  }

  /** Takes the offer away from `agents` (all of its agents when none are named); the task waits again when nobody is left. */
  async withdraw(w: Write, router: TenantRouter, offer: OpenOffer, agents: string[], reason: WithdrawReason): Promise<void> {
    const remaining = [...offer.agentIds].filter((a) => !agents.includes(a));
    w.changed();
    const set = remaining.length ? sql`offered_to = ${`{${remaining.join(',')}}`}::uuid[]` : sql`status = 'queued', offer_id = NULL, offered_to = '{}'`;
    const version = await transitionTask(w.tx, router.tenantId, offer.taskId, router.versions.get(offer.taskId)!, set, sql`AND status = 'offered'`);
    if (version === undefined) w.diverged();
    else router.versions.set(offer.taskId, version);
    for (const agentId of agents) {
      router.core.decline(offer.taskId, agentId, reason);
      offer.agentIds.delete(agentId);
      await this.states.persist(w, router, agentId, null, 0); // `missed` after a timeout
    }
    const done = offer.agentIds.size === 0;
    if (done) {
      router.offers.delete(offer.offerId);
      router.offerOfTask.delete(offer.taskId);
    }
    w.after(() => {
      if (done) this.clock.clearTimeout(offer.timer);
      for (const agentId of agents) {
        this.hub.sendToUser(router.tenantId, agentId, { type: 'event', name: 'offer.revoked', data: { offerId: offer.offerId, taskId: offer.taskId, reason } });
        if (reason !== 'disconnected') router.agentCounters.add(agentId, w.now, reason === 'timeout' ? { missed: 1 } : { rejected: 1 });
      }
      this.events.emit('offer.revoked', { tenantId: router.tenantId, taskId: offer.taskId, offerId: offer.offerId, agentIds: agents, reason });
    });
  }

  /** Forgets the open offer of a task that was taken or cancelled, and tells the other agents after the commit. */
  close(w: Write, router: TenantRouter, taskId: string, revoked: string[], reason: 'taken' | 'cancelled'): void {
    const offerId = router.offerOfTask.get(taskId);
    if (!offerId) return;
    const offer = router.offers.get(offerId);
    router.offers.delete(offerId);
    router.offerOfTask.delete(taskId);
    w.after(() => {
      if (offer) this.clock.clearTimeout(offer.timer);
      for (const agentId of revoked) this.hub.sendToUser(router.tenantId, agentId, { type: 'event', name: 'offer.revoked', data: { offerId, taskId, reason } });
      if (revoked.length) this.events.emit('offer.revoked', { tenantId: router.tenantId, taskId, offerId, agentIds: revoked, reason });
    });
  }

  /** Applies overflow rules and maximum waits (the per-second pass). Returns the queues that gained routable tasks. */
  async tick(w: Write, router: TenantRouter): Promise<void> {
    const { moved, expired } = router.core.tick(w.now);
    if (moved.length === 0 && expired.length === 0) return;
    w.changed();
    for (const m of moved) {
      const version = await transitionTask(w.tx, router.tenantId, m.taskId, router.versions.get(m.taskId)!, sql`queue_id = ${m.queueId}`);
      if (version === undefined) w.diverged();
      else router.versions.set(m.taskId, version);
    }
    for (const taskId of expired) {
      const task = router.core.task(taskId);
      if (!task) continue;
      const queueId = task.queueId;
      const version = await transitionTask(w.tx, router.tenantId, taskId, router.versions.get(taskId)!, sql`status = 'expired', ended_at = clock_timestamp(), end_reason = 'max_wait'`, sql`AND status = 'queued'`);
      if (version === undefined) w.diverged();
      await appendEvent(w.tx, router.tenantId, 'routing_task.ended', { taskId, queueId, reason: 'expired' });
      router.core.cancel(taskId, w.now);
      router.versions.delete(taskId);
      w.after(() => {
        router.addFacts(queueId, w.now, { abandoned: 1 });
        this.events.emit('task.ended', { tenantId: router.tenantId, taskId, queueId, reason: 'expired' });
      });
    }
  }
}
