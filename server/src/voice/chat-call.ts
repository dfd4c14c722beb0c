// A web chat turned into a voice call: the visitor's browser is a WebRTC endpoint of the media engine (DTLS-SRTP,
// the same engine browser softphones use), the chat's agent is rung on their devices (browser phone and SIP phones,
// ring-all), the two are bridged and recorded per the division's policy, and everything stays on the chat's
// interaction: a `voice_call` segment while it lasts, the recording row, no new interaction. Either side hangs up;
// web chat ends it when the chat ends or the visitor's page goes away.
import { randomUUID } from 'node:crypto';
import type { MediaEngine } from '@kefu/media';
import type { Dialog } from '@kefu/sip';
import { invalid } from '../platform/errors.ts';
import { ringTargets, type AgentLeg } from './agent-legs.ts';
import type { CallDeps } from './call-session.ts';
import type { ChatCallRequest } from './chat-call-port.ts';

type By = 'customer' | 'agent' | 'system';

/**
 * What a browser's offer must carry before the media engine sees it: audio over DTLS-SRTP with ICE credentials and
 * G.711 among its codecs (anything else the engine could only fail on, or time out gathering for). Returns the
 * problem, or undefined for an offer worth answering.
 */
export function visitorOfferProblem(sdp: string): string | undefined {
  if (!/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF [\d ]+\r?$/m.test(sdp)) return 'needs an audio section over UDP/TLS/RTP/SAVPF (DTLS-SRTP)';
  if (!/^a=fingerprint:\S+ [0-9A-Fa-f:]+\r?$/m.test(sdp)) return 'needs a DTLS fingerprint';
  if (!/^a=ice-ufrag:\S+\r?$/m.test(sdp) || !/^a=ice-pwd:\S+\r?$/m.test(sdp)) return 'needs ICE credentials';
  if (!/^a=rtpmap:\d+ PCM[UA]\/8000/im.test(sdp)) return 'needs PCMU or PCMA among its codecs';
  return undefined;
}

export class ChatCall {
  /** The key of this call among the SIP service's calls (not a SIP Call-ID) and its media group. */
  readonly callId = `chat-${randomUUID()}`;
  private media!: MediaEngine;
  private visitorEndpoint: string | undefined;
  private agentLeg: AgentLeg | undefined;
  private bridgeId: string | undefined;
  private recording: { id: string; mediaId: string; spoolPath: string } | undefined;
  private connectedAt: number | undefined;
  private readonly abort = new AbortController();
  private endedPromise: Promise<void> | undefined;

  constructor(
    private readonly deps: CallDeps,
    readonly request: Omit<ChatCallRequest, 'offerSdp'>,
    private readonly realm: string,
  ) {}

  get interactionId(): string {
    return this.request.interactionId;
  }
  get tenantId(): string {
    return this.request.tenantId;
  }

  /** Answers the visitor's offer with a WebRTC endpoint of the media engine. */
  async answerVisitor(offerSdp: string): Promise<string> {
    const problem = visitorOfferProblem(offerSdp);
    if (problem) throw invalid('sdp', problem);
    this.media = await this.deps.media();
    const ep = await this.media.createWebRtcEndpoint({ group: this.callId });
    this.visitorEndpoint = ep.id;
    try {
      return await this.media.request('webrtcAnswer', ep.id, offerSdp);
    } catch (err) {
      await this.media.closeEndpoint(ep.id).catch(() => {});
      this.visitorEndpoint = undefined;
      this.media.releaseGroup(this.callId);
      // The visitor's browser sent it: an offer the engine cannot answer is bad input, not a server failure.
      this.deps.logger.info({ err, interactionId: this.interactionId }, 'chat call: visitor offer refused');
      throw invalid('sdp', 'is not an audio offer the media engine can answer (DTLS-SRTP with PCMU or PCMA)');
    }
  }

  /** Rings the agent and connects; never throws (a failure ends the call). */
  async run(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.deps.logger.error({ err, callId: this.callId, interactionId: this.interactionId }, 'chat voice call failed');
      await this.end('system', 'failed');
    }
  }

  private async connect(): Promise<void> {
    const r = this.request;
    r.onProgress('ringing', {});
    // The visitor hears ringback while the agent's devices ring.
    const ringback = await this.media.request('play', this.visitorEndpoint!, { tone: 'ringback' }).catch(() => undefined);
    const device = await this.deps.directory.deviceOfUser(r.tenantId, r.agentId);
    const leg = await ringTargets(
      {
        ua: this.deps.ua, media: this.media, registrar: this.deps.registrar, tenantId: r.tenantId, realm: this.realm, group: this.callId,
        callerName: r.callerName, browsers: this.deps.browsers, offer: { interactionId: r.interactionId, autoAnswer: r.autoAnswer },
      },
      [{ userId: r.agentId, extension: device?.extension ?? '' }],
      { signal: this.abort.signal, timeoutMs: this.deps.timing.ringTimeoutMs },
    );
    if (!leg) {
      if (!this.abort.signal.aborted) await this.end('agent', 'no_answer');
      return;
    }
    if (this.abort.signal.aborted) {
      await leg.dialog.destroy().catch(() => {});
      await this.media.closeEndpoint(leg.endpointId).catch(() => {});
      return;
    }
    this.agentLeg = leg;
    this.watch(leg.dialog);
    if (ringback) await this.media.request('stopPlayback', ringback.playbackId).catch(() => {});
    this.bridgeId = (await this.media.bridge(this.visitorEndpoint!, leg.endpointId)).bridgeId;
    this.connectedAt = Date.now();
    await this.deps.interactions.segment(r.tenantId, r.interactionId, 'voice_call', { userId: r.agentId, endpoint: leg.target.extension || 'browser', outcome: 'voice_call' });
    const policy = await this.deps.directory.policy(r.tenantId, r.divisionId);
    if (policy.recording === 'always' && !this.abort.signal.aborted) await this.startRecording();
    if (!this.abort.signal.aborted) r.onProgress('connected', {});
  }

  private watch(dialog: Dialog): void {
    // A SIP phone's re-INVITE (hold, new address) is answered by the media engine, as on any call.
    dialog.on('modify', (req, res) => {
      if (!req.body.length) return res.send(200, dialog.localSdp ? { body: dialog.localSdp } : {});
      this.media.request('answer', this.agentLeg!.endpointId, req.bodyText).then((sdp) => res.send(200, { body: sdp }), () => res.send(488));
    });
    dialog.on('destroy', ({ reason }) => {
      if (reason === 'remote') void this.end('agent', 'normal');
      else if (reason !== 'local') void this.end('system', 'failed');
    });
  }

  /** Left = the visitor, right = the agent (stereo, like every call). */
  private async startRecording(): Promise<void> {
    const r = this.request;
    const rec = await this.deps.recordings.start(r.tenantId, r.divisionId, r.interactionId);
    const { recordingId } = await this.media.record({ path: rec.spoolPath, left: this.visitorEndpoint!, right: this.agentLeg!.endpointId });
    this.recording = { id: rec.id, mediaId: recordingId, spoolPath: rec.spoolPath };
  }

  private async stopRecording(): Promise<void> {
    const rec = this.recording;
    if (!rec) return;
    this.recording = undefined;
    const durationMs = (await this.media.request('stopRecording', rec.mediaId).catch(() => undefined))?.durationMs ?? 0;
    await this.deps.recordings.store(this.tenantId, rec.id, rec.spoolPath, 'stored', durationMs)
      .catch((err: unknown) => this.deps.logger.error({ err, callId: this.callId }, 'storing the chat call recording failed'));
  }

  /** Ends the call once: the agent's leg hangs up, the recording is stored, the chat goes on without it. */
  end(by: By, reason = 'normal'): Promise<void> {
    this.endedPromise ??= this.finish(by, reason);
    return this.endedPromise;
  }

  private async finish(by: By, reason: string): Promise<void> {
    this.abort.abort();
    const talkMs = this.connectedAt ? Date.now() - this.connectedAt : 0;
    const leg = this.agentLeg;
    const hangup = leg?.dialog.state === 'confirmed' ? leg.dialog.destroy().catch(() => {}) : undefined;
    if (this.bridgeId) await this.media.request('unbridge', this.bridgeId).catch(() => {});
    await this.stopRecording();
    if (this.media) {
      for (const id of [this.visitorEndpoint, leg?.endpointId]) if (id) await this.media.closeEndpoint(id).catch(() => {});
      this.media.releaseGroup(this.callId);
    }
    if (this.connectedAt) {
      await this.deps.interactions.endSegment(this.tenantId, this.interactionId, 'voice_call', by === 'system' ? reason : `${by}_hangup`, { kind: 'agent', userId: this.request.agentId })
        .catch((err: unknown) => this.deps.logger.warn({ err, callId: this.callId }, 'ending the voice call segment failed'));
    }
    await hangup;
    this.request.onProgress('ended', { by, reason, talkMs });
    this.deps.ended(this);
  }
}
