// A call waiting in a routing queue until an agent has it. The router chooses the agents and offers the task;
// for each offer the devices of the offered agents ring; the first phone to answer asks routing to accept
// (exactly one accept wins) and is connected; a phone that refuses declines the offer for its agent. An agent
// who accepts on the desktop instead gets their device rung directly. The wait ends with an agent, at the
// session's maximum wait (the task is withdrawn), when routing ends the task (its max wait), or at hangup.
// With a wait plan (the flow's queue node) the caller hears music interrupted by announcements of their place and
// estimated wait and by a callback offer (queue-announcer.ts); the offered key withdraws the task and ends the
// wait with `callback` (the session stores the request and ends the call).
import type { AgentLeg, AgentTarget, RingOptions } from './agent-legs.ts';
import type { AudioSource } from './call-control.ts';
import { announcementText, WaitAnnouncer, type QueueEstimate, type QueueWaitPlan } from './queue-announcer.ts';
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
  /** The waiting sound (music on hold or ringback) starts, or stops for an announcement or the end of the wait. */
  playWaiting(music: 'hold' | 'ringback'): Promise<void>;
  stopWaiting(): Promise<void>;
  /** Plays to the caller over nothing else (the waiting sound is stopped first); a key barges in. */
  announce(source: AudioSource, signal: AbortSignal): Promise<void>;
  /** The caller's keys (RFC 4733 / in-band, as the media engine detects them) while waiting. */
  onDigit(listener: (digit: string) => void): () => void;
}

export interface QueueRequest {
  queueId: string;
  priority?: number | undefined;
  skills?: { skill: string; minLevel: number; weight?: number }[] | undefined;
  attributes?: Record<string, string | number | boolean | null> | undefined;
  maxWaitMs: number;
  /** Music, announcements and the callback offer (absent: ringback only). */
  plan?: QueueWaitPlan | undefined;
}

/** `callback`: the caller pressed the callback key; the task is withdrawn, the session stores the request. */
export type QueueResult = 'connected' | 'timeout' | 'expired' | 'hangup' | 'callback';

/** When the call entered the queue (a callback keeps this place). */
export interface WaitInfo {
  queuedAt: Date;
}

export async function waitForAgent(host: QueueHost, req: QueueRequest, info: Partial<WaitInfo> = {}): Promise<QueueResult> {
  const result = await waitInQueue(host, req, info);
  req.plan?.log?.({ kind: 'result', result });
  return result;
}

async function waitInQueue(host: QueueHost, req: QueueRequest, info: Partial<WaitInfo>): Promise<QueueResult> {
  if (host.signal.aborted) return 'hangup';
  info.queuedAt = new Date();
  const plan = req.plan;
  const taskId = await host.queue.enqueue({
    tenantId: host.tenantId, callId: host.callId, interactionId: host.interactionId,
    queueId: req.queueId, priority: req.priority, skills: req.skills, attributes: req.attributes,
  });
  host.task = { id: taskId, assigned: false };
  return new Promise<QueueResult>((resolve) => {
    let settled = false;
    /** The ringing of each offered agent's device, by offer and agent (withdrawn offers stop their ringing). */
    const rings = new Map<string, AbortController>();
    /** Agents the task is offered to now (their phone or desktop rings), by offer. */
    const offers = new Map<string, Set<string>>();
    /** The announcement playing (stopped when the wait ends). */
    let speaking: AbortController | undefined;
    const announcer = plan ? new WaitAnnouncer(plan, {
      busy: () => settled || !!host.task?.assigned || [...offers.values()].some((s) => s.size > 0),
      estimate: (): Promise<QueueEstimate | undefined> => host.queue.estimate(host.tenantId, taskId),
      announce: async (a) => {
        const audio = await plan.say(announcementText(a, plan.language), plan.language);
        if (settled) return;
        speaking = new AbortController();
        const current = speaking;
        plan.log?.({ kind: 'announce', announcement: a });
        await host.stopWaiting();
        if (!settled) await host.announce(audio, current.signal).catch(() => {});
        if (!settled) {
          await host.playWaiting(plan.music);
          // The wait ended while the music restarted: the one who ended it stopped the sound before it began.
          if (settled) await host.stopWaiting();
        }
        if (speaking === current) speaking = undefined;
      },
    }) : undefined;
    const offDigit = plan?.callback ? host.onDigit((d) => {
      // The key counts once it has been offered, and only while no agent has the call.
      if (settled || d !== plan.callback!.digit || !announcer?.callbackOffered || host.task?.assigned) return;
      finish('callback');
    }) : () => {};
    announcer?.start();
    const stopRings = (): void => {
      for (const r of rings.values()) r.abort();
      rings.clear();
    };
    const waitTimer = setTimeout(() => finish('timeout'), req.maxWaitMs);
    const onHangup = (): void => finish('hangup');
    host.signal.addEventListener('abort', onHangup, { once: true });

    /** Ends what the wait runs besides the task: timers, ringing, the announcer, the key listener. */
    function quiet(): void {
      settled = true;
      clearTimeout(waitTimer);
      stopRings();
      announcer?.stop();
      speaking?.abort();
      offDigit();
      host.signal.removeEventListener('abort', onHangup);
      unwatch();
    }

    function finish(result: QueueResult): void {
      if (settled) return;
      quiet();
      if ((result === 'timeout' || result === 'callback') && host.task && !host.task.assigned) {
        const t = host.task;
        host.task = undefined;
        const withdrawn = host.queue.cancel(host.tenantId, t.id, 'cancelled').catch(() => {});
        // A callback is stored only once routing no longer holds the call's task.
        if (result === 'callback') return void withdrawn.then(() => resolve(result));
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
      quiet(); // from here the call belongs to the agent
      await host.connect(leg);
      resolve('connected');
    };

    const unwatch = host.queue.watch(taskId, {
      offered(offerId, agentIds) {
        offers.set(offerId, new Set(agentIds));
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
        const open = offers.get(offerId);
        for (const agentId of agentIds) open?.delete(agentId);
        if (open?.size === 0) offers.delete(offerId);
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
