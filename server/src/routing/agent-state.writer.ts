// Writes agent state changes: the routing_agents row and its history (one statement), the outbox event, and,
// after the commit, the push to the agent's desktop and the in-process event; and the after-call-work timer
// that ends ACW.
import type { EventEmitter } from 'node:events';
import { appendEvent } from '../platform/events/outbox.ts';
import type { RealtimeHub } from '../realtime/realtime.hub.ts';
import type { Clock, RoutingEvents } from './routing.engine.ts';
import { saveAgentState } from './routing.store.ts';
import type { TenantRouter, Write } from './tenant-router.ts';

export interface ChosenStateChange {
  awayReasonId: string | null;
  text: string | null;
  changedBy: string | null;
  force: true;
}

export class AgentStateWriter {
  constructor(
    private readonly hub: RealtimeHub,
    private readonly clock: Clock,
    private readonly events: EventEmitter<RoutingEvents>,
    /** Runs an operation of the tenant (the engine's pipeline); `endAcw` goes through it. */
    private readonly write: (router: TenantRouter, fn: (w: Write) => Promise<void>) => Promise<void>,
    /** Offers work to an agent who just became free (their queues only). */
    private readonly routeFor: (w: Write, router: TenantRouter, agentId: string) => Promise<void>,
    private readonly onError?: (err: unknown, what: string) => void,
  ) {}

  /** Writes the core's state of an agent when it differs from the last one written (or when a person chose it). */
  async persist(w: Write, router: TenantRouter, userId: string, chosen: ChosenStateChange | null, acwSeconds: number): Promise<void> {
    const state = router.core.agentState(userId);
    const view = router.agents.get(userId);
    if (!state || !view || (!chosen && view.state === state)) return;
    const acwEndsAt = state === 'acw' ? new Date(w.now + acwSeconds * 1000) : null;
    const since = await saveAgentState(w.tx, router.tenantId, userId, state, { awayReasonId: chosen?.awayReasonId ?? null, text: chosen?.text ?? null }, chosen?.changedBy ?? null, acwEndsAt);
    await appendEvent(w.tx, router.tenantId, 'agent_state.changed', { userId, state, reason: chosen?.text ?? null });
    Object.assign(view, { state, since, awayReasonId: chosen?.awayReasonId ?? null, acwEndsAt, reason: chosen?.text ?? null });
    if (view.acwTimer) this.clock.clearTimeout(view.acwTimer);
    view.acwTimer = undefined;
    const data = { userId, state, reason: chosen?.text ?? null, since: since.toISOString(), acwEndsAt: acwEndsAt?.toISOString() ?? null };
    w.after(() => {
      if (acwEndsAt && view.state === 'acw' && !router.closed) this.scheduleAcwEnd(router, userId, acwEndsAt.getTime());
      this.hub.sendToUser(router.tenantId, userId, { type: 'event', name: 'agent.state', data });
      this.events.emit('agent.state_changed', { tenantId: router.tenantId, userId, state });
    });
  }

  /** Ends the agent's after-call work at `at` (epoch ms): the agent becomes available and may be offered work. */
  scheduleAcwEnd(router: TenantRouter, userId: string, at: number): void {
    const view = router.agents.get(userId)!;
    if (view.acwTimer) this.clock.clearTimeout(view.acwTimer);
    view.acwEndsAt = new Date(at);
    view.acwTimer = this.clock.setTimeout(() => {
      view.acwTimer = undefined;
      if (router.closed) return;
      this.write(router, async (w) => {
        if (router.core.agentState(userId) !== 'acw') return;
        w.changed();
        router.core.setAgentState(userId, 'available');
        await this.persist(w, router, userId, null, 0);
        await this.routeFor(w, router, userId);
      }).catch((e) => this.onError?.(e, 'acw end'));
    }, Math.max(0, at - this.clock.now()));
  }
}
