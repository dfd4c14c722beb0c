import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CodecName } from '../codec/codec.registry.ts';
import { loadWav8k } from '../audio/wav.ts';
import { tones, type ToneName, type ToneSpec } from '../audio/tones.ts';
import type { EndpointStats, MediaEndpoint } from '../endpoint/media-endpoint.ts';
import { RtpEndpoint } from '../endpoint/rtp-endpoint.ts';
import { MediaError } from '../errors.ts';
import { Bridge } from '../mixing/bridge.ts';
import { Mixer, type ParticipantMode } from '../mixing/mixer.ts';
import { BufferSource, Player, StreamSource, ToneSource, type SampleSource } from '../mixing/player.ts';
import { Recorder, type RecordingResult } from '../mixing/recorder.ts';
import { AudioTap } from '../mixing/tap.ts';
import { PortAllocator, type PortRange } from '../rtp/port-allocator.ts';
import type { Direction, NegotiatedAudio } from '../sdp/sdp-audio.ts';
import { WebRtcEndpoint, type WebRtcOptions } from '../webrtc/webrtc-endpoint.ts';
import { Ticker } from './clock.ts';
import type { MediaEvent } from './media-events.ts';

export interface MediaCoreConfig {
  /** Address RTP sockets bind to. */
  bindAddress: string;
  /** Address announced in SDP and ICE candidates (KEFU_MEDIA_IP). */
  announceAddress?: string;
  portRange?: PortRange;
  /** Prefix of generated ids (the worker index when threaded). */
  idPrefix?: string;
  rtcpIntervalMs?: number;
}

export type PlaySource =
  | { file: string; loop?: boolean | number }
  | { tone: ToneName | ToneSpec; durationMs?: number }
  | { pcm: Int16Array; loop?: boolean | number }
  | { stream: true };

export interface PlayOptions {
  /** Stop on the first DTMF digit from this endpoint. */
  bargeIn?: boolean;
}

/**
 * The media engine of one thread: endpoints, players, recorders, bridges and conferences,
 * advanced together by one monotonic 20 ms ticker (endpoints first, then consumers).
 */
export class MediaCore extends EventEmitter<{ event: [MediaEvent] }> {
  private readonly ports: PortAllocator;
  private readonly endpoints = new Map<string, MediaEndpoint>();
  private readonly players = new Map<string, Player>();
  private readonly streams = new Map<string, StreamSource>();
  private readonly recorders = new Map<string, Recorder>();
  private readonly taps = new Map<string, AudioTap>();
  private readonly bridges = new Map<string, Bridge>();
  private readonly mixers = new Map<string, Mixer>();
  private readonly inband = new Map<string, () => void>();
  private readonly ticker = new Ticker((now) => this.tick(now));
  private seq = 0;
  private readonly prompts = new Map<string, { key: string; pcm: Int16Array }>();
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 5 });

  constructor(private readonly config: MediaCoreConfig) {
    super();
    this.ports = new PortAllocator(config.portRange);
    this.loopDelay.enable();
  }

  private nextId(kind: string): string {
    return `${this.config.idPrefix ?? ''}${kind}${++this.seq}`;
  }

  private endpoint(id: string): MediaEndpoint {
    const ep = this.endpoints.get(id);
    if (!ep) throw new MediaError('MEDIA_ENDPOINT_NOT_FOUND', `no endpoint ${id}`);
    return ep;
  }
  private rtp(id: string): RtpEndpoint {
    const ep = this.endpoint(id);
    if (!(ep instanceof RtpEndpoint)) throw new MediaError('MEDIA_INVALID_ARGUMENT', `endpoint ${id} is not an RTP endpoint`);
    return ep;
  }
  private webrtc(id: string): WebRtcEndpoint {
    const ep = this.endpoint(id);
    if (!(ep instanceof WebRtcEndpoint)) throw new MediaError('MEDIA_INVALID_ARGUMENT', `endpoint ${id} is not a WebRTC endpoint`);
    return ep;
  }

  private register(ep: MediaEndpoint): void {
    this.endpoints.set(ep.id, ep);
    ep.on('dtmf', (d) => this.emit('event', { type: 'dtmf', endpointId: ep.id, digit: d.digit, source: d.source, durationMs: d.durationMs }));
    ep.on('timeout', (t) => this.emit('event', { type: 'media.timeout', endpointId: ep.id, silentMs: t.silentMs }));
    this.ticker.startTicking();
  }

  async createRtpEndpoint(o: { codecs?: CodecName[]; telephoneEvent?: boolean; latching?: boolean; inactivityTimeoutMs?: number } = {}): Promise<{ id: string; port: number }> {
    const ep = await RtpEndpoint.create({
      id: this.nextId('ep'),
      bindAddress: this.config.bindAddress,
      announceAddress: this.config.announceAddress ?? this.config.bindAddress,
      ports: this.ports,
      ...(o.codecs ? { codecs: o.codecs } : {}),
      ...(o.telephoneEvent !== undefined ? { telephoneEvent: o.telephoneEvent } : {}),
      ...(o.latching !== undefined ? { latching: o.latching } : {}),
      ...(this.config.rtcpIntervalMs ? { rtcpIntervalMs: this.config.rtcpIntervalMs } : {}),
    });
    if (o.inactivityTimeoutMs !== undefined) ep.inactivityTimeoutMs = o.inactivityTimeoutMs;
    this.register(ep);
    return { id: ep.id, port: ep.localPort };
  }

  createOffer(id: string, direction?: Direction): string {
    return this.rtp(id).createOffer(direction);
  }
  answer(id: string, offerSdp: string, direction?: Direction): string {
    return this.rtp(id).answer(offerSdp, direction);
  }
  acceptAnswer(id: string, answerSdp: string): NegotiatedAudio {
    return this.rtp(id).acceptAnswer(answerSdp);
  }
  /** Points an RTP endpoint at a peer without SDP. */
  configureRtp(id: string, remote: { address: string; port: number }, stream: Parameters<RtpEndpoint['configure']>[1]): void {
    this.rtp(id).configure(remote, stream);
  }

  async createWebRtcEndpoint(o: Partial<WebRtcOptions> = {}): Promise<{ id: string }> {
    const ep = new WebRtcEndpoint({
      id: this.nextId('wr'),
      bindAddress: this.config.bindAddress,
      announceAddress: this.config.announceAddress ?? this.config.bindAddress,
      ...o,
    });
    this.register(ep);
    return { id: ep.id };
  }
  async webrtcOffer(id: string): Promise<string> {
    return this.webrtc(id).createOffer();
  }
  async webrtcAnswer(id: string, offerSdp: string): Promise<string> {
    return this.webrtc(id).answer(offerSdp);
  }
  async webrtcAcceptAnswer(id: string, answerSdp: string): Promise<void> {
    await this.webrtc(id).acceptAnswer(answerSdp);
  }

  async play(endpointId: string, source: PlaySource, o: PlayOptions = {}): Promise<{ playbackId: string }> {
    const ep = this.endpoint(endpointId);
    const playbackId = this.nextId('pb');
    let src: SampleSource;
    if ('file' in source) src = new BufferSource(await this.prompt(source.file), source.loop ?? false);
    else if ('tone' in source) src = new ToneSource(typeof source.tone === 'string' ? tones[source.tone] : source.tone, source.durationMs);
    else if ('pcm' in source) src = new BufferSource(source.pcm, source.loop ?? false);
    else {
      const s = new StreamSource();
      this.streams.set(playbackId, s);
      src = s;
    }
    // One player per endpoint: a new prompt replaces the current one.
    for (const p of this.players.values()) if (p.endpoint === ep) p.stop('stopped');
    const player = new Player(playbackId, ep, src, (reason) => {
      this.players.delete(playbackId);
      this.streams.delete(playbackId);
      this.emit('event', { type: 'playback.ended', playbackId, endpointId, reason });
    }, o.bargeIn ?? false);
    this.players.set(playbackId, player);
    return { playbackId };
  }
  /** Decoded prompts by path, reloaded when the file changes (size or mtime). */
  private async prompt(file: string): Promise<Int16Array> {
    const st = await stat(file);
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = this.prompts.get(file);
    if (hit && hit.key === key) return hit.pcm;
    const pcm = await loadWav8k(file);
    this.prompts.set(file, { key, pcm });
    if (this.prompts.size > 64) this.prompts.delete(this.prompts.keys().next().value!);
    return pcm;
  }

  /** Appends PCM to a `{ stream: true }` playback; `end` finishes it once drained. */
  pushPcm(playbackId: string, pcm: Int16Array, end = false): void {
    const s = this.streams.get(playbackId);
    if (!s) throw new MediaError('MEDIA_NOT_FOUND', `no streaming playback ${playbackId}`);
    if (pcm.length) s.push(pcm);
    if (end) s.end();
  }
  stopPlayback(playbackId: string): void {
    this.players.get(playbackId)?.stop('stopped');
  }

  record(o: { path: string; left: string; right?: string; channels?: 'stereo' | 'mono' }): { recordingId: string } {
    const recordingId = this.nextId('rec');
    const rec = new Recorder(recordingId, {
      path: o.path,
      left: this.endpoint(o.left),
      ...(o.right ? { right: this.endpoint(o.right) } : {}),
      ...(o.channels ? { channels: o.channels } : {}),
    });
    this.recorders.set(recordingId, rec);
    return { recordingId };
  }
  pauseRecording(id: string): void {
    this.recorder(id).pause();
  }
  resumeRecording(id: string): void {
    this.recorder(id).resume();
  }
  async stopRecording(id: string): Promise<RecordingResult> {
    const rec = this.recorder(id);
    this.recorders.delete(id);
    const result = await rec.stop();
    this.emit('event', { type: 'recording.stopped', recordingId: id, result });
    return result;
  }
  private recorder(id: string): Recorder {
    const r = this.recorders.get(id);
    if (!r) throw new MediaError('MEDIA_NOT_FOUND', `no recording ${id}`);
    return r;
  }

  /** Streams what a leg sends to the owner as `audio` events (8 kHz PCM, `framesPerChunk` × 20 ms each). */
  tapAudio(endpointId: string, o: { framesPerChunk?: number } = {}): { tapId: string } {
    const tapId = this.nextId('tap');
    const frames = Math.max(1, Math.min(50, o.framesPerChunk ?? 5));
    this.taps.set(tapId, new AudioTap(tapId, this.endpoint(endpointId), frames, (pcm) => this.emit('event', { type: 'audio', tapId, endpointId, pcm })));
    return { tapId };
  }
  stopTap(tapId: string): void {
    this.taps.get(tapId)?.close();
    this.taps.delete(tapId);
  }

  /** Stops (or restarts) forwarding what `endpointId` sends across its bridge: the agent's mute. */
  muteBridge(bridgeId: string, endpointId: string, muted: boolean): void {
    const b = this.bridges.get(bridgeId);
    if (!b) throw new MediaError('MEDIA_NOT_FOUND', `no bridge ${bridgeId}`);
    b.setMuted(this.endpoint(endpointId), muted);
  }

  bridge(a: string, b: string): { bridgeId: string } {
    const bridgeId = this.nextId('br');
    this.bridges.set(bridgeId, new Bridge(bridgeId, this.endpoint(a), this.endpoint(b)));
    return { bridgeId };
  }
  unbridge(bridgeId: string): void {
    this.bridges.get(bridgeId)?.close();
    this.bridges.delete(bridgeId);
  }

  createConference(): { conferenceId: string } {
    const conferenceId = this.nextId('cf');
    this.mixers.set(conferenceId, new Mixer(conferenceId));
    return { conferenceId };
  }
  joinConference(conferenceId: string, endpointId: string, mode: ParticipantMode = 'full', whisperTo?: string): void {
    this.mixer(conferenceId).join(this.endpoint(endpointId), mode, whisperTo);
  }
  setParticipantMode(conferenceId: string, endpointId: string, mode: ParticipantMode, whisperTo?: string): void {
    this.mixer(conferenceId).setMode(endpointId, mode, whisperTo);
  }
  leaveConference(conferenceId: string, endpointId: string): void {
    this.mixer(conferenceId).leave(endpointId);
  }
  closeConference(conferenceId: string): void {
    this.mixers.get(conferenceId)?.close();
    this.mixers.delete(conferenceId);
  }
  private mixer(id: string): Mixer {
    const m = this.mixers.get(id);
    if (!m) throw new MediaError('MEDIA_NOT_FOUND', `no conference ${id}`);
    return m;
  }

  sendDtmf(endpointId: string, digits: string, durationMs?: number): void {
    this.endpoint(endpointId).sendDtmf(digits, durationMs);
  }
  /** Turns in-band (Goertzel) DTMF detection on or off for an endpoint. */
  setInbandDtmf(endpointId: string, on: boolean): void {
    const current = this.inband.get(endpointId);
    if (on && !current) this.inband.set(endpointId, this.endpoint(endpointId).enableInbandDtmf());
    if (!on && current) {
      current();
      this.inband.delete(endpointId);
    }
  }

  stats(endpointId: string): EndpointStats {
    return this.endpoint(endpointId).stats();
  }
  listEndpoints(): string[] {
    return [...this.endpoints.keys()];
  }

  async closeEndpoint(id: string): Promise<void> {
    const ep = this.endpoints.get(id);
    if (!ep) return;
    for (const p of this.players.values()) if (p.endpoint === ep) p.stop('closed');
    for (const [bid, b] of this.bridges) if (b.a === ep || b.b === ep) this.unbridge(bid);
    for (const [tid, t] of this.taps) if (t.endpoint === ep) this.stopTap(tid);
    for (const m of this.mixers.values()) m.leave(id);
    this.inband.get(id)?.();
    this.inband.delete(id);
    this.endpoints.delete(id);
    await ep.close();
    this.emit('event', { type: 'endpoint.closed', endpointId: id });
    if (this.endpoints.size === 0) this.ticker.stop();
  }

  private tick(now: number): void {
    for (const ep of this.endpoints.values()) ep.tick(now);
    for (const p of this.players.values()) p.tick();
    for (const m of this.mixers.values()) m.tick();
    for (const r of this.recorders.values()) r.tick();
    for (const t of this.taps.values()) t.tick();
  }

  /** Thread health for monitoring: tick lateness and event-loop delay since the last call. */
  health(): { endpoints: number; maxTickLateMs: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number } {
    const h = {
      endpoints: this.endpoints.size,
      maxTickLateMs: Math.round(this.ticker.maxLateMs * 100) / 100,
      eventLoopDelayP99Ms: Math.round(this.loopDelay.percentile(99) / 1e4) / 100,
      eventLoopDelayMaxMs: Math.round(this.loopDelay.max / 1e4) / 100,
    };
    this.ticker.maxLateMs = 0;
    this.loopDelay.reset();
    return h;
  }

  async close(): Promise<void> {
    for (const id of [...this.recorders.keys()]) await this.stopRecording(id);
    for (const id of [...this.mixers.keys()]) this.closeConference(id);
    for (const id of [...this.endpoints.keys()]) await this.closeEndpoint(id);
    this.ticker.stop();
    this.loopDelay.disable();
  }
}
