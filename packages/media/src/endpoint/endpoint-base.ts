import { EventEmitter } from 'node:events';
import { randomInt } from 'node:crypto';
import { codecs, type CodecName } from '../codec/codec.registry.ts';
import { JitterBuffer, FRAME_SAMPLES } from '../audio/jitter-buffer.ts';
import { ToneGenerator } from '../audio/tones.ts';
import { InbandDtmfDetector } from '../dtmf/inband-detector.ts';
import { parseRedPayload, parseTelephoneEvent, telephoneEventPackets, TelephoneEventReceiver, type DetectedDigit } from '../dtmf/rfc4733.ts';
import { monotonicMs } from '../engine/clock.ts';
import { mosFromR, rFactor } from '../rtp/e-model.ts';
import { ReceiveStats } from '../rtp/receive-stats.ts';
import type { RtpPacket } from '../rtp/rtp-packet.ts';
import type { Direction } from '../sdp/sdp-audio.ts';
import type { EndpointStats, MediaEndpoint, MediaEndpointEvents, MediaPacket } from './media-endpoint.ts';

const LOCAL_SOURCE = -1;
const EVENT_SOURCE = -2;
const DTMF_KEYS: Record<string, [number, number]> = {
  '1': [697, 1209], '2': [697, 1336], '3': [697, 1477], A: [697, 1633],
  '4': [770, 1209], '5': [770, 1336], '6': [770, 1477], B: [770, 1633],
  '7': [852, 1209], '8': [852, 1336], '9': [852, 1477], C: [852, 1633],
  '*': [941, 1209], '0': [941, 1336], '#': [941, 1477], D: [941, 1633],
};

export interface StreamConfig {
  codec: CodecName;
  /** Payload type toward the remote. */
  payloadType: number;
  telephoneEventPt?: number;
  /** RFC 2198 payload type carrying redundant telephone-events (receive only). */
  redEventPt?: number;
  /** Packetization toward the remote in ms (repacketized from 20 ms frames). */
  ptime: number;
  direction: Direction;
}

/**
 * Shared logic of all endpoints: outgoing SSRC/sequence/timestamp continuity across sources
 * (RFC 3550 §5.1), repacketizing to the remote ptime, inbound statistics, the decode path with a
 * jitter buffer, RFC 4733 receive/send and in-band DTMF. Subclasses move packets.
 */
export abstract class EndpointBase extends EventEmitter<MediaEndpointEvents> implements MediaEndpoint {
  abstract readonly kind: 'rtp' | 'webrtc';
  protected stream: StreamConfig | undefined;
  readonly ssrc = randomInt(1, 0xffffffff);
  private seq = randomInt(0, 0xffff);
  private lastOutTs = randomInt(0, 0x7fffffff);
  private lastOutAt = 0;
  private currentSource: number | undefined;
  private sourceOffset = 0;
  private outAccum: Uint8Array | undefined;
  private outAccumTs = 0;
  private owner: string | undefined;
  protected sent = { packets: 0, octets: 0, lastRtpTs: 0 };
  protected received = { packets: 0, octets: 0 };
  protected readonly rx = new ReceiveStats();
  private readonly mediaListeners = new Set<(p: MediaPacket) => void>();
  private readonly dtmfRx = new TelephoneEventReceiver();
  private decoders = 0;
  private inbandUsers = 0;
  private readonly jb = new JitterBuffer();
  private inAccum: Int16Array | undefined;
  private inAccumTs = 0;
  private inbandDetector: InbandDtmfDetector | undefined;
  private frame: Int16Array | undefined;
  private dtmfQueue: { payload?: Uint8Array; marker?: boolean; pcm?: Int16Array }[] = [];
  private dtmfEventTs = 0;
  private dtmfEventPackets = 0;
  private localTs = 0;
  protected closed = false;
  /** RTP inactivity limit (ms); 0 disables. */
  inactivityTimeoutMs = 30_000;
  private lastRxAt = 0;
  private timedOut = false;
  remote = { fractionLost: undefined as number | undefined, jitterMs: undefined as number | undefined, rttMs: undefined as number | undefined };

  constructor(readonly id: string) {
    super();
  }

  protected abstract transmit(packet: RtpPacket): void;

  /**
   * Sends a received datagram (`MediaPacket.frame`: bare 12-byte header + the payload) with the header
   * rewritten in place to these fields. Returns false when the transport cannot, and `transmit` runs.
   */
  protected transmitFrame(_frame: Uint8Array, _payloadType: number, _marker: boolean, _sequenceNumber: number, _timestamp: number): boolean {
    return false;
  }

  get codec(): CodecName | undefined {
    return this.stream?.codec;
  }
  get direction(): Direction {
    return this.stream?.direction ?? 'inactive';
  }
  get supportsTelephoneEvent(): boolean {
    return this.stream?.telephoneEventPt !== undefined;
  }
  get currentFrame(): Int16Array | undefined {
    return this.frame;
  }
  protected get canSend(): boolean {
    const d = this.direction;
    return !this.closed && (d === 'sendrecv' || d === 'sendonly');
  }
  protected get canReceive(): boolean {
    const d = this.direction;
    return !this.closed && (d === 'sendrecv' || d === 'recvonly');
  }

  onMedia(listener: (p: MediaPacket) => void): () => void {
    this.mediaListeners.add(listener);
    return () => this.mediaListeners.delete(listener);
  }

  setOutputOwner(owner: string | undefined): void {
    this.owner = owner;
    this.flushOut();
  }

  enableDecoding(): () => void {
    this.decoders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.decoders === 0) {
        this.jb.reset();
        this.frame = undefined;
      }
    };
  }

  enableInbandDtmf(): () => void {
    const releaseDecoding = this.enableDecoding();
    this.inbandUsers++;
    this.inbandDetector ??= new InbandDtmfDetector();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      releaseDecoding();
      if (--this.inbandUsers === 0) this.inbandDetector = undefined;
    };
  }

  /** Timestamp for an outgoing packet of `sourceId`: continuous across source switches. */
  private outTimestamp(sourceId: number, sourceTs: number, now: number): { ts: number; switched: boolean } {
    if (sourceId !== this.currentSource) {
      const elapsed = this.lastOutAt ? Math.max(FRAME_SAMPLES, Math.round((now - this.lastOutAt) * 8)) : 0;
      const ts = (this.lastOutTs + elapsed) >>> 0;
      this.sourceOffset = (ts - sourceTs) >>> 0;
      this.currentSource = sourceId;
      return { ts, switched: true };
    }
    return { ts: (sourceTs + this.sourceOffset) >>> 0, switched: false };
  }

  private emitPacket(payloadType: number, payload: Uint8Array, ts: number, marker: boolean, now: number, frame?: Uint8Array): void {
    if (!frame || !this.transmitFrame(frame, payloadType, marker, this.seq, ts)) {
      this.transmit({ payloadType, marker, sequenceNumber: this.seq, timestamp: ts, ssrc: this.ssrc, payload });
    }
    this.seq = (this.seq + 1) & 0xffff;
    this.lastOutTs = ts;
    this.lastOutAt = now;
    this.sent.packets++;
    this.sent.octets += payload.length;
    this.sent.lastRtpTs = ts;
  }

  sendAudioPayload(payload: Uint8Array, sourceTs: number, sourceId: number, marker: boolean, owner?: string): void {
    if (this.owner !== undefined && owner !== this.owner) return;
    this.sendAudio(payload, sourceTs, sourceId, marker, monotonicMs(), undefined);
  }

  relayAudio(p: MediaPacket): void {
    if (this.owner !== undefined) return; // a player holds the output
    const frame = p.frame;
    p.frame = undefined; // one taker: a second relay of the same packet sends a copy
    this.sendAudio(p.payload, p.timestamp, p.ssrc, p.marker, p.arrivalMs, frame);
  }

  private sendAudio(payload: Uint8Array, sourceTs: number, sourceId: number, marker: boolean, now: number, frame: Uint8Array | undefined): void {
    const s = this.stream;
    if (!s || !this.canSend || this.dtmfQueue.length > 0) return;
    const { ts, switched } = this.outTimestamp(sourceId, sourceTs, now);
    const want = s.ptime * 8;
    if (payload.length === want && !this.outAccum) {
      this.emitPacket(s.payloadType, payload, ts, marker || switched, now, frame);
      return;
    }
    // Repacketize to the remote's ptime (G.711: one octet per sample).
    if (this.outAccum && (switched || ((this.outAccumTs + this.outAccum.length) >>> 0) !== ts)) this.flushOut();
    if (!this.outAccum) {
      this.outAccum = payload.slice();
      this.outAccumTs = ts;
    } else {
      const joined = new Uint8Array(this.outAccum.length + payload.length);
      joined.set(this.outAccum);
      joined.set(payload, this.outAccum.length);
      this.outAccum = joined;
    }
    while (this.outAccum && this.outAccum.length >= want) {
      const chunk = this.outAccum.subarray(0, want);
      this.emitPacket(s.payloadType, chunk.slice(), this.outAccumTs, marker || switched, now);
      marker = false;
      const rest = this.outAccum.subarray(want);
      this.outAccumTs = (this.outAccumTs + want) >>> 0;
      this.outAccum = rest.length ? rest.slice() : undefined;
    }
  }

  private flushOut(): void {
    if (this.outAccum && this.stream) this.emitPacket(this.stream.payloadType, this.outAccum, this.outAccumTs, false, monotonicMs());
    this.outAccum = undefined;
  }

  sendEventPayload(payload: Uint8Array, sourceTs: number, sourceId: number, marker: boolean): void {
    const s = this.stream;
    if (!s || s.telephoneEventPt === undefined || !this.canSend) return;
    const now = monotonicMs();
    this.flushOut();
    const { ts, switched } = this.outTimestamp(sourceId, sourceTs, now);
    this.emitPacket(s.telephoneEventPt, payload, ts, marker || switched, now);
  }

  writeFrame(pcm: Int16Array, owner?: string): void {
    const s = this.stream;
    if (!s) return;
    const bytes = codecs[s.codec].encode(pcm);
    this.sendAudioPayload(bytes, this.localTs, LOCAL_SOURCE, false, owner);
    this.localTs = (this.localTs + pcm.length) >>> 0;
  }

  sendDtmf(digits: string, durationMs = 100): void {
    for (const d of digits.toUpperCase()) {
      if (!DTMF_KEYS[d]) continue;
      if (this.stream?.telephoneEventPt !== undefined) {
        for (const p of telephoneEventPackets(d, durationMs)) this.dtmfQueue.push({ payload: p.payload, marker: p.marker });
      } else {
        // No telephone-event negotiated: send the tone in band.
        const [lo, hi] = DTMF_KEYS[d]!;
        const gen = new ToneGenerator({ freqs: [lo, hi], cadence: [], amplitude: 7000 });
        for (let t = 0; t < durationMs; t += 20) {
          const pcm = new Int16Array(FRAME_SAMPLES);
          gen.fill(pcm);
          this.dtmfQueue.push({ pcm });
        }
      }
      for (let g = 0; g < 3; g++) this.dtmfQueue.push({ pcm: new Int16Array(FRAME_SAMPLES) }); // inter-digit gap
    }
  }

  private sendNextDtmf(now: number): void {
    const item = this.dtmfQueue.shift();
    if (!item || !this.stream) return;
    if (item.payload) {
      if (item.marker) {
        this.currentSource = undefined;
        this.dtmfEventTs = this.outTimestamp(EVENT_SOURCE, 0, now).ts;
        this.dtmfEventPackets = 0;
      }
      this.emitPacket(this.stream.telephoneEventPt!, item.payload, this.dtmfEventTs, item.marker ?? false, now);
      // Audio after the event continues past the event's duration (RFC 4733 §2.5.1.3).
      this.lastOutTs = (this.dtmfEventTs + ++this.dtmfEventPackets * FRAME_SAMPLES) >>> 0;
    } else if (item.pcm && this.canSend) {
      const { ts, switched } = this.outTimestamp(LOCAL_SOURCE - 10, this.localTs, now);
      this.emitPacket(this.stream.payloadType, codecs[this.stream.codec].encode(item.pcm), ts, switched, now);
      this.localTs = (this.localTs + FRAME_SAMPLES) >>> 0;
    }
  }

  /** Inbound RTP from the transport (already demultiplexed from RTCP). */
  protected receiveRtp(p: RtpPacket, arrivalMs: number, frame?: Uint8Array): void {
    if (!this.canReceive || !this.stream) return;
    this.lastRxAt = arrivalMs;
    this.timedOut = false;
    this.received.packets++;
    this.received.octets += p.payload.length;
    if (!this.rx.update(p.sequenceNumber, p.timestamp, arrivalMs, p.ssrc)) return;
    const s = this.stream;
    if (p.payloadType === s.redEventPt && s.redEventPt !== undefined) {
      this.receiveRedEvents(p, arrivalMs);
      return;
    }
    if (p.payloadType === s.telephoneEventPt || (p.payloadType >= 96 && p.payloadType !== s.payloadType && p.payload.length === 4)) {
      const e = parseTelephoneEvent(p.payload);
      if (e) {
        const digit = this.dtmfRx.receive(p.ssrc, p.timestamp, e);
        if (digit) this.emit('dtmf', digit);
      }
      this.dispatch({ kind: 'event', payload: p.payload, timestamp: p.timestamp, ssrc: p.ssrc, marker: p.marker, arrivalMs });
      return;
    }
    const codec: CodecName | undefined = p.payloadType === 0 ? 'PCMU' : p.payloadType === 8 ? 'PCMA' : p.payloadType === s.payloadType ? s.codec : undefined;
    if (!codec) return;
    const late = this.dtmfRx.flushUnended();
    if (late) this.emit('dtmf', late);
    this.dispatch({ kind: 'audio', codec, payload: p.payload, timestamp: p.timestamp, ssrc: p.ssrc, marker: p.marker, arrivalMs, frame });
    if (this.decoders > 0) this.decodeInto(codec, p.payload, p.timestamp);
  }

  /** RFC 4733 §2.5.1.5 redundancy via RFC 2198: every block is an event report at its own timestamp. */
  private receiveRedEvents(p: RtpPacket, arrivalMs: number): void {
    const blocks = parseRedPayload(p.payload);
    if (!blocks) return;
    for (const b of blocks) {
      if (b.payloadType !== this.stream?.telephoneEventPt) continue;
      const e = parseTelephoneEvent(b.data);
      const digit = e && this.dtmfRx.receive(p.ssrc, (p.timestamp - b.timestampOffset) >>> 0, e);
      if (digit) this.emit('dtmf', digit);
    }
    // The relay path gets the primary block as a plain telephone-event.
    const primary = blocks.at(-1);
    if (primary && primary.payloadType === this.stream?.telephoneEventPt) {
      this.dispatch({ kind: 'event', payload: primary.data, timestamp: p.timestamp, ssrc: p.ssrc, marker: p.marker, arrivalMs });
    }
  }

  private dispatch(m: MediaPacket): void {
    for (const l of this.mediaListeners) l(m);
  }

  private decodeInto(codec: CodecName, payload: Uint8Array, ts: number): void {
    const pcm = codecs[codec].decode(payload);
    let buf: Int16Array;
    if (this.inAccum && ((this.inAccumTs + this.inAccum.length) >>> 0) === ts) {
      buf = new Int16Array(this.inAccum.length + pcm.length);
      buf.set(this.inAccum);
      buf.set(pcm, this.inAccum.length);
    } else {
      buf = pcm;
      this.inAccumTs = ts;
    }
    let o = 0;
    while (buf.length - o >= FRAME_SAMPLES) {
      this.jb.push((this.inAccumTs + o) >>> 0, buf.slice(o, o + FRAME_SAMPLES));
      o += FRAME_SAMPLES;
    }
    this.inAccumTs = (this.inAccumTs + o) >>> 0;
    this.inAccum = o < buf.length ? buf.slice(o) : undefined;
  }

  tick(nowMs: number): void {
    if (this.closed) return;
    if (this.dtmfQueue.length > 0) this.sendNextDtmf(nowMs);
    this.checkInactivity(nowMs);
    if (this.decoders > 0) {
      this.jb.adapt(this.rx.jitterMs);
      this.frame = this.jb.pull();
      if (this.frame && this.inbandDetector) {
        for (const d of this.inbandDetector.push(this.frame)) this.emit('dtmf', d satisfies DetectedDigit);
      }
    } else {
      this.frame = undefined;
    }
    this.onTick(nowMs);
  }

  private checkInactivity(nowMs: number): void {
    if (!this.inactivityTimeoutMs || !this.canReceive) {
      this.lastRxAt = 0;
      return;
    }
    if (this.lastRxAt === 0) this.lastRxAt = nowMs; // the clock starts when receiving is expected
    const silentMs = nowMs - this.lastRxAt;
    if (!this.timedOut && silentMs >= this.inactivityTimeoutMs) {
      this.timedOut = true;
      this.emit('timeout', { silentMs: Math.round(silentMs) });
    }
  }

  /** Subclass hook (RTCP timing). */
  protected onTick(_nowMs: number): void {}

  stats(): EndpointStats {
    const expected = this.rx.expected;
    const lossPercent = expected > 0 ? (100 * Math.max(0, this.rx.cumulativeLost)) / expected : 0;
    const r = rFactor({ lossPercent, oneWayDelayMs: (this.remote.rttMs ?? 0) / 2 + 2 * this.rx.jitterMs + 40 + 20 });
    const st: EndpointStats = {
      packetsSent: this.sent.packets,
      octetsSent: this.sent.octets,
      packetsReceived: this.received.packets,
      octetsReceived: this.received.octets,
      packetsLost: Math.max(0, this.rx.cumulativeLost),
      jitterMs: this.rx.jitterMs,
      rFactor: r,
      mos: mosFromR(r),
    };
    if (this.remote.fractionLost !== undefined) st.remoteFractionLost = this.remote.fractionLost;
    if (this.remote.jitterMs !== undefined) st.remoteJitterMs = this.remote.jitterMs;
    if (this.remote.rttMs !== undefined) st.rttMs = this.remote.rttMs;
    if (this.decoders > 0) st.jitterBuffer = { ...this.jb.stats };
    return st;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.frame = undefined; // consumers (recorder, mixer) hear silence from now on
    this.dtmfQueue = [];
    this.mediaListeners.clear();
    await this.closeTransport();
    this.emit('closed');
    this.removeAllListeners();
  }

  protected abstract closeTransport(): Promise<void>;
}
