// One inbound call, from the INVITE to the last BYE, and the CallControl of that call. Answer with the media engine
// (RFC 3264 answer; a bad offer is 488, RFC 3261 §21.4.26), open the Interaction, run the number's flow
// (flow-port.ts), then carry out its outcome: wait in a routing queue (queue-wait.ts) and bridge the agent whose
// device answers, transfer, voicemail or hang up. Recording per the division's policy or on demand; hold, mute,
// transfers and conference from the agent's phone (re-INVITE, REFER) or the desktop API; a BYE from either side
// ends every leg and writes the CDR. Prompts, digit collection and capture live in customer-audio.ts.
import { MediaError, type MediaEngine } from '@kefu/media';
import { parseDtmfRelay, sdpDirection, SipError, type Dialog, type IncomingInvite, type Responder, type SipRequest, type UserAgent } from '@kefu/sip';
import type { HangupBy, InteractionsService } from '../conversations/interactions.service.ts';
import type { Logger } from '../platform/logger.ts';
import { ringTargets, type AgentLeg, type AgentTarget, type RingOptions } from './agent-legs.ts';
import {
  CallEndedError, type AudioCapture, type AudioSource, type CallControl, type CallEnd, type CaptureAudioOptions, type CollectDigitsOptions,
  type CollectDigitsResult, type Consultation, type PlayOptions, type PlayResult, type RecordingControl, type TransferTarget,
} from './call-control.ts';
import { CustomerAudio, toPlaySource } from './customer-audio.ts';
import type { FlowOutcome, VoiceFlowRegistryImpl, VoiceFlowRunner } from './flow-port.ts';
import type { BrowserPhones } from './browser-phones.ts';
import type { CallbackRequests } from './callbacks.ts';
import { beepPcm, holdMusicPcm } from './hold-music.ts';
import { mediaEventsOf } from './media-events.ts';
import { callbackConfirmationText } from './queue-announcer.ts';
import { waitForAgent, type QueueHost, type WaitInfo } from './queue-wait.ts';
import type { RecordingsService } from './recordings.service.ts';
import type { TenantRegistrar } from './tenant-registrar.ts';
import { authorizeOutbound, dialTrunk } from './trunk-dial.ts';
import type { NumberMatch, VoiceDirectory } from './voice-directory.ts';
import type { VoiceQueue } from './voice-queue.ts';

export type { AgentTarget };

export interface CallDeps {
  ua: UserAgent;
  media: () => Promise<MediaEngine>;
  interactions: InteractionsService;
  recordings: RecordingsService;
  directory: VoiceDirectory;
  registrar: TenantRegistrar;
  /** Routing's voice side (undefined when the routing module is absent: calls then end with no_agent). */
  queue: () => VoiceQueue | undefined;
  flows: VoiceFlowRegistryImpl;
  logger: Logger;
  timing: { ringTimeoutMs: number; queueTimeoutMs: number; pollMs: number; voicemailMaxMs: number };
  callbacks: CallbackRequests;
  browsers: BrowserPhones | undefined;
  ended: (call: { callId: string }) => void;
}

/** The SIP cause a BYE carries in its Reason header (RFC 3326), or 200 for a plain hangup. */
export function causeOf(req: SipRequest | undefined): number {
  const m = /cause\s*=\s*(\d{3})/i.exec(req?.get('Reason') ?? '');
  return m ? Number(m[1]) : 200;
}

/** Numbers without a flow: the division's default voice queue (no queue: voicemail). */
export const defaultFlowRunner = (queue: () => VoiceQueue | undefined): VoiceFlowRunner => ({
  async run(call) {
    const queueId = await queue()?.defaultQueue(call.tenantId, call.divisionId);
    // A division without a voice queue takes messages.
    return queueId ? { kind: 'queue', queueId } : { kind: 'voicemail' };
  },
});

export class CallSession implements CallControl, QueueHost {
  readonly callId: string;
  interactionId!: string;
  private media!: MediaEngine;
  private audio!: CustomerAudio;
  private callerEndpoint: string | undefined;
  private callerDialog: Dialog | undefined;
  private agentLeg: AgentLeg | undefined;
  private recording: { id: string; mediaId: string; spoolPath: string } | undefined;
  private waitingPlayback: string | undefined;
  private holding: { since: number; playbackId: string | undefined } | undefined;
  private holdMs = 0;
  private muted = false;
  private bridgeId: string | undefined;
  private conference: { id: string; legs: AgentLeg[] } | undefined;
  private consultation: { leg: AgentLeg | { dialog: Dialog; endpointId: string; target?: undefined }; bridgeId: string } | undefined;
  private offeredOnce = false;
  private inVoicemail = false;
  /** The caller was handed to a post-contact survey (the agent ended first). */
  private inSurvey = false;
  /** The insert of a recording row that started after its recorder (stored only once the row exists). */
  private recordingRow: Promise<void> | undefined;
  private readonly monitors = new Map<string, { leg: AgentLeg; mode: 'listen' | 'whisper' | 'barge' }>();
  private answered = false;
  private readonly abort = new AbortController();
  private endedPromise: Promise<void> | undefined;
  private resolveEnded!: (end: CallEnd) => void;
  readonly ended: Promise<CallEnd> = new Promise((r) => (this.resolveEnded = r));
  task: { id: string; assigned: boolean; agentId?: string } | undefined;
  readonly ringTimeoutMs: number;

  constructor(
    private readonly deps: CallDeps,
    private readonly inv: IncomingInvite,
    readonly number: NumberMatch,
    readonly realm: string,
    readonly direction: 'inbound' | 'internal',
  ) {
    this.callId = inv.request.callId;
    this.ringTimeoutMs = deps.timing.ringTimeoutMs;
  }

  get tenantId(): string {
    return this.number.tenantId;
  }
  get divisionId(): string {
    return this.number.divisionId;
  }
  get from(): string {
    const uri = this.inv.request.from.uri;
    return uri.kind === 'sip' ? (uri.user ?? uri.host) : '';
  }
  get to(): string {
    return this.number.number;
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }
  get agent(): { userId: string; extension: string } | undefined {
    return this.agentLeg?.target;
  }
  get queue(): VoiceQueue {
    const q = this.deps.queue();
    if (!q) throw new Error('routing is not available');
    return q;
  }

  /** Runs the call to its end; never throws (failures end the call with a cause). */
  async run(): Promise<void> {
    try {
      await this.answerCall();
      if (!this.callerDialog) return;
      await this.carryOut(await this.runFlow(this.number.flowId));
    } catch (err) {
      // A step that raced with the hangup (its endpoint already closed) is no failure.
      if (this.abort.signal.aborted) return;
      this.deps.logger.error({ err, callId: this.callId }, 'call failed');
      await this.end('system', 500, 'failed');
    }
  }

  private async answerCall(): Promise<void> {
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
    this.audio = new CustomerAudio(this.media, mediaEventsOf(this.media), ep.id, this.abort.signal);
    try {
      this.callerDialog = await this.deps.ua.createUAS(this.inv, { localSdp: answerSdp });
    } catch (err) {
      const cancelled = err instanceof SipError && err.code === 'CANCELLED';
      await this.end('customer', cancelled ? 487 : 408, cancelled ? 'abandoned' : 'failed');
      return;
    }
    this.watch(this.callerDialog, ep.id, 'customer');
  }

  // Flow and outcomes

  private async runFlow(flowId: string | null): Promise<FlowOutcome> {
    const registered = flowId ? this.deps.flows.runner : undefined;
    const fallback = defaultFlowRunner(this.deps.queue);
    const start = { flowId, numberId: this.number.numberId || null, number: this.number.number };
    let outcome: FlowOutcome;
    if (registered) {
      await this.deps.interactions.segment(this.tenantId, this.interactionId, 'flow');
      outcome = await registered.run(this, start).catch((err: unknown) => {
        this.deps.logger.error({ err, callId: this.callId, flowId }, 'voice flow failed: the call goes to the default queue');
        return fallback.run(this, start);
      });
    } else outcome = await fallback.run(this, start);
    // Not awaited: carrying out the outcome (a recording, ringing) must not wait for a CDR write on a slow database.
    if (!this.abort.signal.aborted) {
      void this.deps.interactions.update(this.tenantId, this.interactionId, { flowEndedAt: new Date() })
        .catch((err: unknown) => this.deps.logger.warn({ err, callId: this.callId }, 'writing flowEndedAt failed'));
    }
    return outcome;
  }

  private async carryOut(outcome: FlowOutcome): Promise<void> {
    if (this.abort.signal.aborted) return;
    switch (outcome.kind) {
      case 'queue': {
        if (!this.deps.queue()) return this.noAgent();
        await this.deps.interactions.update(this.tenantId, this.interactionId, { queuedAt: new Date() });
        await this.deps.interactions.segment(this.tenantId, this.interactionId, 'queue');
        const plan = outcome.wait;
        await this.playWaiting(plan?.music ?? 'ringback');
        const info: Partial<WaitInfo> = {};
        const result = await waitForAgent(this, {
          queueId: outcome.queueId, priority: outcome.priority, skills: outcome.skills, attributes: outcome.attributes,
          maxWaitMs: outcome.maxWaitMs ?? this.deps.timing.queueTimeoutMs, plan,
        }, info);
        if (result === 'connected' || result === 'hangup' || this.abort.signal.aborted) return;
        await this.stopWaiting();
        if (result === 'callback' && plan) {
          // The caller keeps the place they had in the queue; they hear a confirmation in their language.
          const confirmation = await plan.say(callbackConfirmationText(plan.language), plan.language).catch(() => undefined);
          return this.takeCallback({ queueId: outcome.queueId, queuedSince: info.queuedAt, confirmation, logged: (requestId) => plan.log?.({ kind: 'callback', requestId }) });
        }
        if (outcome.overflow) return this.carryOut(await outcome.overflow());
        return this.noAgent();
      }
      case 'transfer':
        return this.sendTo(outcome.target);
      case 'voicemail':
        return this.voicemail(outcome);
      case 'callback':
        return this.takeCallback(outcome);
      case 'hangup':
        return this.end('system', outcome.endReason === 'no_agent' ? 480 : 200, outcome.endReason ?? 'normal');
    }
  }

  /** Nobody can take the call: the caller may leave a message. */
  private async noAgent(): Promise<void> {
    if (!this.abort.signal.aborted) await this.voicemail({});
  }

  /**
   * Voicemail: a greeting (or the beep alone), then the caller's voice is recorded (mono, kind `voicemail`, on the
   * interaction) until they hang up, press #, or the maximum length; the call ends with reason `voicemail`.
   */
  private async voicemail(o: { greeting?: AudioSource | undefined; maxDurationMs?: number | undefined }): Promise<void> {
    if (this.abort.signal.aborted) return;
    await this.stopWaiting();
    this.inVoicemail = true;
    // The database writes run while the caller hears the greeting: under load they must not delay the recording.
    const segment = this.deps.interactions.segment(this.tenantId, this.interactionId, 'voicemail');
    if (o.greeting) await this.audio.play(o.greeting);
    await this.audio.play({ pcm: beepPcm(), sampleRate: 8000 });
    await segment;
    if (this.abort.signal.aborted) return;
    const rec = await this.deps.recordings.prepare();
    const { recordingId } = await this.media.record({ path: rec.spoolPath, left: this.callerEndpoint!, channels: 'mono' });
    this.recording = { id: rec.id, mediaId: recordingId, spoolPath: rec.spoolPath };
    // The row follows the recorder (the caller is already being recorded); a hangup meanwhile waits for it.
    this.recordingRow = this.deps.recordings.register(this.tenantId, this.divisionId, this.interactionId, rec, 1, 'voicemail');
    await this.recordingRow;
    const max = o.maxDurationMs ?? this.deps.timing.voicemailMaxMs;
    await this.audio.collectDigits({ max: 1, terminator: '#', firstDigitTimeoutMs: max, interDigitTimeoutMs: max }); // hangup, '#', or time
    if (this.abort.signal.aborted) return; // the hangup stored the message
    await this.stopRecording();
    await this.audio.play({ pcm: beepPcm(), sampleRate: 8000 });
    await this.end('system', 200, 'voicemail');
  }

  /**
   * The caller asked to be called back: the request is stored for routing and the call ends. From a queue (the
   * callback key) the request keeps the caller's place (`queuedSince`) and the caller hears `confirmation`.
   */
  private async takeCallback(o: {
    queueId: string; number?: string | undefined; preferredAt?: Date | undefined; queuedSince?: Date | undefined;
    confirmation?: AudioSource | undefined; logged?: (requestId: string) => void;
  }): Promise<void> {
    if (this.abort.signal.aborted) return;
    await this.stopWaiting();
    const requestId = await this.deps.callbacks.request({
      tenantId: this.tenantId, divisionId: this.divisionId, interactionId: this.interactionId, queueId: o.queueId,
      number: o.number ?? this.from, preferredAt: o.preferredAt ?? new Date(), ...(o.queuedSince ? { queuedSince: o.queuedSince } : {}),
    });
    o.logged?.(requestId);
    await this.deps.interactions.endSegment(this.tenantId, this.interactionId, 'queue', 'callback_requested').catch(() => {});
    await this.audio.play(o.confirmation ?? { pcm: beepPcm(), sampleRate: 8000 });
    await this.end('system', 200, 'callback_requested');
  }

  /** Ringback (or the music on hold, in a queue that asks for it) while the caller waits for a person. */
  async playWaiting(music: 'hold' | 'ringback' = 'ringback'): Promise<void> {
    if (this.waitingPlayback || !this.callerEndpoint || this.abort.signal.aborted) return;
    const source = music === 'hold' ? { pcm: holdMusicPcm(), loop: true } : { tone: 'ringback' as const };
    this.waitingPlayback = (await this.media.request('play', this.callerEndpoint, source).catch(() => undefined))?.playbackId;
  }

  /** A queue announcement: a key barges in (the wait listens for it); the waiting sound is off meanwhile. */
  async announce(source: AudioSource, signal: AbortSignal): Promise<void> {
    if (this.abort.signal.aborted) return;
    await this.audio.play(source, { signal, bargeIn: true });
  }

  onDigit(listener: (digit: string) => void): () => void {
    if (!this.callerEndpoint) return () => {};
    return mediaEventsOf(this.media).onDigit(this.callerEndpoint, listener);
  }

  async stopWaiting(): Promise<void> {
    const id = this.waitingPlayback;
    this.waitingPlayback = undefined;
    if (id) await this.media.request('stopPlayback', id).catch(() => {});
  }

  /** Sends the customer (who has no agent now) to a target. */
  private async sendTo(target: TransferTarget): Promise<void> {
    if (this.abort.signal.aborted) return;
    switch (target.kind) {
      case 'queue':
        return this.carryOut({ kind: 'queue', queueId: target.queueId, ...(target.priority !== undefined ? { priority: target.priority } : {}), ...(target.skills ? { skills: target.skills } : {}) });
      case 'flow':
        return this.carryOut(await this.runFlow(target.flowId));
      case 'number': {
        await this.playWaiting();
        const leg = await this.dialNumber(target.number, null);
        if (leg) return this.connect(leg);
        return this.noAgent();
      }
      case 'agent':
      case 'extension': {
        const device = target.kind === 'agent'
          ? await this.deps.directory.deviceOfUser(this.tenantId, target.userId)
          : await this.deps.directory.device(this.tenantId, target.extension);
        if (!device) return this.noAgent();
        await this.playWaiting();
        const leg = await this.ring([{ userId: device.userId, extension: device.extension }], { signal: this.abort.signal, timeoutMs: this.deps.timing.ringTimeoutMs });
        if (leg) return this.connect(leg);
        // Nobody answered: the customer waits for anyone in the division's default queue.
        if (!this.abort.signal.aborted) return this.carryOut(await defaultFlowRunner(this.deps.queue).run(this, { flowId: null, numberId: null, number: this.to }));
      }
    }
  }

  /** An outside number through the division's outbound rules and trunk, as a leg the session can bridge. */
  private async dialNumber(number: string, userId: string | null): Promise<AgentLeg | { dialog: Dialog; endpointId: string; target?: undefined } | undefined> {
    const decision = await authorizeOutbound(this.deps.directory, { tenantId: this.tenantId, divisionId: this.divisionId, userId, ip: null }, number);
    if (!decision.ok) return undefined;
    return dialTrunk({ ua: this.deps.ua, media: this.media, group: this.callId }, decision.trunk, decision.callerId, number, this.abort.signal).catch(() => undefined);
  }

  // QueueHost

  ring(targets: AgentTarget[], o: RingOptions): Promise<AgentLeg | undefined> {
    return ringTargets({ ua: this.deps.ua, media: this.media, registrar: this.deps.registrar, tenantId: this.tenantId, realm: this.realm, group: this.callId, callerName: this.from, browsers: this.deps.browsers }, targets, o);
  }

  async deviceOf(userId: string): Promise<AgentTarget | undefined> {
    const d = await this.deps.directory.deviceOfUser(this.tenantId, userId);
    if (d) return { userId: d.userId, extension: d.extension };
    // An agent without a SIP phone may have a browser softphone.
    return this.deps.browsers?.has(this.tenantId, userId) ? { userId, extension: '' } : undefined;
  }

  async offered(): Promise<void> {
    if (this.offeredOnce) return;
    this.offeredOnce = true;
    await this.deps.interactions.update(this.tenantId, this.interactionId, { offeredAt: new Date() });
  }

  /** Bridges the customer with a leg that answered (an agent, or an outside number) and records per policy. */
  async connect(leg: AgentLeg | { dialog: Dialog; endpointId: string; target?: undefined }): Promise<void> {
    if (this.abort.signal.aborted) {
      await leg.dialog.destroy().catch(() => {});
      await this.media.closeEndpoint(leg.endpointId).catch(() => {});
      return;
    }
    const target = leg.target;
    this.agentLeg = { dialog: leg.dialog, endpointId: leg.endpointId, target: target ?? { userId: '', extension: '' } };
    this.watch(leg.dialog, leg.endpointId, 'agent');
    await this.stopWaiting();
    this.bridgeId = (await this.media.bridge(this.callerEndpoint!, leg.endpointId)).bridgeId;
    await this.deps.interactions.update(this.tenantId, this.interactionId, { ...(this.answered ? {} : { answeredAt: new Date() }), ...(target ? { agentId: target.userId } : {}) });
    this.answered = true;
    await this.deps.interactions.segment(this.tenantId, this.interactionId, 'agent', { userId: target?.userId ?? null, endpoint: target?.extension ?? '', outcome: 'answered' });
    const policy = await this.deps.directory.policy(this.tenantId, this.number.divisionId);
    if (policy.recording === 'always' && !this.abort.signal.aborted) await this.startRecording();
  }

  /** Follows a leg: re-INVITEs (hold, new address) are answered by the media engine; a BYE ends the call. */
  private watch(dialog: Dialog, endpointId: string, side: 'customer' | 'agent' | 'colleague' | 'consult'): void {
    dialog.on('modify', (req: SipRequest, res: Responder) => {
      if (!req.body.length) return res.send(200, dialog.localSdp ? { body: dialog.localSdp } : {});
      this.media.request('answer', endpointId, req.bodyText).then(
        (sdp) => {
          res.send(200, { body: sdp });
          // The agent's phone holds the customer (RFC 3264 §8.4): the customer hears music until it resumes.
          if (side === 'agent' && this.agentLeg?.dialog === dialog) void (sdpDirection(req.bodyText) !== 'sendrecv' ? this.hold() : this.unhold()).catch(() => {});
        },
        () => res.send(488),
      );
    });
    if (side === 'agent') dialog.on('refer', (req: SipRequest, res: Responder) => void this.onRefer(dialog, req, res));
    // Keys a caller's phone sends as SIP INFO count like RFC 4733 ones (menus, the queue's callback key).
    if (side === 'customer') dialog.on('info', (req: SipRequest, res: Responder) => this.onInfo(endpointId, req, res));
    dialog.on('destroy', ({ reason, request }) => {
      if (side === 'colleague') return void this.colleagueLeft(dialog);
      if (side === 'consult') return void this.consultEnded(dialog);
      if (side === 'agent' && this.agentLeg?.dialog !== dialog) return; // a transferred agent leaving
      // The agent hung up first: the caller may be handed to a post-contact survey instead of being dropped.
      if (reason === 'remote' && side === 'agent') void this.agentLeft(causeOf(request));
      // A caller who leaves before anyone answered abandoned the call.
      else if (reason === 'remote') void this.end(side, causeOf(request), side !== 'customer' || this.answered ? 'normal' : this.inVoicemail ? 'voicemail' : 'abandoned');
      else if (reason !== 'local') void this.end('system', reason === 'session-expired' ? 408 : 500, 'failed');
    });
  }

  /** SIP INFO on the caller's leg: a `application/dtmf-relay` (Signal=5) or `application/dtmf` (5) key; others: 200. */
  private onInfo(endpointId: string, req: SipRequest, res: Responder): void {
    const type = (req.get('Content-Type') ?? '').toLowerCase();
    const digit = type.startsWith('application/dtmf-relay') ? parseDtmfRelay(req.bodyText)?.signal
      : type.startsWith('application/dtmf') ? req.bodyText.trim() : undefined;
    res.send(200);
    if (digit && /^[0-9*#A-D]$/i.test(digit) && !this.abort.signal.aborted) mediaEventsOf(this.media).signalledDigit(endpointId, digit.toUpperCase());
  }

  // CallControl: the customer's ear

  private live(): void {
    if (this.abort.signal.aborted || !this.callerEndpoint) throw new CallEndedError();
  }

  async answer(): Promise<void> {
    this.live(); // inbound calls are answered before their flow runs
  }

  async play(source: AudioSource, options?: PlayOptions): Promise<PlayResult> {
    if (this.abort.signal.aborted) return { reason: 'hangup' };
    return this.audio.play(source, options);
  }

  collectDigits(options: CollectDigitsOptions): Promise<CollectDigitsResult> {
    if (this.abort.signal.aborted) return Promise.resolve({ digits: '', reason: 'hangup' });
    return this.audio.collectDigits(options);
  }

  captureAudio(options: CaptureAudioOptions): AudioCapture {
    this.live();
    return this.audio.captureAudio(options);
  }

  async sendDtmf(digits: string): Promise<void> {
    this.live();
    if (!/^[0-9*#A-D]{1,32}$/.test(digits)) throw new RangeError('digits: 0-9, *, # and A-D only');
    await this.media.request('sendDtmf', this.callerEndpoint!, digits);
  }

  // CallControl: recording

  async startRecording(): Promise<RecordingControl> {
    this.live();
    if (this.recording) return { recordingId: this.recording.id };
    const rec = await this.deps.recordings.start(this.tenantId, this.number.divisionId, this.interactionId);
    // Left = the customer, right = the agent (stereo, so QA can tell the speakers apart).
    const { recordingId } = await this.media.record({ path: rec.spoolPath, left: this.callerEndpoint!, ...(this.agentLeg ? { right: this.agentLeg.endpointId } : {}) });
    this.recording = { id: rec.id, mediaId: recordingId, spoolPath: rec.spoolPath };
    return { recordingId: rec.id };
  }

  /** Stops the current recording and moves it into the blob store (a call may have several: one per agent). */
  async stopRecording(): Promise<void> {
    const recording = this.recording;
    if (!recording) return;
    this.recording = undefined;
    const durationMs = (await this.media.request('stopRecording', recording.mediaId).catch(() => undefined))?.durationMs ?? 0;
    await this.recordingRow?.catch(() => undefined);
    await this.deps.recordings.store(this.tenantId, recording.id, recording.spoolPath, 'stored', durationMs)
      .catch((err: unknown) => this.deps.logger.error({ err, callId: this.callId }, 'storing the recording failed'));
  }

  async pauseRecording(): Promise<void> {
    this.live();
    if (!this.recording) throw new RangeError('the call is not being recorded');
    await this.media.request('pauseRecording', this.recording.mediaId);
  }

  async resumeRecording(): Promise<void> {
    this.live();
    if (!this.recording) throw new RangeError('the call is not being recorded');
    await this.media.request('resumeRecording', this.recording.mediaId);
  }

  get isRecording(): boolean {
    return !!this.recording;
  }

  // CallControl: the agent's side

  async hold(options: { music?: AudioSource } = {}): Promise<void> {
    this.live();
    if (this.holding || !this.agentLeg) return;
    this.holding = { since: Date.now(), playbackId: undefined };
    const hold = this.holding;
    // The music owns the customer's output (the agent's audio toward them pauses); the agent hears nothing.
    if (this.bridgeId) await this.media.request('muteBridge', this.bridgeId, this.callerEndpoint!, true).catch(() => {});
    hold.playbackId = (await this.media.request('play', this.callerEndpoint!, options.music ? toPlaySource(options.music, true) : { pcm: holdMusicPcm(), loop: true }).catch(() => undefined))?.playbackId;
    await this.deps.interactions.segment(this.tenantId, this.interactionId, 'hold', { userId: this.agentLeg.target.userId || null, outcome: 'held' });
  }

  async unhold(): Promise<void> {
    this.live();
    const hold = this.holding;
    if (!hold || this.consultation) return;
    this.holding = undefined;
    this.holdMs += Date.now() - hold.since;
    if (hold.playbackId) await this.media.request('stopPlayback', hold.playbackId).catch(() => {});
    if (this.bridgeId) await this.media.request('muteBridge', this.bridgeId, this.callerEndpoint!, false).catch(() => {});
    await this.deps.interactions.update(this.tenantId, this.interactionId, { holdMs: this.holdMs });
    const agent = this.agentLeg?.target;
    await this.deps.interactions.segment(this.tenantId, this.interactionId, 'agent', { userId: agent?.userId || null, endpoint: agent?.extension ?? '', outcome: 'resumed' });
  }

  get onHold(): boolean {
    return !!this.holding;
  }
  get isMuted(): boolean {
    return this.muted;
  }

  async mute(on: boolean): Promise<void> {
    this.live();
    if (!this.agentLeg) throw new RangeError('no agent on the call');
    if (this.conference) await this.media.request('setParticipantMode', this.conference.id, this.agentLeg.endpointId, on ? 'listen' : 'full');
    else if (this.bridgeId) await this.media.request('muteBridge', this.bridgeId, this.agentLeg.endpointId, on);
    this.muted = on;
  }

  /** The agent's phone sent a REFER (RFC 3515): 202, a NOTIFY with the outcome (§2.4.5), then a blind transfer. */
  private async onRefer(dialog: Dialog, req: SipRequest, res: Responder): Promise<void> {
    const referTo = /<?(sips?:[^>;\s]+)/.exec(req.get('Refer-To') ?? '')?.[1];
    const user = referTo ? /^sips?:([^@]+)@/.exec(referTo)?.[1] : undefined;
    const target = user ? await this.deps.directory.device(this.tenantId, decodeURIComponent(user)) : undefined;
    if (!target || this.agentLeg?.dialog !== dialog || this.abort.signal.aborted) return res.send(target ? 481 : 404);
    res.send(202);
    await dialog.request('NOTIFY', {
      headers: { Event: 'refer', 'Subscription-State': 'terminated;reason=noresource' }, body: 'SIP/2.0 200 OK\r\n', contentType: 'message/sipfrag', noThrow: true,
    }).catch(() => undefined);
    await this.blindTransfer({ kind: 'extension', extension: target.extension });
  }

  /** The agent leaves; the customer hears ringback and goes to the target (nobody answering: back to a queue). */
  async blindTransfer(target: TransferTarget): Promise<void> {
    this.live();
    await this.releaseAgent('transferred');
    await this.deps.interactions.segment(this.tenantId, this.interactionId, 'queue', { outcome: 'transferred' });
    void this.sendTo(target).catch((err: unknown) => {
      if (!this.abort.signal.aborted) {
        this.deps.logger.error({ err, callId: this.callId }, 'transfer failed');
        void this.end('system', 500, 'failed');
      }
    });
  }

  /** Ends the agent's part: unbridge, store their recording, BYE their leg, complete their routing task. */
  private async releaseAgent(outcome: string): Promise<void> {
    const old = this.agentLeg;
    this.agentLeg = undefined;
    if (this.holding) {
      this.holdMs += Date.now() - this.holding.since;
      if (this.holding.playbackId) await this.media.request('stopPlayback', this.holding.playbackId).catch(() => {});
      this.holding = undefined;
      await this.deps.interactions.update(this.tenantId, this.interactionId, { holdMs: this.holdMs });
    }
    this.muted = false;
    if (this.bridgeId) await this.media.request('unbridge', this.bridgeId).catch(() => {});
    this.bridgeId = undefined;
    await this.stopRecording();
    const task = this.task;
    this.task = undefined;
    if (task?.assigned) await this.deps.queue()?.complete(this.tenantId, task.id).catch(() => {});
    if (old) {
      if (old.dialog.state === 'confirmed') await old.dialog.destroy().catch(() => {});
      await this.media.closeEndpoint(old.endpointId).catch(() => {});
    }
    void outcome;
  }

  async consultTransfer(target: Exclude<TransferTarget, { kind: 'queue' } | { kind: 'flow' }>): Promise<Consultation> {
    this.live();
    if (!this.agentLeg) throw new RangeError('no agent on the call');
    if (this.consultation) throw new RangeError('a consultation is already running');
    await this.hold();
    let leg: AgentLeg | { dialog: Dialog; endpointId: string; target?: undefined } | undefined;
    if (target.kind === 'number') leg = await this.dialNumber(target.number, this.agentLeg.target.userId || null);
    else {
      const device = target.kind === 'agent' ? await this.deps.directory.deviceOfUser(this.tenantId, target.userId) : await this.deps.directory.device(this.tenantId, target.extension);
      if (device) leg = await this.ring([{ userId: device.userId, extension: device.extension }], { signal: this.abort.signal, timeoutMs: this.deps.timing.ringTimeoutMs });
    }
    if (!leg || !this.agentLeg || this.abort.signal.aborted) {
      if (leg) {
        await leg.dialog.destroy().catch(() => {});
        await this.media.closeEndpoint(leg.endpointId).catch(() => {});
      }
      throw new ConsultFailed();
    }
    // The agent talks to the target; the customer keeps the music.
    if (this.bridgeId) await this.media.request('unbridge', this.bridgeId).catch(() => {});
    this.bridgeId = undefined;
    const consult = { leg, bridgeId: (await this.media.bridge(this.agentLeg.endpointId, leg.endpointId)).bridgeId };
    this.consultation = consult;
    this.watch(leg.dialog, leg.endpointId, 'consult');
    let endedResolve!: () => void;
    const ended = new Promise<void>((r) => (endedResolve = r));
    leg.dialog.once('destroy', () => endedResolve());
    return {
      target,
      ended,
      complete: () => this.completeConsult(consult),
      cancel: () => this.cancelConsult(consult),
    };
  }

  private async completeConsult(consult: NonNullable<CallSession['consultation']>): Promise<void> {
    this.live();
    if (this.consultation !== consult) throw new RangeError('the consultation has ended');
    this.consultation = undefined;
    await this.media.request('unbridge', consult.bridgeId).catch(() => {});
    await this.releaseAgent('transferred');
    await this.connect(consult.leg);
  }

  private async cancelConsult(consult: NonNullable<CallSession['consultation']>): Promise<void> {
    if (this.consultation !== consult) return;
    this.consultation = undefined;
    await this.media.request('unbridge', consult.bridgeId).catch(() => {});
    if (consult.leg.dialog.state === 'confirmed') await consult.leg.dialog.destroy().catch(() => {});
    await this.media.closeEndpoint(consult.leg.endpointId).catch(() => {});
    await this.rebridgeAgent();
  }

  /** The consulted party hung up: the agent is back with the (held) customer. */
  private async consultEnded(dialog: Dialog): Promise<void> {
    const consult = this.consultation;
    if (!consult || consult.leg.dialog !== dialog) return;
    await this.cancelConsult(consult);
  }

  private async rebridgeAgent(): Promise<void> {
    if (!this.agentLeg || this.abort.signal.aborted) return;
    this.bridgeId = (await this.media.bridge(this.callerEndpoint!, this.agentLeg.endpointId)).bridgeId;
    // Still on hold until `unhold`: the agent does not hear the customer yet.
    if (this.holding) await this.media.request('muteBridge', this.bridgeId, this.callerEndpoint!, true).catch(() => {});
  }

  async hangup(cause: { sipCause?: number; endReason?: string; by?: 'agent' | 'system' } = {}): Promise<void> {
    // The agent ends the call from the desktop: like their phone's BYE, a survey may follow for the caller.
    if (cause.by === 'agent' && this.agentLeg && (cause.endReason ?? 'normal') === 'normal') return this.agentLeft(cause.sipCause ?? 200);
    await this.end(cause.by ?? 'system', cause.sipCause ?? 200, cause.endReason ?? 'normal');
  }

  // Post-contact survey

  /**
   * The agent ended the conversation. When the call's flow marked it for a survey (the `survey` node, claimed once),
   * the caller stays on the line: the agent's leg is released (their routing task completes, after-call work
   * starts), the interaction's CDR ends here — talk time without the survey — and the caller's media, now
   * unbridged, is the flow engine's again for the survey flow. Otherwise the call ends as before.
   */
  private async agentLeft(sipCause: number): Promise<void> {
    const survey = this.deps.flows.runner?.survey;
    const taskId = this.task?.id;
    const flowId = survey && !this.conference && !this.consultation && this.interactionId && !this.abort.signal.aborted
      ? await survey.claim(this, { taskId }).catch((err: unknown) => {
        this.deps.logger.warn({ err, callId: this.callId }, 'survey hand-over failed: the call ends');
        return undefined;
      })
      : undefined;
    if (!flowId || !survey || this.abort.signal.aborted) return this.end('agent', sipCause, 'normal');
    this.inSurvey = true;
    const quality = await this.callQuality();
    await this.releaseAgent('survey');
    await this.deps.interactions.close(this.tenantId, this.interactionId, { hangupBy: 'agent', sipCause, endReason: 'normal', ...(quality ? { quality } : {}) })
      .catch((err: unknown) => this.deps.logger.error({ err, callId: this.callId }, 'closing the interaction failed'));
    if (this.abort.signal.aborted) return;
    await survey.run(this, flowId).catch((err: unknown) => this.deps.logger.warn({ err, callId: this.callId }, 'survey flow failed'));
    if (!this.abort.signal.aborted) await this.end('system', 200, 'survey_completed');
  }

  /** Jitter, loss and MOS of the caller's media so far (for the CDR). */
  private async callQuality(): Promise<{ jitterMs: number; lossPct: number; mos: number } | undefined> {
    if (!this.callerEndpoint) return undefined;
    const s = await this.media.request('stats', this.callerEndpoint).catch(() => undefined);
    if (!s) return undefined;
    const expected = s.packetsReceived + s.packetsLost;
    return { jitterMs: s.jitterMs, lossPct: expected > 0 ? (100 * s.packetsLost) / expected : 0, mos: s.mos };
  }

  // Conference

  /**
   * Three-way conference: rings a colleague's extension (any division of the tenant) and, once answered, moves
   * customer, agent and colleague from the two-party bridge into a mixer where each hears the other two.
   */
  async addColleague(target: AgentTarget): Promise<boolean> {
    if (!this.agentLeg || this.abort.signal.aborted) return false;
    const leg = await this.ring([target], { signal: this.abort.signal, timeoutMs: this.deps.timing.ringTimeoutMs });
    if (!leg) return false;
    if (!this.agentLeg || this.abort.signal.aborted) {
      await leg.dialog.destroy();
      await this.media.closeEndpoint(leg.endpointId).catch(() => {});
      return false;
    }
    const conf = await this.ensureConference();
    await this.media.joinConference(conf.id, leg.endpointId);
    conf.legs.push(leg);
    this.watch(leg.dialog, leg.endpointId, 'colleague');
    return true;
  }

  /** Mixer mode of a supervisor: listen = hears both, heard by nobody; whisper = heard by the agent only; barge = full. */
  private supervisorMode(mode: 'listen' | 'whisper' | 'barge'): ['full' | 'listen' | 'whisper', string | undefined] {
    if (mode === 'barge') return ['full', undefined];
    if (mode === 'whisper') return ['whisper', this.agentLeg?.endpointId];
    return ['listen', undefined];
  }

  /** Moves the call into the mixer (once): customer and agent keep hearing each other. */
  private async ensureConference(): Promise<{ id: string; legs: AgentLeg[] }> {
    if (!this.conference) {
      const { conferenceId } = await this.media.createConference(this.callId);
      if (this.bridgeId) await this.media.request('unbridge', this.bridgeId).catch(() => {});
      this.bridgeId = undefined;
      await this.media.joinConference(conferenceId, this.callerEndpoint!);
      await this.media.joinConference(conferenceId, this.agentLeg!.endpointId, this.muted ? 'listen' : 'full');
      this.conference = { id: conferenceId, legs: [] };
    }
    return this.conference;
  }

  /**
   * A supervisor monitors the call from their own phone or browser: it rings, and once answered joins the mixer
   * listening, whispering to the agent, or barged in. Hanging up leaves. Returns false when it was not answered.
   */
  async monitor(target: AgentTarget, mode: 'listen' | 'whisper' | 'barge'): Promise<boolean> {
    if (!this.agentLeg || this.abort.signal.aborted) return false;
    const leg = await this.ring([target], { signal: this.abort.signal, timeoutMs: this.deps.timing.ringTimeoutMs });
    if (!leg) return false;
    if (!this.agentLeg || this.abort.signal.aborted) {
      await leg.dialog.destroy();
      await this.media.closeEndpoint(leg.endpointId).catch(() => {});
      return false;
    }
    const conf = await this.ensureConference();
    const [m, to] = this.supervisorMode(mode);
    await this.media.joinConference(conf.id, leg.endpointId, m, to);
    conf.legs.push(leg);
    this.monitors.set(target.userId, { leg, mode });
    this.watch(leg.dialog, leg.endpointId, 'colleague');
    return true;
  }

  /** Switches a monitoring supervisor between listen, whisper and barge. */
  async setMonitorMode(userId: string, mode: 'listen' | 'whisper' | 'barge'): Promise<boolean> {
    const m = this.monitors.get(userId);
    if (!m || !this.conference || this.abort.signal.aborted) return false;
    const [mixMode, to] = this.supervisorMode(mode);
    await this.media.request('setParticipantMode', this.conference.id, m.leg.endpointId, mixMode, to);
    m.mode = mode;
    return true;
  }

  /** Supervisors monitoring the call, with their mode. */
  get monitoring(): { userId: string; mode: string }[] {
    return [...this.monitors.entries()].map(([userId, m]) => ({ userId, mode: m.mode }));
  }

  private async colleagueLeft(dialog: Dialog): Promise<void> {
    const conf = this.conference;
    const leg = conf?.legs.find((l) => l.dialog === dialog);
    if (!conf || !leg) return;
    conf.legs = conf.legs.filter((l) => l !== leg);
    for (const [userId, m] of this.monitors) if (m.leg === leg) this.monitors.delete(userId);
    await this.media.request('leaveConference', conf.id, leg.endpointId).catch(() => {});
    await this.media.closeEndpoint(leg.endpointId).catch(() => {});
  }

  /** The colleagues in the conference (extensions). */
  get colleagues(): string[] {
    const monitors = new Set([...this.monitors.values()].map((m) => m.leg));
    return (this.conference?.legs ?? []).filter((l) => !monitors.has(l)).map((l) => l.target.extension);
  }

  // The end

  /** Ends the call once: hangs up the other legs, stores the recording, closes the interaction with the CDR. */
  end(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.endedPromise ??= this.finish(by, sipCause, reason);
    return this.endedPromise;
  }

  private async finish(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.abort.abort();
    const endedAt = new Date();
    if (this.holding && this.interactionId) {
      this.holdMs += Date.now() - this.holding.since;
      await this.deps.interactions.update(this.tenantId, this.interactionId, { holdMs: this.holdMs }).catch(() => {});
    }
    const quality = await this.callQuality();
    // A survey the call was marked for and never reached (the caller left first, nobody answered) is closed.
    if (!this.inSurvey && this.interactionId) void this.deps.flows.runner?.survey?.skip(this, by === 'customer' ? 'customer_hung_up' : `ended_by_${by}`).catch(() => undefined);
    const legs = [this.callerDialog, this.agentLeg?.dialog, this.consultation?.leg.dialog, ...(this.conference?.legs ?? []).map((l) => l.dialog)];
    const hangups: Promise<void>[] = legs.filter((d): d is Dialog => d?.state === 'confirmed').map((d) => d.destroy());
    const stored = this.stopRecording();
    // The routing task: a waiting caller abandoned it; an agent's task is complete (ACW may follow).
    const task = this.task;
    this.task = undefined;
    const queue = this.deps.queue();
    const routed = task && queue ? (task.assigned ? queue.complete(this.tenantId, task.id) : queue.cancel(this.tenantId, task.id, by === 'customer' ? 'abandoned' : 'cancelled')) : undefined;
    await this.closeEndpoints();
    if (this.interactionId) {
      await this.deps.interactions.close(this.tenantId, this.interactionId, {
        endedAt, hangupBy: by, sipCause, endReason: reason, ...(quality ? { quality } : {}),
      }).catch((err: unknown) => this.deps.logger.error({ err, callId: this.callId }, 'closing the interaction failed'));
    }
    await stored;
    await routed?.catch((err: unknown) => this.deps.logger.warn({ err, callId: this.callId }, 'ending the routing task failed'));
    await Promise.allSettled(hangups);
    this.resolveEnded({ hangupBy: by, sipCause, endReason: reason });
    this.deps.ended(this);
  }

  private async closeEndpoints(): Promise<void> {
    if (!this.media) return;
    if (this.conference) await this.media.request('closeConference', this.conference.id).catch(() => {});
    const ids = [this.callerEndpoint, this.agentLeg?.endpointId, this.consultation?.leg.endpointId, ...(this.conference?.legs ?? []).map((l) => l.endpointId)];
    for (const id of ids) if (id) await this.media.closeEndpoint(id).catch(() => {});
    this.media.releaseGroup(this.callId);
  }
}

/** The consultation target did not answer (or could not be called). */
export class ConsultFailed extends Error {
  readonly code = 'CONSULT_FAILED';
  constructor() {
    super('the consultation target did not answer');
  }
}
