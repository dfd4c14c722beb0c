// Agents in the browser: the agent desktop registers a softphone over its realtime WebSocket (request
// `softphone.register`); ringing the agent then also offers the call to the browser as a WebRTC endpoint of the media
// engine (DTLS-SRTP, ICE-lite): event `softphone.incoming { ringId, from, sdp, interactionId?, autoAnswer? }` (a web
// chat's call names its chat; the agent who asked for it answers by itself) → request `softphone.answer { ringId,
// sdp }` (or `softphone.reject`). An answered browser leg behaves like a SIP dialog for the call session
// (state, destroy, the `destroy` event); `softphone.hangup` ends it from the browser, `softphone.ended` tells the
// browser the call is over. The last socket of the agent closing unregisters the softphone and ends its calls.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { MediaEngine } from '@kefu/media';
import { AppError, conflict } from '../platform/errors.ts';
import type { RealtimeHub } from '../realtime/realtime.hub.ts';

type DestroyEvent = { reason: 'local' | 'remote'; request?: undefined };

/** An answered browser leg, shaped like the parts of a SIP Dialog the call session uses. */
export class BrowserLeg extends EventEmitter<{ destroy: [DestroyEvent]; modify: []; refer: [] }> {
  state: 'confirmed' | 'terminated' = 'confirmed';
  constructor(readonly ringId: string, private readonly notifyEnded: () => void) {
    super();
  }
  /** Kefu ends the leg (the browser is told). */
  async destroy(_opts?: unknown): Promise<void> {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.notifyEnded();
    this.emit('destroy', { reason: 'local' });
  }
  /** The agent hung up in the browser (or their last socket closed). */
  remoteHangup(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.emit('destroy', { reason: 'remote' });
  }
}

export type BrowserRing = { dialog: BrowserLeg; endpointId: string } | 'refused' | undefined;

const key = (tenantId: string, userId: string) => `${tenantId}|${userId}`;

export class BrowserPhones {
  private readonly registered = new Set<string>();
  private readonly ringing = new Map<string, { tenantId: string; userId: string; resolve: (sdp: string | undefined) => void }>();
  private readonly legs = new Map<string, { tenantId: string; userId: string; leg: BrowserLeg }>();

  constructor(private readonly hub: RealtimeHub) {
    const agent = (actor: { userId: string | null }): string => {
      if (!actor.userId) throw new AppError('FORBIDDEN', 'softphones are for signed-in agents');
      return actor.userId;
    };
    const ringId = z.strictObject({ ringId: z.uuid() });
    hub.method('softphone.register', {
      params: z.strictObject({}).optional(),
      run: (actor) => {
        if (!actor.permissions.has('agent.desktop')) throw new AppError('FORBIDDEN', 'the agent desktop permission is needed');
        this.registered.add(key(actor.tenantId, agent(actor)));
        return { registered: true };
      },
    });
    hub.method('softphone.unregister', {
      params: z.strictObject({}).optional(),
      run: (actor) => {
        this.forget(actor.tenantId, agent(actor));
        return { registered: false };
      },
    });
    hub.method('softphone.answer', {
      params: z.strictObject({ ringId: z.uuid(), sdp: z.string().min(10).max(20_000) }),
      run: (actor, p) => {
        const r = this.ringing.get(p.ringId);
        if (!r || r.tenantId !== actor.tenantId || r.userId !== actor.userId) throw conflict('the call is no longer ringing');
        r.resolve(p.sdp);
        return { answered: true };
      },
    });
    hub.method('softphone.reject', {
      params: ringId,
      run: (actor, p) => {
        const r = this.ringing.get(p.ringId);
        if (r && r.tenantId === actor.tenantId && r.userId === actor.userId) r.resolve(undefined);
        return { rejected: true };
      },
    });
    hub.method('softphone.hangup', {
      params: ringId,
      run: (actor, p) => {
        const l = this.legs.get(p.ringId);
        if (l && l.tenantId === actor.tenantId && l.userId === actor.userId) l.leg.remoteHangup();
        return { ended: true };
      },
    });
    hub.onPresence((tenantId, userId, online) => {
      if (!online) this.forget(tenantId, userId);
    });
  }

  private forget(tenantId: string, userId: string): void {
    this.registered.delete(key(tenantId, userId));
    for (const r of this.ringing.values()) if (r.tenantId === tenantId && r.userId === userId) r.resolve(undefined);
    for (const l of this.legs.values()) if (l.tenantId === tenantId && l.userId === userId) l.leg.remoteHangup();
  }

  has(tenantId: string, userId: string): boolean {
    return this.registered.has(key(tenantId, userId));
  }

  /** Offers a call to the agent's browser; resolves with the answered leg, 'refused', or undefined (cancelled). */
  async ring(media: MediaEngine, o: { tenantId: string; userId: string; group: string; callerName: string; signal: AbortSignal; offer?: { interactionId?: string; autoAnswer?: boolean } }): Promise<BrowserRing> {
    const ep = await media.createWebRtcEndpoint({ group: o.group });
    try {
      const offer = await media.request('webrtcOffer', ep.id);
      const ringId = randomUUID();
      const send = (name: string, data: unknown): void => this.hub.sendToUser(o.tenantId, o.userId, { type: 'event', name, data });
      const answer = await new Promise<string | undefined>((resolve) => {
        const done = (sdp: string | undefined): void => {
          this.ringing.delete(ringId);
          o.signal.removeEventListener('abort', cancel);
          resolve(sdp);
        };
        const cancel = (): void => done(undefined);
        this.ringing.set(ringId, { tenantId: o.tenantId, userId: o.userId, resolve: done });
        o.signal.addEventListener('abort', cancel, { once: true });
        if (o.signal.aborted) return cancel();
        send('softphone.incoming', { ringId, from: o.callerName, sdp: offer, ...o.offer });
      });
      if (!answer) {
        send('softphone.cancelled', { ringId });
        await media.closeEndpoint(ep.id).catch(() => {});
        return o.signal.aborted ? undefined : 'refused';
      }
      await media.request('webrtcAcceptAnswer', ep.id, answer);
      const leg = new BrowserLeg(ringId, () => send('softphone.ended', { ringId }));
      this.legs.set(ringId, { tenantId: o.tenantId, userId: o.userId, leg });
      leg.once('destroy', () => this.legs.delete(ringId));
      return { dialog: leg, endpointId: ep.id };
    } catch (err) {
      await media.closeEndpoint(ep.id).catch(() => {});
      throw err;
    }
  }
}
