// Ringing people: every registered binding of every target's extension gets an INVITE with an offer from the media
// engine (ring-all across devices, RFC 3261 §9 CANCEL for the others). The first 2xx is offered to `claim`
// (routing's accept); if the claim fails the answered phone gets a BYE. A target whose every device refused
// (486/603/…) is reported, so that routing can offer the call to someone else.
import type { MediaEngine } from '@kefu/media';
import { SipError, type Dialog, type UserAgent } from '@kefu/sip';
import type { BrowserPhones } from './browser-phones.ts';
import type { TenantRegistrar } from './tenant-registrar.ts';

export interface AgentTarget {
  userId: string;
  extension: string;
}

export interface AgentLeg {
  dialog: Dialog;
  endpointId: string;
  target: AgentTarget;
}

export interface RingContext {
  ua: UserAgent;
  media: MediaEngine;
  registrar: TenantRegistrar;
  tenantId: string;
  realm: string;
  /** Media group (the call id): bridged legs must live on one media worker. */
  group: string;
  /** Shown to the agent's phone as the caller. */
  callerName: string;
  /** Browser softphones (WebRTC), rung beside the SIP phones. */
  browsers?: BrowserPhones | undefined;
  /** Told to a browser phone with the ring: the chat a call belongs to, and whether to answer by itself. */
  offer?: { interactionId?: string; autoAnswer?: boolean } | undefined;
}

export interface RingOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** Decides whether an answered leg may have the call (e.g. routing's accept); default yes. */
  claim?: (target: AgentTarget) => Promise<boolean>;
  /** Every device of this target refused or failed (not: cancelled because another answered or time ran out). */
  refused?: (target: AgentTarget) => void;
}

/** Rings the targets' devices at once; resolves with the leg that answered and was claimed, or undefined. */
export async function ringTargets(ctx: RingContext, targets: AgentTarget[], o: RingOptions): Promise<AgentLeg | undefined> {
  const sip = targets.flatMap((target) => ctx.registrar.bindings(ctx.tenantId, target.extension).map((binding) => ({ kind: 'sip' as const, target, binding })));
  const web = targets.filter((t) => ctx.browsers?.has(ctx.tenantId, t.userId)).map((target) => ({ kind: 'browser' as const, target }));
  const attempts = [...sip, ...web];
  if (!attempts.length || o.signal.aborted) return undefined;
  const round = new AbortController();
  const stopRound = (): void => round.abort();
  o.signal.addEventListener('abort', stopRound, { once: true });
  const timer = setTimeout(stopRound, o.timeoutMs);
  let winner: AgentLeg | undefined;
  let claimed = false;
  const refusals = new Map<string, number>();
  const refusedBy = (target: AgentTarget): void => {
    const n = (refusals.get(target.userId) ?? 0) + 1;
    refusals.set(target.userId, n);
    if (n === attempts.filter((a) => a.target.userId === target.userId).length) o.refused?.(target);
  };
  /** The first answer takes the call (if `claim` agrees); later answers hang up. */
  const take = async (target: AgentTarget, dialog: Dialog, endpointId: string, acceptAnswer: boolean): Promise<AgentLeg> => {
    if (claimed || o.signal.aborted) {
      await dialog.destroy(); // answered too late: another device took the call
      throw new Error('lost the race');
    }
    claimed = true;
    round.abort();
    if (o.claim && !(await o.claim(target).catch(() => false))) {
      await dialog.destroy({ headers: { Reason: 'SIP;cause=200;text="Call completed elsewhere"' } });
      throw new Error('claim refused');
    }
    if (acceptAnswer) {
      try {
        await ctx.media.request('acceptAnswer', endpointId, dialog.remoteSdp ?? '');
      } catch (err) {
        await dialog.destroy({ headers: { Reason: 'SIP;cause=488;text="Not acceptable here"' } });
        throw err;
      }
    }
    winner = { dialog, endpointId, target };
    return winner;
  };
  const tries = attempts.map(async (attempt) => {
    const { target } = attempt;
    if (attempt.kind === 'browser') {
      const r = await ctx.browsers!.ring(ctx.media, { tenantId: ctx.tenantId, userId: target.userId, group: ctx.group, callerName: ctx.callerName, signal: round.signal, ...(ctx.offer ? { offer: ctx.offer } : {}) });
      if (r === 'refused') refusedBy(target);
      if (!r || r === 'refused') throw new Error('not answered');
      try {
        // The browser leg offers the parts of a Dialog the session uses (state, destroy, events).
        return await take(target, r.dialog as unknown as Dialog, r.endpointId, false);
      } catch (err) {
        await ctx.media.closeEndpoint(r.endpointId).catch(() => {});
        throw err;
      }
    }
    const ep = await ctx.media.createRtpEndpoint({ group: ctx.group });
    try {
      const offer = await ctx.media.request('createOffer', ep.id);
      const source = attempt.binding.source;
      let dialog: Dialog;
      try {
        dialog = await ctx.ua.createUAC(attempt.binding.contact.replace(/^<|>$/g, ''), {
          localSdp: offer,
          signal: round.signal,
          from: `"${ctx.callerName}" <sip:${ctx.callerName}@${ctx.realm}>`,
          to: `<sip:${target.extension}@${ctx.realm}>`,
          ...(source ? { dest: { transport: source.transport, address: source.address, port: source.port, ...(source.connectionId ? { connectionId: source.connectionId } : {}) } } : {}),
        });
      } catch (err) {
        const cancelled = round.signal.aborted || (err instanceof SipError && err.code === 'CANCELLED');
        if (!cancelled) refusedBy(target);
        throw err;
      }
      return await take(target, dialog, ep.id, true);
    } catch (err) {
      await ctx.media.closeEndpoint(ep.id).catch(() => {});
      throw err;
    }
  });
  await Promise.allSettled(tries);
  clearTimeout(timer);
  o.signal.removeEventListener('abort', stopRound);
  return winner;
}
