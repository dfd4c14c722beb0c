// Click-to-dial from the agent desktop: the agent's own phone rings first (so that nobody on the outside answers
// into silence), then the number is called through the trunk chosen by the division's outbound rules, with its
// caller ID, and the two legs are bridged and recorded per policy. The desktop controls it like any call.
import { randomUUID } from 'node:crypto';
import type { MediaEngine } from '@kefu/media';
import { SipError, type Dialog } from '@kefu/sip';
import type { HangupBy } from '../conversations/interactions.service.ts';
import { ringTargets, type AgentLeg } from './agent-legs.ts';
import { CallEndedError, type RecordingControl } from './call-control.ts';
import { causeOf, type CallDeps } from './call-session.ts';
import { holdMusicPcm } from './hold-music.ts';
import { dialTrunk } from './trunk-dial.ts';
import type { AgentDevice, OutboundTrunk } from './voice-directory.ts';

export class ClickToDialCall {
  /** Not a SIP Call-ID: the key of this call among the SIP service's calls and the interaction's externalRef. */
  readonly callId = `ctd-${randomUUID()}`;
  interactionId!: string;
  private media!: MediaEngine;
  private agentLeg: AgentLeg | undefined;
  private far: { dialog: Dialog; endpointId: string } | undefined;
  private bridgeId: string | undefined;
  private recording: { id: string; mediaId: string; spoolPath: string } | undefined;
  private holding: { since: number; playbackId: string | undefined } | undefined;
  private holdMs = 0;
  private muted = false;
  private readonly abort = new AbortController();
  private endedPromise: Promise<void> | undefined;
  /** Runs once the call has ended (a callback completes its routing task). */
  afterEnd: (() => Promise<void>) | undefined;

  constructor(
    private readonly deps: CallDeps,
    readonly device: AgentDevice & { divisionId: string },
    private readonly number: string,
    private readonly trunk: OutboundTrunk,
    private readonly callerId: string,
    private readonly realm: string,
  ) {}

  get tenantId(): string {
    return this.device.tenantId;
  }
  get divisionId(): string {
    return this.device.divisionId;
  }
  get agent(): { userId: string; extension: string } {
    return { userId: this.device.userId, extension: this.device.extension };
  }
  get onHold(): boolean {
    return !!this.holding;
  }
  get isMuted(): boolean {
    return this.muted;
  }
  get isRecording(): boolean {
    return !!this.recording;
  }

  /** Opens the interaction (so the desktop has its id at once); the ringing continues in `run`. */
  async open(): Promise<string> {
    const interaction = await this.deps.interactions.open(this.tenantId, {
      divisionId: this.divisionId, channel: 'voice', direction: 'outbound', from: this.callerId || this.device.extension, to: this.number, externalRef: this.callId,
    });
    this.interactionId = interaction.id;
    await this.deps.interactions.update(this.tenantId, interaction.id, { agentId: this.device.userId });
    return interaction.id;
  }

  async run(): Promise<void> {
    try {
      await this.place();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.deps.logger.error({ err, callId: this.callId }, 'click-to-dial failed');
      await this.end('system', 500, 'failed');
    }
  }

  private async place(): Promise<void> {
    this.media = await this.deps.media();
    const leg = await ringTargets(
      { ua: this.deps.ua, media: this.media, registrar: this.deps.registrar, tenantId: this.tenantId, realm: this.realm, group: this.callId, callerName: this.number },
      [{ userId: this.device.userId, extension: this.device.extension }],
      { signal: this.abort.signal, timeoutMs: this.deps.timing.ringTimeoutMs },
    );
    if (!leg) return this.end('agent', 480, 'failed');
    this.agentLeg = leg;
    this.watch(leg.dialog, leg.endpointId, 'agent');
    const ringback = await this.media.request('play', leg.endpointId, { tone: 'ringback' });
    await this.deps.interactions.update(this.tenantId, this.interactionId, { offeredAt: new Date() });
    try {
      this.far = await dialTrunk({ ua: this.deps.ua, media: this.media, group: this.callId }, this.trunk, this.callerId, this.number, this.abort.signal);
    } catch (err) {
      const status = err instanceof SipError && err.status ? err.status : 503;
      return this.end('customer', status, this.abort.signal.aborted ? 'abandoned' : 'failed');
    }
    if (this.abort.signal.aborted) return void this.far.dialog.destroy();
    this.watch(this.far.dialog, this.far.endpointId, 'customer');
    await this.media.request('stopPlayback', ringback.playbackId).catch(() => {});
    this.bridgeId = (await this.media.bridge(this.far.endpointId, leg.endpointId)).bridgeId;
    await this.deps.interactions.update(this.tenantId, this.interactionId, { answeredAt: new Date() });
    await this.deps.interactions.segment(this.tenantId, this.interactionId, 'agent', { userId: this.device.userId, endpoint: this.device.extension });
    const policy = await this.deps.directory.policy(this.tenantId, this.divisionId);
    if (policy.recording === 'always') await this.startRecording();
  }

  private watch(dialog: Dialog, endpointId: string, side: 'customer' | 'agent'): void {
    dialog.on('modify', (req, res) => {
      if (!req.body.length) return res.send(200, dialog.localSdp ? { body: dialog.localSdp } : {});
      this.media.request('answer', endpointId, req.bodyText).then((sdp) => res.send(200, { body: sdp }), () => res.send(488));
    });
    dialog.on('destroy', ({ reason, request }) => {
      if (reason === 'remote') void this.end(side, causeOf(request), 'normal');
      else if (reason !== 'local') void this.end('system', 500, 'failed');
    });
  }

  private connected(): { far: { dialog: Dialog; endpointId: string }; agent: AgentLeg } {
    if (this.abort.signal.aborted) throw new CallEndedError();
    if (!this.far || !this.agentLeg) throw new RangeError('the call is not connected yet');
    return { far: this.far, agent: this.agentLeg };
  }

  async hold(): Promise<void> {
    const { far } = this.connected();
    if (this.holding) return;
    this.holding = { since: Date.now(), playbackId: undefined };
    if (this.bridgeId) await this.media.request('muteBridge', this.bridgeId, far.endpointId, true).catch(() => {});
    this.holding.playbackId = (await this.media.request('play', far.endpointId, { pcm: holdMusicPcm(), loop: true }).catch(() => undefined))?.playbackId;
    await this.deps.interactions.segment(this.tenantId, this.interactionId, 'hold', { userId: this.device.userId, outcome: 'held' });
  }

  async unhold(): Promise<void> {
    const { far } = this.connected();
    const hold = this.holding;
    if (!hold) return;
    this.holding = undefined;
    this.holdMs += Date.now() - hold.since;
    if (hold.playbackId) await this.media.request('stopPlayback', hold.playbackId).catch(() => {});
    if (this.bridgeId) await this.media.request('muteBridge', this.bridgeId, far.endpointId, false).catch(() => {});
    await this.deps.interactions.update(this.tenantId, this.interactionId, { holdMs: this.holdMs });
    await this.deps.interactions.segment(this.tenantId, this.interactionId, 'agent', { userId: this.device.userId, endpoint: this.device.extension, outcome: 'resumed' });
  }

  async mute(on: boolean): Promise<void> {
    const { agent } = this.connected();
    if (this.bridgeId) await this.media.request('muteBridge', this.bridgeId, agent.endpointId, on);
    this.muted = on;
  }

  async sendDtmf(digits: string): Promise<void> {
    const { far } = this.connected();
    if (!/^[0-9*#A-D]{1,32}$/.test(digits)) throw new RangeError('digits: 0-9, *, # and A-D only');
    await this.media.request('sendDtmf', far.endpointId, digits);
  }

  async startRecording(): Promise<RecordingControl> {
    const { far, agent } = this.connected();
    if (this.recording) return { recordingId: this.recording.id };
    const rec = await this.deps.recordings.start(this.tenantId, this.divisionId, this.interactionId);
    const { recordingId } = await this.media.record({ path: rec.spoolPath, left: far.endpointId, right: agent.endpointId });
    this.recording = { id: rec.id, mediaId: recordingId, spoolPath: rec.spoolPath };
    return { recordingId: rec.id };
  }

  async stopRecording(): Promise<void> {
    const rec = this.recording;
    if (!rec) return;
    this.recording = undefined;
    const durationMs = (await this.media.request('stopRecording', rec.mediaId).catch(() => undefined))?.durationMs ?? 0;
    await this.deps.recordings.store(this.tenantId, rec.id, rec.spoolPath, 'stored', durationMs).catch(() => {});
  }

  async pauseRecording(): Promise<void> {
    this.connected();
    if (!this.recording) throw new RangeError('the call is not being recorded');
    await this.media.request('pauseRecording', this.recording.mediaId);
  }

  async resumeRecording(): Promise<void> {
    this.connected();
    if (!this.recording) throw new RangeError('the call is not being recorded');
    await this.media.request('resumeRecording', this.recording.mediaId);
  }

  async hangup(cause: { sipCause?: number; endReason?: string; by?: 'agent' | 'system' } = {}): Promise<void> {
    await this.end(cause.by ?? 'agent', cause.sipCause ?? 200, cause.endReason ?? 'normal');
  }

  end(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.endedPromise ??= this.finish(by, sipCause, reason);
    return this.endedPromise;
  }

  private async finish(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.abort.abort();
    const endedAt = new Date();
    if (this.holding) {
      this.holdMs += Date.now() - this.holding.since;
      await this.deps.interactions.update(this.tenantId, this.interactionId, { holdMs: this.holdMs }).catch(() => {});
    }
    const s = this.far && this.media ? await this.media.request('stats', this.far.endpointId).catch(() => undefined) : undefined;
    const hangups = [this.agentLeg?.dialog, this.far?.dialog].filter((d): d is Dialog => d?.state === 'confirmed').map((d) => d.destroy());
    await this.stopRecording();
    if (this.media) {
      for (const id of [this.agentLeg?.endpointId, this.far?.endpointId]) if (id) await this.media.closeEndpoint(id).catch(() => {});
      this.media.releaseGroup(this.callId);
    }
    if (this.interactionId) {
      const expected = s ? s.packetsReceived + s.packetsLost : 0;
      await this.deps.interactions.close(this.tenantId, this.interactionId, {
        endedAt, hangupBy: by, sipCause, endReason: reason,
        ...(s && s.packetsReceived > 0 ? { quality: { jitterMs: s.jitterMs, lossPct: expected ? (100 * s.packetsLost) / expected : 0, mos: s.mos } } : {}),
      }).catch((err: unknown) => this.deps.logger.error({ err }, 'closing the interaction failed'));
    }
    await Promise.allSettled(hangups);
    await this.afterEnd?.().catch((err: unknown) => this.deps.logger.warn({ err, callId: this.callId }, 'after-call step failed'));
    this.deps.ended(this);
  }
}
