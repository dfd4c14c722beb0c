import type dgram from 'node:dgram';
import type { CodecName } from '../codec/codec.registry.ts';
import { monotonicMs } from '../engine/clock.ts';
import { ntpFromMs, parseRtcp, serializeRtcp, type RtcpPacket } from '../rtp/rtcp-packet.ts';
import { hasPlainRtpHeader, isRtcp, parseRtp, serializeRtp, writeRtpHeader, type RtpPacket } from '../rtp/rtp-packet.ts';
import type { PortAllocator } from '../rtp/port-allocator.ts';
import { applyAnswer, SdpSession, type Direction, type LocalAudioParams, type NegotiatedAudio } from '../sdp/sdp-audio.ts';
import { EndpointBase } from './endpoint-base.ts';

export interface RtpEndpointOptions {
  id: string;
  /** Address the sockets bind to. */
  bindAddress: string;
  /** Address written into SDP (KEFU_MEDIA_IP); defaults to bindAddress. */
  announceAddress?: string;
  ports: PortAllocator;
  codecs?: readonly CodecName[];
  telephoneEvent?: boolean;
  /** Symmetric RTP: send to where the remote's packets come from (default true). */
  latching?: boolean;
  /** RTCP report interval (RFC 3550 §6.2 minimum 5 s). */
  rtcpIntervalMs?: number;
}

/** A plain RTP/AVP leg over UDP toward a SIP phone or trunk. */
export class RtpEndpoint extends EndpointBase {
  readonly kind = 'rtp' as const;
  private readonly sdp = new SdpSession();
  private remoteRtp: { address: string; port: number } | undefined;
  private remoteRtcp: { address: string; port: number } | undefined;
  private rtcpMux = false;
  private latched = false;
  private lastFromRemoteAt = 0;
  private nextRtcpAt = 0;
  private lastOffer: LocalAudioParams | undefined;
  negotiated: NegotiatedAudio | undefined;

  private constructor(
    private readonly o: RtpEndpointOptions,
    private readonly rtpSocket: dgram.Socket,
    private readonly rtcpSocket: dgram.Socket,
    readonly localPort: number,
  ) {
    super(o.id);
    rtpSocket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo, false));
    rtcpSocket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo, true));
    rtpSocket.on('error', () => undefined);
    rtcpSocket.on('error', () => undefined);
  }

  static async create(o: RtpEndpointOptions): Promise<RtpEndpoint> {
    const { rtp, rtcp, port } = await o.ports.bindPair(o.bindAddress);
    return new RtpEndpoint(o, rtp, rtcp, port);
  }

  private local(direction?: Direction): LocalAudioParams {
    const p: LocalAudioParams = { address: this.o.announceAddress ?? this.o.bindAddress, port: this.localPort, direction: direction ?? 'sendrecv', rtcpMux: true };
    if (this.o.codecs) p.codecs = this.o.codecs;
    if (this.o.telephoneEvent !== undefined) p.telephoneEvent = this.o.telephoneEvent;
    return p;
  }

  /** Our offer (initial, or a re-offer for hold with `sendonly`/`inactive`). */
  createOffer(direction?: Direction): string {
    this.lastOffer = this.local(direction);
    return this.sdp.createOffer(this.lastOffer);
  }

  /** Applies the remote's answer to our last offer. */
  acceptAnswer(answerSdp: string): NegotiatedAudio {
    const n = applyAnswer(answerSdp, this.lastOffer ?? this.local());
    this.apply(n);
    return n;
  }

  /** Answers a remote (re-)offer: codec, hold state, address and port changes take effect at once. */
  answer(offerSdp: string, direction?: Direction): string {
    const { sdp, negotiated } = this.sdp.answer(offerSdp, this.local(direction));
    this.apply(negotiated);
    return sdp;
  }

  private apply(n: NegotiatedAudio): void {
    const moved = !this.remoteRtp || this.remoteRtp.address !== n.remoteAddress || this.remoteRtp.port !== n.remotePort;
    this.negotiated = n;
    this.rtcpMux = n.rtcpMux;
    this.remoteRtp = { address: n.remoteAddress, port: n.remotePort };
    this.remoteRtcp = { address: n.remoteAddress, port: n.remoteRtcpPort };
    if (moved) this.latched = false;
    this.stream = {
      codec: n.codec,
      payloadType: n.payloadType,
      ptime: n.remotePtime,
      direction: n.direction,
      ...(n.telephoneEventPt !== undefined ? { telephoneEventPt: n.telephoneEventPt } : {}),
      ...(n.redEventPt !== undefined ? { redEventPt: n.redEventPt } : {}),
    };
  }

  /** Sets the far end without SDP (tests, or addresses learnt elsewhere). */
  configure(remote: { address: string; port: number }, stream: { codec: CodecName; payloadType?: number; telephoneEventPt?: number; redEventPt?: number; ptime?: number; direction?: Direction; rtcpMux?: boolean }): void {
    const n: NegotiatedAudio = {
      remoteAddress: remote.address,
      remotePort: remote.port,
      remoteRtcpPort: stream.rtcpMux === false ? remote.port + 1 : remote.port,
      codec: stream.codec,
      payloadType: stream.payloadType ?? (stream.codec === 'PCMU' ? 0 : 8),
      remotePtime: stream.ptime ?? 20,
      direction: stream.direction ?? 'sendrecv',
      rtcpMux: stream.rtcpMux ?? true,
    };
    if (stream.telephoneEventPt !== undefined) n.telephoneEventPt = stream.telephoneEventPt;
    if (stream.redEventPt !== undefined) n.redEventPt = stream.redEventPt;
    this.apply(n);
  }

  get remoteAddress(): { address: string; port: number } | undefined {
    return this.remoteRtp;
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo, onRtcpPort: boolean): void {
    if (this.closed) return;
    const now = monotonicMs();
    if (onRtcpPort || isRtcp(msg)) {
      this.onRtcp(msg, now);
      return;
    }
    let p: RtpPacket;
    try {
      p = parseRtp(msg);
    } catch {
      return;
    }
    this.latch(rinfo, now);
    // A bare header followed by the payload: a same-codec relay may rewrite and resend the datagram.
    this.receiveRtp(p, now, hasPlainRtpHeader(msg) ? msg : undefined);
  }

  /** Symmetric RTP (RFC 4961) / latching for callers behind NAT: follow the actual source. */
  private latch(rinfo: dgram.RemoteInfo, now: number): void {
    const r = this.remoteRtp;
    const same = r && r.address === rinfo.address && r.port === rinfo.port;
    if (same) {
      this.lastFromRemoteAt = now;
      this.latched = true;
      return;
    }
    if (this.o.latching === false) return;
    // Latch on the first packet, or move when the latched source has gone quiet for 2 s.
    if (!this.latched || now - this.lastFromRemoteAt > 2000) {
      this.remoteRtp = { address: rinfo.address, port: rinfo.port };
      if (this.rtcpMux) this.remoteRtcp = { ...this.remoteRtp };
      this.latched = true;
      this.lastFromRemoteAt = now;
    }
  }

  protected transmit(packet: RtpPacket): void {
    const r = this.remoteRtp;
    if (!r || r.port === 0) return;
    this.rtpSocket.send(serializeRtp(packet), r.port, r.address);
  }

  protected override transmitFrame(frame: Uint8Array, payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number): boolean {
    const r = this.remoteRtp;
    if (!r || r.port === 0) return true;
    writeRtpHeader(frame, payloadType, marker, sequenceNumber, timestamp, this.ssrc);
    this.rtpSocket.send(frame, r.port, r.address);
    return true;
  }

  private onRtcp(msg: Buffer, now: number): void {
    let packets: RtcpPacket[];
    try {
      packets = parseRtcp(msg);
    } catch {
      return;
    }
    for (const p of packets) {
      if (p.type === 'sr') {
        this.rx.lastSrNtpMiddle = ((p.ntpSec & 0xffff) << 16 | p.ntpFrac >>> 16) >>> 0;
        this.rx.lastSrArrivalMs = now;
      }
      if (p.type === 'sr' || p.type === 'rr') {
        const block = p.reports.find((b) => b.ssrc === this.ssrc);
        if (block) {
          this.remote.fractionLost = block.fractionLost / 256;
          this.remote.jitterMs = block.jitter / 8;
          if (block.lastSr) {
            // §6.4.1: RTT = A - LSR - DLSR, in 1/65536 s.
            const ntp = ntpFromMs(Date.now());
            const a = ((ntp.sec & 0xffff) << 16 | ntp.frac >>> 16) >>> 0;
            const rtt = ((a - block.lastSr - block.delaySinceLastSr) >>> 0) / 65.536;
            if (rtt < 60_000) this.remote.rttMs = rtt;
          }
        }
      }
    }
  }

  protected override onTick(nowMs: number): void {
    if (!this.stream || !this.remoteRtcp) return;
    const interval = this.o.rtcpIntervalMs ?? 5000;
    if (this.nextRtcpAt === 0) this.nextRtcpAt = nowMs + interval * (0.5 + Math.random());
    if (nowMs < this.nextRtcpAt) return;
    this.nextRtcpAt = nowMs + interval * (0.5 + Math.random()); // §6.3.1 randomized interval
    this.sendRtcp(nowMs);
  }

  /** Sends SR (when we sent media since the last report) or RR, plus SDES CNAME (§6.1). */
  sendRtcp(nowMs = monotonicMs()): void {
    const r = this.remoteRtcp;
    if (!r || r.port === 0) return;
    const reports = this.received.packets > 0 ? [this.rx.reportBlock(nowMs)] : [];
    const ntp = ntpFromMs(Date.now());
    const head: RtcpPacket = this.sent.packets > 0
      ? { type: 'sr', ssrc: this.ssrc, ntpSec: ntp.sec, ntpFrac: ntp.frac, rtpTimestamp: this.sent.lastRtpTs, packetCount: this.sent.packets, octetCount: this.sent.octets, reports }
      : { type: 'rr', ssrc: this.ssrc, reports };
    const buf = serializeRtcp([head, { type: 'sdes', chunks: [{ ssrc: this.ssrc, cname: `kefu-${this.id}` }] }]);
    (this.rtcpMux ? this.rtpSocket : this.rtcpSocket).send(buf, r.port, r.address);
  }

  protected async closeTransport(): Promise<void> {
    const r = this.remoteRtcp;
    if (r && r.port !== 0 && this.stream) {
      const bye = serializeRtcp([{ type: 'bye', ssrcs: [this.ssrc] }]);
      await new Promise<void>((res) => (this.rtcpMux ? this.rtpSocket : this.rtcpSocket).send(bye, r.port, r.address, () => res()));
    }
    this.o.ports.release(this.localPort);
    await Promise.all([this.rtpSocket, this.rtcpSocket].map((s) => new Promise<void>((res) => s.close(() => res()))));
  }
}
