// Ringing people: every registered binding of every target's extension gets an INVITE with an offer from the media
// engine (ring-all across devices, RFC 3261 §9 CANCEL for the others). The first 2xx is offered to `claim`
// (routing's accept); if the claim fails the answered phone gets a BYE. A target whose every device refused
// (486/603/…) is reported, so that routing can offer the call to someone else.
import type { MediaEngine } from '@kefu/media';
import { SipError, type Dialog, type UserAgent } from '@kefu/sip';
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
  const attempts = targets.flatMap((target) => ctx.registrar.bindings(ctx.tenantId, target.extension).map((binding) => ({ target, binding })));
  if (!attempts.length || o.signal.aborted) return undefined;
  const round = new AbortController();
  const stopRound = (): void => round.abort();
  o.signal.addEventListener('abort', stopRound, { once: true });
  const timer = setTimeout(stopRound, o.timeoutMs);
  let winner: AgentLeg | undefined;
  let claimed = false;
  const refusals = new Map<string, number>();
  const tries = attempts.map(async ({ target, binding }) => {
    const ep = await ctx.media.createRtpEndpoint({ group: ctx.group });
    try {
      const offer = await ctx.media.request('createOffer', ep.id);
      const source = binding.source;
      let dialog: Dialog;
      try {
        dialog = await ctx.ua.createUAC(binding.contact.replace(/^<|>$/g, ''), {
          localSdp: offer,
          signal: round.signal,
          from: `"${ctx.callerName}" <sip:${ctx.callerName}@${ctx.realm}>`,
          to: `<sip:${target.extension}@${ctx.realm}>`,
          ...(source ? { dest: { transport: source.transport, address: source.address, port: source.port, ...(source.connectionId ? { connectionId: source.connectionId } : {}) } } : {}),
        });
      } catch (err) {
        const cancelled = round.signal.aborted || (err instanceof SipError && err.code === 'CANCELLED');
        if (!cancelled) {
          const n = (refusals.get(target.userId) ?? 0) + 1;
          refusals.set(target.userId, n);
          if (n === attempts.filter((a) => a.target.userId === target.userId).length) o.refused?.(target);
        }
        throw err;
      }
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
      try {
        await ctx.media.request('acceptAnswer', ep.id, dialog.remoteSdp ?? '');
      } catch (err) {
        await dialog.destroy({ headers: { Reason: 'SIP;cause=488;text="Not acceptable here"' } });
        throw err;
      }
      winner = { dialog, endpointId: ep.id, target };
      return winner;
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
