import * as sdpTransform from 'sdp-transform';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket as WeriftRtpPacket, type RTCRtpTransceiver } from 'werift';
import { isCodecName, type CodecName } from '../codec/codec.registry.ts';
import { EndpointBase } from '../endpoint/endpoint-base.ts';
import type { EndpointStats } from '../endpoint/media-endpoint.ts';
import { monotonicMs } from '../engine/clock.ts';
import { MediaError } from '../errors.ts';
import { hasPlainRtpHeader, parseRtp, serializeRtp, writeRtpHeader, type RtpPacket } from '../rtp/rtp-packet.ts';
import { SrtpMediaPath } from './srtp-media-path.ts';

export interface WebRtcOptions {
  id: string;
  /** Local interface for ICE host candidates. */
  bindAddress: string;
  /** Extra host candidate address to announce (KEFU_MEDIA_IP). */
  announceAddress?: string;
  codecs?: readonly CodecName[];
  icePortRange?: [number, number];
  /** Max wait for ICE gathering when building an offer/answer. */
  gatheringTimeoutMs?: number;
  /** false keeps every packet on werift's own SRTP path (for comparison); default true. */
  fastSrtp?: boolean;
}

const STATIC_PT: Record<CodecName, number> = { PCMU: 0, PCMA: 8 };

/**
 * A browser leg: DTLS-SRTP and ICE (host candidates, rtcp-mux, BUNDLE) by werift; G.711 and
 * telephone-event end to end so the bridge to a SIP leg relays without transcoding.
 */
export class WebRtcEndpoint extends EndpointBase {
  readonly kind = 'webrtc' as const;
  readonly pc: RTCPeerConnection;
  private readonly track = new MediaStreamTrack({ kind: 'audio' });
  private readonly transceiver: RTCRtpTransceiver;
  private teCodec: RTCRtpCodecParameters | undefined;
  /** Kefu's own SRTP path once DTLS is up (werift's per-packet path only as a fallback). */
  private fast: SrtpMediaPath | undefined;

  constructor(private readonly o: WebRtcOptions) {
    super(o.id);
    const list = o.codecs ?? ['PCMU', 'PCMA'];
    const audio = [
      ...list.map((c) => new RTCRtpCodecParameters({ mimeType: `audio/${c}`, clockRate: 8000, channels: 1, payloadType: STATIC_PT[c] })),
      new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: 101 }),
    ];
    // A wildcard bind address gathers on every interface; a specific one restricts ICE to it. The
    // announced address (KEFU_MEDIA_IP, e.g. a public or NAT address) is added as a host candidate.
    const wildcard = o.bindAddress === '0.0.0.0' || o.bindAddress === '::';
    const hosts = [...new Set([...(wildcard ? [] : [o.bindAddress]), ...(o.announceAddress ? [o.announceAddress] : [])])];
    this.pc = new RTCPeerConnection({
      codecs: { audio, video: [] },
      headerExtensions: { audio: [], video: [] },
      ...(wildcard ? {} : { iceInterfaceAddresses: { udp4: o.bindAddress } }),
      iceAdditionalHostAddresses: hosts,
      ...(o.icePortRange ? { icePortRange: o.icePortRange } : {}),
    });
    this.transceiver = this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    this.transceiver.onTrack.subscribe((remote) => {
      remote.onReceiveRtp.subscribe((rtp) => {
        const h = rtp.header;
        this.receiveRtp({ payloadType: h.payloadType, marker: h.marker, sequenceNumber: h.sequenceNumber, timestamp: h.timestamp, ssrc: h.ssrc, payload: rtp.payload }, monotonicMs());
      });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') this.attachFastPath();
    });
  }

  /** Moves RTP onto SrtpMediaPath when the DTLS transport of our transceiver is connected. */
  private attachFastPath(): void {
    if (this.fast || this.closed || this.o.fastSrtp === false) return;
    const dtls = this.transceiver.dtlsTransport;
    if (!dtls) return;
    this.fast = SrtpMediaPath.attach(dtls, (plain) => {
      let p: RtpPacket;
      try {
        p = parseRtp(plain);
      } catch {
        return;
      }
      // The decrypted packet is a buffer of its own: a same-codec relay may rewrite and resend it.
      this.receiveRtp(p, monotonicMs(), hasPlainRtpHeader(plain) ? plain : undefined);
    });
  }

  override stats(): EndpointStats {
    const st = super.stats();
    if (this.fast) st.srtp = { path: 'kefu', profile: this.fast.profileName };
    else if (this.pc.connectionState === 'connected') st.srtp = { path: 'werift' };
    return st;
  }

  private async gathered(): Promise<string> {
    const timeout = this.o.gatheringTimeoutMs ?? 5000;
    if (this.pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeout);
        const sub = this.pc.iceGatheringStateChange.subscribe((s) => {
          if (s === 'complete') {
            clearTimeout(t);
            sub.unSubscribe();
            resolve();
          }
        });
      });
    }
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new MediaError('MEDIA_SDP_INVALID', 'no local description after ICE gathering');
    return sdp;
  }

  async createOffer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.gathered();
  }

  async acceptAnswer(answerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    this.applyNegotiated(answerSdp);
  }

  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const sdp = await this.gathered();
    this.applyNegotiated(sdp);
    return sdp;
  }

  /** Reads the chosen codec and telephone-event type from the answer. */
  private applyNegotiated(answerSdp: string): void {
    const m = sdpTransform.parse(answerSdp).media.find((x) => x.type === 'audio');
    if (!m) throw new MediaError('MEDIA_SDP_NO_COMMON_CODEC', 'no audio in WebRTC answer');
    const pts = String(m.payloads ?? '').split(/\s+/).map(Number);
    let codec: CodecName | undefined;
    let pt = 0;
    let te: number | undefined;
    for (const p of pts) {
      const name = (m.rtp.find((r) => r.payload === p)?.codec ?? '').toUpperCase();
      if (!codec && isCodecName(name)) {
        codec = name;
        pt = p;
      }
      if (name === 'TELEPHONE-EVENT' && te === undefined) te = p;
    }
    if (!codec) throw new MediaError('MEDIA_SDP_NO_COMMON_CODEC', 'WebRTC answer has no PCMU/PCMA');
    this.stream = { codec, payloadType: pt, ptime: 20, direction: 'sendrecv', ...(te !== undefined ? { telephoneEventPt: te } : {}) };
    this.teCodec = te === undefined ? undefined : this.transceiver.codecs.find((c) => c.payloadType === te);
  }

  get connectionState(): string {
    return this.pc.connectionState;
  }

  protected override transmitFrame(frame: Uint8Array, payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number): boolean {
    if (!this.fast) return false;
    writeRtpHeader(frame, payloadType, marker, sequenceNumber, timestamp, this.transceiver.sender.ssrc);
    this.fast.sendRtp(frame); // protectRtp writes a new buffer: the frame's payload stays readable
    return true;
  }

  protected transmit(p: RtpPacket): void {
    const sender = this.transceiver.sender;
    if (this.fast) {
      // The SSRC werift announced in the SDP (a=ssrc); PT and numbering come from EndpointBase.
      this.fast.sendRtp(serializeRtp({ payloadType: p.payloadType, marker: p.marker, sequenceNumber: p.sequenceNumber, timestamp: p.timestamp, ssrc: sender.ssrc, payload: p.payload }));
      return;
    }
    const packet = new WeriftRtpPacket(
      new RtpHeader({ payloadType: p.payloadType, marker: p.marker, sequenceNumber: p.sequenceNumber, timestamp: p.timestamp, ssrc: sender.ssrc }),
      Buffer.from(p.payload.buffer, p.payload.byteOffset, p.payload.byteLength),
    );
    if (this.teCodec && p.payloadType === this.teCodec.payloadType) {
      // werift stamps the sender's codec PT on every packet; swap it for the (synchronous) header step.
      const audio = sender.codec;
      sender.codec = this.teCodec;
      void sender.sendRtp(packet).catch(() => undefined);
      sender.codec = audio;
      return;
    }
    void sender.sendRtp(packet).catch(() => undefined);
  }

  protected async closeTransport(): Promise<void> {
    this.fast?.detach();
    await this.pc.close();
  }
}
