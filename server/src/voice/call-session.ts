// One inbound call, from the INVITE to the last BYE: answer with the media engine (RFC 3264 answer; a bad offer is
// 488, RFC 3261 §21.4.26), open the Interaction, play ringback while the call waits, ring the agents the
// VoiceRouting port names (ring-all, CANCEL to the losers, RFC 3261 §9), bridge caller and agent, record per the
// division's policy, and on a BYE from either side end the other leg and fill the CDR.
import { MediaError, type MediaEngine } from '@kefu/media';
import { sdpDirection, SipError, type Dialog, type IncomingInvite, type Responder, type SipRequest, type UserAgent } from '@kefu/sip';
import type { HangupBy, InteractionsService } from '../conversations/interactions.service.ts';
import type { Logger } from '../platform/logger.ts';
import { holdMusicPcm } from './hold-music.ts';
import type { RecordingsService } from './recordings.service.ts';
import type { TenantRegistrar } from './tenant-registrar.ts';
import type { NumberMatch, VoiceDirectory } from './voice-directory.ts';
import type { AgentTarget, QueuedCall, VoiceRouting } from './voice-routing.ts';

export interface CallDeps {
  ua: UserAgent;
  media: () => Promise<MediaEngine>;
  interactions: InteractionsService;
  recordings: RecordingsService;
  directory: VoiceDirectory;
  registrar: TenantRegistrar;
  routing: VoiceRouting;
  logger: Logger;
  timing: { ringTimeoutMs: number; queueTimeoutMs: number; pollMs: number };
  ended: (call: { callId: string }) => void;
}

interface AgentLeg {
  dialog: Dialog;
  endpointId: string;
  target: AgentTarget;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** The SIP cause a BYE carries in its Reason header (RFC 3326), or 200 for a plain hangup. */
function causeOf(req: SipRequest | undefined): number {
  const m = /cause\s*=\s*(\d{3})/i.exec(req?.get('Reason') ?? '');
  return m ? Number(m[1]) : 200;
}

export class CallSession {
  readonly callId: string;
  interactionId: string | undefined;
  agent: AgentTarget | undefined;
  private media!: MediaEngine;
  private callerEndpoint: string | undefined;
  private callerDialog: Dialog | undefined;
  private agentLeg: AgentLeg | undefined;
  private recording: { id: string; mediaId: string; spoolPath: string } | undefined;
  private playbackId: string | undefined;
  private hold: { since: number; playbackId: string | undefined } | undefined;
  private holdMs = 0;
  private bridgeId: string | undefined;
  private conference: { id: string; legs: AgentLeg[] } | undefined;
  private offered = false;
  private answered = false;
  private readonly abort = new AbortController();
  private endedPromise: Promise<void> | undefined;

  constructor(
    private readonly deps: CallDeps,
    private readonly inv: IncomingInvite,
    readonly number: NumberMatch,
    readonly realm: string,
    private readonly direction: 'inbound' | 'internal',
  ) {
    this.callId = inv.request.callId;
  }

  get tenantId(): string {
    return this.number.tenantId;
  }

  get from(): string {
    const uri = this.inv.request.from.uri;
    return uri.kind === 'sip' ? (uri.user ?? uri.host) : '';
  }

  /** Runs the call to its end; never throws (failures end the call with a cause). */
  async run(): Promise<void> {
    try {
      await this.answer();
      if (!this.callerDialog) return;
      await this.queue();
    } catch (err) {
      // A step that raced with the hangup (its endpoint already closed) is no failure.
      if (this.abort.signal.aborted) return;
      this.deps.logger.error({ err, callId: this.callId }, 'call failed');
      await this.end('system', 500, 'failed');
    }
  }

  private async answer(): Promise<void> {
    const req = this.inv.request;
    if (!req.body.length) {
      // Late offer (INVITE without SDP, RFC 3261 §13.2.1) is not supported yet.
      this.inv.reply(488, { reason: 'SDP offer required' });
      return this.deps.ended(this);
    }
    this.media = await this.deps.media();
    const ep = await this.media.createRtpEndpoint({ group: this.callId });
    this.callerEndpoint = ep.id;
    let answerSdp: string;
    try {
      answerSdp = await this.media.request('answer', ep.id, req.bodyText);
    } catch (err) {
      await this.closeEndpoints();
      if (err instanceof MediaError && (err.code === 'MEDIA_SDP_INVALID' || err.code === 'MEDIA_SDP_NO_COMMON_CODEC')) {
        this.inv.reply(488, { headers: { Warning: '304 kefu "Media type not available"' } });
        return this.deps.ended(this);
      }
      throw err;
    }
    const interaction = await this.deps.interactions.open(this.tenantId, {
      divisionId: this.number.divisionId, channel: 'voice', direction: this.direction, from: this.from, to: this.number.number, externalRef: this.callId,
    });
    this.interactionId = interaction.id;
    try {
      this.callerDialog = await this.deps.ua.createUAS(this.inv, { localSdp: answerSdp });
    } catch (err) {
      const cancelled = err instanceof SipError && err.code === 'CANCELLED';
      await this.end('customer', cancelled ? 487 : 408, cancelled ? 'abandoned' : 'failed');
      return;
    }
    this.watch(this.callerDialog, ep.id, 'customer');
    await this.deps.interactions.update(this.tenantId, interaction.id, { flowEndedAt: new Date(), queuedAt: new Date() });
    await this.deps.interactions.segment(this.tenantId, interaction.id, 'queue');
    this.playbackId = (await this.media.request('play', ep.id, { tone: 'ringback' })).playbackId;
  }

  /** Follows a leg: re-INVITEs (hold, new address) are answered by the media engine; a BYE ends the call. */
  private watch(dialog: Dialog, endpointId: string, side: 'customer' | 'agent' | 'colleague'): void {
    dialog.on('modify', (req: SipRequest, res: Responder) => {
      if (!req.body.length) return res.send(200, dialog.localSdp ? { body: dialog.localSdp } : {});
      this.media.request('answer', endpointId, req.bodyText).then(
        (sdp) => {
          res.send(200, { body: sdp });
          // The agent's phone holds the customer (RFC 3264 §8.4): the customer hears music until it resumes.
          if (side === 'agent' && this.agentLeg?.dialog === dialog) void this.setHold(sdpDirection(req.bodyText) !== 'sendrecv');
        },
        () => res.send(488),
      );
    });
    if (side === 'agent') dialog.on('refer', (req: SipRequest, res: Responder) => void this.blindTransfer(dialog, req, res));
    dialog.on('destroy', ({ reason, request }) => {
      if (side === 'colleague') return void this.colleagueLeft(dialog);
      if (side === 'agent' && this.agentLeg?.dialog !== dialog) return; // a transferred agent leaving
      if (reason === 'remote') void this.end(side, causeOf(request), 'normal');
      else if (reason !== 'local') void this.end('system', reason === 'session-expired' ? 408 : 500, 'failed');
    });
  }

  private async queue(): Promise<void> {
    const call: QueuedCall = {
      tenantId: this.tenantId, divisionId: this.number.divisionId, interactionId: this.interactionId!,
      from: this.from, to: this.number.number, flowId: this.number.flowId,
    };
    const deadline = Date.now() + this.deps.timing.queueTimeoutMs;
    while (!this.abort.signal.aborted && Date.now() < deadline) {
      const targets = await this.deps.routing.candidates(call);
      if (targets.length) {
        const leg = await this.ring(targets);
        if (leg) return this.connect(leg);
      }
      if (!this.abort.signal.aborted) await sleep(this.deps.timing.pollMs, this.abort.signal);
    }
    if (!this.abort.signal.aborted) await this.end('system', 480, 'no_agent');
  }

  /** Rings every binding of every target at once; the first 2xx wins and the others are cancelled. */
  private async ring(targets: AgentTarget[]): Promise<AgentLeg | undefined> {
    const attempts = targets.flatMap((target) => this.deps.registrar.bindings(this.tenantId, target.extension).map((binding) => ({ target, binding })));
    if (!attempts.length) return undefined;
    const round = new AbortController();
    const stopRound = (): void => round.abort();
    this.abort.signal.addEventListener('abort', stopRound, { once: true });
    const timer = setTimeout(stopRound, this.deps.timing.ringTimeoutMs);
    if (!this.offered) await this.deps.interactions.update(this.tenantId, this.interactionId!, { offeredAt: new Date() });
    this.offered = true;
    let winner: AgentLeg | undefined;
    let claimed = false;
    const tries = attempts.map(async ({ target, binding }) => {
      const ep = await this.media.createRtpEndpoint({ group: this.callId });
      try {
        const offer = await this.media.request('createOffer', ep.id);
        const source = binding.source;
        const dialog = await this.deps.ua.createUAC(binding.contact.replace(/^<|>$/g, ''), {
          localSdp: offer,
          signal: round.signal,
          from: `"${this.from}" <sip:${this.from}@${this.realm}>`,
          to: `<sip:${target.extension}@${this.realm}>`,
          ...(source ? { dest: { transport: source.transport, address: source.address, port: source.port, ...(source.connectionId ? { connectionId: source.connectionId } : {}) } } : {}),
        });
        if (claimed || this.abort.signal.aborted) {
          await dialog.destroy(); // answered too late: another phone took the call (§13.2.2.4 spirit)
          throw new Error('lost the race');
        }
        claimed = true;
        round.abort();
        try {
          await this.media.request('acceptAnswer', ep.id, dialog.remoteSdp ?? '');
        } catch (err) {
          await dialog.destroy({ headers: { Reason: 'SIP;cause=488;text="Not acceptable here"' } });
          throw err;
        }
        winner = { dialog, endpointId: ep.id, target };
        return winner;
      } catch (err) {
        await this.media.closeEndpoint(ep.id).catch(() => {});
        throw err;
      }
    });
    await Promise.allSettled(tries);
    clearTimeout(timer);
    this.abort.signal.removeEventListener('abort', stopRound);
    return winner;
  }

  private async connect(leg: AgentLeg): Promise<void> {
    if (this.abort.signal.aborted) {
      await leg.dialog.destroy();
      await this.media.closeEndpoint(leg.endpointId).catch(() => {});
      return;
    }
    this.agentLeg = leg;
    this.agent = leg.target;
    this.watch(leg.dialog, leg.endpointId, 'agent');
    if (this.playbackId) await this.media.request('stopPlayback', this.playbackId).catch(() => {});
    this.bridgeId = (await this.media.bridge(this.callerEndpoint!, leg.endpointId)).bridgeId;
    await this.deps.interactions.update(this.tenantId, this.interactionId!, { ...(this.answered ? {} : { answeredAt: new Date() }), agentId: leg.target.userId });
    this.answered = true;
    await this.deps.interactions.segment(this.tenantId, this.interactionId!, 'agent', { userId: leg.target.userId, endpoint: leg.target.extension, outcome: 'answered' });
    const policy = await this.deps.directory.policy(this.tenantId, this.number.divisionId);
    if (policy.recording === 'always' && !this.abort.signal.aborted) {
      const rec = await this.deps.recordings.start(this.tenantId, this.number.divisionId, this.interactionId!);
      // Left = the customer, right = the agent (stereo, so QA can tell the speakers apart).
      const { recordingId } = await this.media.record({ path: rec.spoolPath, left: this.callerEndpoint!, right: leg.endpointId });
      this.recording = { id: rec.id, mediaId: recordingId, spoolPath: rec.spoolPath };
    }
  }

  private async setHold(on: boolean): Promise<void> {
    if (on === Boolean(this.hold) || this.abort.signal.aborted || !this.callerEndpoint) return;
    const agent = this.agentLeg?.target;
    if (on) {
      this.hold = { since: Date.now(), playbackId: undefined };
      const hold = this.hold;
      hold.playbackId = (await this.media.request('play', this.callerEndpoint, { pcm: holdMusicPcm(), loop: true }).catch(() => undefined))?.playbackId;
      await this.deps.interactions.segment(this.tenantId, this.interactionId!, 'hold', { userId: agent?.userId ?? null, outcome: 'held' });
    } else {
      const hold = this.hold!;
      this.hold = undefined;
      this.holdMs += Date.now() - hold.since;
      if (hold.playbackId) await this.media.request('stopPlayback', hold.playbackId).catch(() => {});
      await this.deps.interactions.update(this.tenantId, this.interactionId!, { holdMs: this.holdMs });
      await this.deps.interactions.segment(this.tenantId, this.interactionId!, 'agent', { userId: agent?.userId ?? null, endpoint: agent?.extension ?? '', outcome: 'resumed' });
    }
  }

  /** Stops the current recording and moves it into the blob store (a call may have several: one per agent). */
  private async stopRecording(): Promise<void> {
    const recording = this.recording;
    if (!recording) return;
    this.recording = undefined;
    const durationMs = (await this.media.request('stopRecording', recording.mediaId).catch(() => undefined))?.durationMs ?? 0;
    await this.deps.recordings.store(this.tenantId, recording.id, recording.spoolPath, 'stored', durationMs)
      .catch((err: unknown) => this.deps.logger.error({ err, callId: this.callId }, 'storing the recording failed'));
  }

  /**
   * Blind transfer from the agent's phone (REFER, RFC 3515): 202, then the customer hears ringback while the
   * target extension rings; the transferor gets a NOTIFY with the outcome (message/sipfrag, §2.4.5) and leaves.
   * A target that does not answer puts the customer back in the queue.
   */
  private async blindTransfer(dialog: Dialog, req: SipRequest, res: Responder): Promise<void> {
    const referTo = /<?(sips?:[^>;\s]+)/.exec(req.get('Refer-To') ?? '')?.[1];
    const user = referTo ? /^sips?:([^@]+)@/.exec(referTo)?.[1] : undefined;
    const target = user ? await this.deps.directory.device(this.tenantId, decodeURIComponent(user)) : undefined;
    if (!target || this.agentLeg?.dialog !== dialog || this.abort.signal.aborted) return res.send(target ? 481 : 404);
    res.send(202);
    const old = this.agentLeg;
    this.agentLeg = undefined;
    this.agent = undefined;
    if (this.hold) await this.setHold(false);
    if (this.bridgeId) await this.media.request('unbridge', this.bridgeId).catch(() => {});
    this.bridgeId = undefined;
    await this.stopRecording();
    const notify = (frag: string): Promise<unknown> => dialog.request('NOTIFY', {
      headers: { Event: 'refer', 'Subscription-State': 'terminated;reason=noresource' }, body: `${frag}\r\n`, contentType: 'message/sipfrag', noThrow: true,
    }).catch(() => undefined);
    await notify('SIP/2.0 200 OK');
    await dialog.destroy();
    await this.media.closeEndpoint(old.endpointId).catch(() => {});
    await this.deps.interactions.segment(this.tenantId, this.interactionId!, 'queue', { outcome: 'transferred' });
    this.playbackId = (await this.media.request('play', this.callerEndpoint!, { tone: 'ringback' }).catch(() => undefined))?.playbackId;
    const leg = await this.ring([{ userId: target.userId, extension: target.extension }]);
    if (leg) return this.connect(leg);
    if (!this.abort.signal.aborted) await this.queue();
  }

  /** Ends the call once: hangs up the other legs, stores the recording, closes the interaction with the CDR. */
  end(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.endedPromise ??= this.finish(by, sipCause, reason);
    return this.endedPromise;
  }

  private async finish(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.abort.abort();
    const endedAt = new Date();
    if (this.hold && this.interactionId) {
      this.holdMs += Date.now() - this.hold.since;
      await this.deps.interactions.update(this.tenantId, this.interactionId, { holdMs: this.holdMs }).catch(() => {});
    }
    let quality: { jitterMs: number; lossPct: number; mos: number } | undefined;
    if (this.callerEndpoint) {
      const s = await this.media.request('stats', this.callerEndpoint).catch(() => undefined);
      if (s) {
        const expected = s.packetsReceived + s.packetsLost;
        quality = { jitterMs: s.jitterMs, lossPct: expected > 0 ? (100 * s.packetsLost) / expected : 0, mos: s.mos };
      }
    }
    const hangups: Promise<void>[] = (this.conference?.legs ?? []).filter((l) => l.dialog.state === 'confirmed').map((l) => l.dialog.destroy());
    if (this.callerDialog?.state === 'confirmed') hangups.push(this.callerDialog.destroy());
    if (this.agentLeg?.dialog.state === 'confirmed') hangups.push(this.agentLeg.dialog.destroy());
    const stored = this.stopRecording();
    await this.closeEndpoints();
    if (this.interactionId) {
      await this.deps.interactions.close(this.tenantId, this.interactionId, {
        endedAt, hangupBy: by, sipCause, endReason: reason, ...(quality ? { quality } : {}),
      }).catch((err: unknown) => this.deps.logger.error({ err, callId: this.callId }, 'closing the interaction failed'));
    }
    await stored;
    await Promise.allSettled(hangups);
    this.deps.ended(this);
  }

  /**
   * Three-way conference: rings a colleague's extension (any division of the tenant) and, once answered, moves
   * customer, agent and colleague from the two-party bridge into a mixer where each hears the other two.
   */
  async addColleague(target: AgentTarget): Promise<boolean> {
    if (!this.agentLeg || this.abort.signal.aborted) return false;
    const leg = await this.ring([target]);
    if (!leg) return false;
    if (!this.agentLeg || this.abort.signal.aborted) {
      await leg.dialog.destroy();
      await this.media.closeEndpoint(leg.endpointId).catch(() => {});
      return false;
    }
    if (!this.conference) {
      const { conferenceId } = await this.media.createConference(this.callId);
      if (this.bridgeId) await this.media.request('unbridge', this.bridgeId).catch(() => {});
      this.bridgeId = undefined;
      await this.media.joinConference(conferenceId, this.callerEndpoint!);
      await this.media.joinConference(conferenceId, this.agentLeg.endpointId);
      this.conference = { id: conferenceId, legs: [] };
    }
    await this.media.joinConference(this.conference.id, leg.endpointId);
    this.conference.legs.push(leg);
    this.watch(leg.dialog, leg.endpointId, 'colleague');
    return true;
  }

  private async colleagueLeft(dialog: Dialog): Promise<void> {
    const conf = this.conference;
    const leg = conf?.legs.find((l) => l.dialog === dialog);
    if (!conf || !leg) return;
    conf.legs = conf.legs.filter((l) => l !== leg);
    await this.media.request('leaveConference', conf.id, leg.endpointId).catch(() => {});
    await this.media.closeEndpoint(leg.endpointId).catch(() => {});
  }

  /** The colleagues in the conference (extensions). */
  get colleagues(): string[] {
    return (this.conference?.legs ?? []).map((l) => l.target.extension);
  }

  private async closeEndpoints(): Promise<void> {
    if (!this.media) return;
    if (this.conference) await this.media.request('closeConference', this.conference.id).catch(() => {});
    for (const id of [this.callerEndpoint, this.agentLeg?.endpointId, ...(this.conference?.legs ?? []).map((l) => l.endpointId)]) if (id) await this.media.closeEndpoint(id).catch(() => {});
    this.media.releaseGroup(this.callId);
  }
}
