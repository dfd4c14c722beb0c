// A call waiting in a routing queue until an agent has it. The router chooses the agents and offers the task;
// for each offer the devices of the offered agents ring; the first phone to answer asks routing to accept
// (exactly one accept wins) and is connected; a phone that refuses declines the offer for its agent. An agent
// who accepts on the desktop instead gets their device rung directly. The wait ends with an agent, at the
// session's maximum wait (the task is withdrawn), when routing ends the task (its max wait), or at hangup.
import type { AgentLeg, AgentTarget, RingOptions } from './agent-legs.ts';
import type { VoiceQueue } from './voice-queue.ts';

export interface QueueHost {
  readonly tenantId: string;
  readonly callId: string;
  readonly interactionId: string;
  /** Aborted at hangup. */
  readonly signal: AbortSignal;
  queue: VoiceQueue;
  ring(targets: AgentTarget[], o: RingOptions): Promise<AgentLeg | undefined>;
  connect(leg: AgentLeg): Promise<void>;
  deviceOf(userId: string): Promise<AgentTarget | undefined>;
  /** The task the call holds (the session completes or cancels it when the call ends). */
  task: { id: string; assigned: boolean; agentId?: string } | undefined;
  ringTimeoutMs: number;
  offered(): Promise<void>;
}

export interface QueueRequest {
  queueId: string;
  priority?: number | undefined;
  skills?: { skill: string; minLevel: number; weight?: number }[] | undefined;
  attributes?: Record<string, string | number | boolean | null> | undefined;
  maxWaitMs: number;
}

export type QueueResult = 'connected' | 'timeout' | 'expired' | 'hangup';

export async function waitForAgent(host: QueueHost, req: QueueRequest): Promise<QueueResult> {
  if (host.signal.aborted) return 'hangup';
  const taskId = await host.queue.enqueue({
    tenantId: host.tenantId, callId: host.callId, interactionId: host.interactionId,
    queueId: req.queueId, priority: req.priority, skills: req.skills, attributes: req.attributes,
  });
  host.task = { id: taskId, assigned: false };
  return new Promise<QueueResult>((resolve) => {
    let settled = false;
    /** The ringing of each offered agent's device, by offer and agent (withdrawn offers stop their ringing). */
    const rings = new Map<string, AbortController>();
    const stopRings = (): void => {
      for (const r of rings.values()) r.abort();
      rings.clear();
    };
    const waitTimer = setTimeout(() => finish('timeout'), req.maxWaitMs);
    const onHangup = (): void => finish('hangup');
    host.signal.addEventListener('abort', onHangup, { once: true });

    function finish(result: QueueResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(waitTimer);
      stopRings();
      host.signal.removeEventListener('abort', onHangup);
      unwatch();
      if (result === 'timeout' && host.task && !host.task.assigned) {
        const t = host.task;
        host.task = undefined;
        void host.queue.cancel(host.tenantId, t.id, 'cancelled').catch(() => {});
      }
      if (result === 'expired') host.task = undefined;
      resolve(result);
    }

    const connectLeg = async (leg: AgentLeg | undefined, ifMissing: () => void): Promise<void> => {
      if (settled) {
        if (leg) await leg.dialog.destroy().catch(() => {});
        return;
      }
      if (!leg) return ifMissing();
      settled = true; // from here the call belongs to the agent
      clearTimeout(waitTimer);
      stopRings();
      host.signal.removeEventListener('abort', onHangup);
      unwatch();
      await host.connect(leg);
      resolve('connected');
    };

    const unwatch = host.queue.watch(taskId, {
      offered(offerId, agentIds) {
        for (const agentId of agentIds) {
          const r = new AbortController();
          rings.set(`${offerId}|${agentId}`, r);
          void (async () => {
            const target = await host.deviceOf(agentId);
            if (!target || r.signal.aborted) return; // no phone: the desktop may still accept
            await host.offered();
            const expiresAt = await host.queue.offerExpiresAt(host.tenantId, agentId, offerId).catch(() => undefined);
            const leg = await host.ring([target], {
              signal: r.signal,
              timeoutMs: expiresAt ? Math.max(1000, expiresAt - Date.now()) : host.ringTimeoutMs,
              claim: async () => {
                // Accepted on the desktop meanwhile: that agent's phone may still take it, nobody else's.
                if (host.task?.assigned) return host.task.agentId === agentId;
                const ok = await host.queue.accept(host.tenantId, agentId, offerId);
                if (ok && host.task) Object.assign(host.task, { assigned: true, agentId });
                return ok;
              },
              refused: () => void host.queue.decline(host.tenantId, offerId, agentId),
            });
            rings.delete(`${offerId}|${agentId}`);
            await connectLeg(leg, () => {});
          })().catch(() => {});
        }
      },
      revoked(offerId, agentIds) {
        for (const agentId of agentIds) {
          rings.get(`${offerId}|${agentId}`)?.abort();
          rings.delete(`${offerId}|${agentId}`);
        }
      },
      assigned(agentId) {
        if (host.task) Object.assign(host.task, { assigned: true, agentId });
        // Accepted on the desktop while no phone of this agent rings: ring the agent's device now.
        if ([...rings.keys()].some((k) => k.endsWith(`|${agentId}`))) return;
        const r = new AbortController();
        rings.set(`assigned|${agentId}`, r);
        void (async () => {
          const target = await host.deviceOf(agentId);
          const leg = target ? await host.ring([target], { signal: r.signal, timeoutMs: host.ringTimeoutMs }) : undefined;
          await connectLeg(leg, () => {
            // The agent took the task but never picked up: free them and wait again in the same queue.
            const t = host.task;
            host.task = undefined;
            if (t) void host.queue.complete(host.tenantId, t.id).catch(() => {});
            finish('expired');
          });
        })().catch(() => {});
      },
      ended() {
        finish('expired');
      },
    });
  });
}
