// Calling an outside number for Kefu itself (transfer to a number, consultation, click-to-dial): the division's
// outbound rules decide (toll-fraud protection; barred or over the hourly limit is audited), the rule's trunk
// carries the call with its digest credentials (RFC 3261 §22.2) and the trunk's or division's caller ID.
import type { MediaEngine } from '@kefu/media';
import type { Dialog, UserAgent } from '@kefu/sip';
import { decideOutbound } from './outbound-rules.ts';
import type { OutboundTrunk, VoiceDirectory } from './voice-directory.ts';

export type OutboundDecision = { ok: true; trunk: OutboundTrunk; callerId: string } | { ok: false; reason: 'barred' | 'limit' | 'no_trunk' };

/** Applies the division's outbound rules to a number; a refusal writes `voice.outbound_barred` / `_limited`. */
export async function authorizeOutbound(
  directory: VoiceDirectory,
  who: { tenantId: string; divisionId: string; userId: string | null; ip: string | null; extension?: string | undefined },
  number: string,
): Promise<OutboundDecision> {
  const rules = await directory.outboundRules(who.tenantId, who.divisionId);
  const decision = decideOutbound(rules, number, await directory.outboundCallsLastHour(who.tenantId, who.divisionId));
  if (!decision.ok) {
    if (who.userId) {
      await directory.audit(who.tenantId, who.userId, who.ip, {
        action: decision.reason === 'limit' ? 'voice.outbound_limited' : 'voice.outbound_barred', targetType: 'voice_extension',
        details: { ...(who.extension ? { extension: who.extension } : {}), dialled: number.slice(0, 40) },
      });
    }
    return { ok: false, reason: decision.reason === 'limit' ? 'limit' : 'barred' };
  }
  const trunk = await directory.trunk(who.tenantId, decision.rule.trunkId);
  if (!trunk) return { ok: false, reason: 'no_trunk' };
  const callerId = trunk.callerId || (await directory.policy(who.tenantId, who.divisionId)).callerId;
  return { ok: true, trunk, callerId };
}

/** Calls `number` at the trunk; resolves with the answered leg (its answer applied) or throws (SipError status). */
export async function dialTrunk(
  ctx: { ua: UserAgent; media: MediaEngine; group: string },
  trunk: OutboundTrunk,
  callerId: string,
  number: string,
  signal: AbortSignal,
): Promise<{ dialog: Dialog; endpointId: string }> {
  const ep = await ctx.media.createRtpEndpoint({ group: ctx.group });
  try {
    const offer = await ctx.media.request('createOffer', ep.id);
    const transport = trunk.transport === 'tcp' ? ';transport=tcp' : '';
    const fromUser = callerId || trunk.username || 'kefu';
    const dialog = await ctx.ua.createUAC(`sip:${number}@${trunk.host}:${trunk.port}${transport}`, {
      localSdp: offer,
      signal,
      from: `<sip:${fromUser}@${trunk.host}>`,
      ...(trunk.password !== undefined ? { credentials: { username: trunk.username, password: trunk.password } } : {}),
    });
    try {
      await ctx.media.request('acceptAnswer', ep.id, dialog.remoteSdp ?? '');
    } catch (err) {
      await dialog.destroy({ headers: { Reason: 'SIP;cause=488' } });
      throw err;
    }
    return { dialog, endpointId: ep.id };
  } catch (err) {
    await ctx.media.closeEndpoint(ep.id).catch(() => {});
    throw err;
  }
}
