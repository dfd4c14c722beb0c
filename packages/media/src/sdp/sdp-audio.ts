import * as sdpTransform from 'sdp-transform';
import type { MediaDescription, SessionDescription } from 'sdp-transform';
import { codecs, isCodecName, type CodecName } from '../codec/codec.registry.ts';
import { MediaError } from '../errors.ts';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface LocalAudioParams {
  /** Address announced in c= (KEFU_MEDIA_IP or the listen address). */
  address: string;
  port: number;
  /** Codecs in preference order. */
  codecs?: readonly CodecName[];
  telephoneEvent?: boolean;
  /** Payload type we use for telephone-event in offers. */
  telephoneEventPt?: number;
  direction?: Direction;
  ptime?: number;
  rtcpMux?: boolean;
}

/** What both sides agreed for one audio stream (RFC 3264 §5/§6). */
export interface NegotiatedAudio {
  remoteAddress: string;
  remotePort: number;
  remoteRtcpPort: number;
  codec: CodecName;
  /** Payload type to send audio with (the remote side's number). */
  payloadType: number;
  /** Payload type for RFC 4733 events toward the remote, when both sides support them. */
  telephoneEventPt?: number;
  /** RFC 2198 `red` payload type carrying redundant telephone-events (RFC 4733 §2.5.1.5 / §4). */
  redEventPt?: number;
  /** Packetization the remote asked to receive, clamped to 10..60 ms (§6.1 ptime). */
  remotePtime: number;
  /** Our direction of media, from our point of view. */
  direction: Direction;
  rtcpMux: boolean;
}

const REVERSE: Record<Direction, Direction> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

function intersect(a: Direction, b: Direction): Direction {
  const send = (a === 'sendrecv' || a === 'sendonly') && (b === 'sendrecv' || b === 'sendonly');
  const recv = (a === 'sendrecv' || a === 'recvonly') && (b === 'sendrecv' || b === 'recvonly');
  return send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
}

function parseSdp(sdp: string): SessionDescription {
  let s: SessionDescription;
  try {
    s = sdpTransform.parse(sdp);
  } catch (e) {
    throw new MediaError('MEDIA_SDP_INVALID', `unparsable SDP: ${(e as Error).message}`);
  }
  if (!s.media || s.media.length === 0) throw new MediaError('MEDIA_SDP_INVALID', 'SDP has no m= line');
  return s;
}

function findAudio(s: SessionDescription): { m: MediaDescription; index: number } {
  const index = s.media.findIndex((m) => m.type === 'audio' && /^RTP\/AVP$|^RTP\/AVPF$/i.test(m.protocol) && m.port !== 0);
  if (index < 0) throw new MediaError('MEDIA_SDP_NO_COMMON_CODEC', 'no usable RTP/AVP audio stream in SDP');
  return { m: s.media[index]!, index };
}

interface RemoteFormats {
  /** Codecs offered in the remote's order with their payload types. */
  audio: { codec: CodecName; pt: number }[];
  telephoneEventPt?: number;
  /** `red` whose fmtp lists only the telephone-event type (e.g. `a=fmtp:100 101/101/101`). */
  redPt?: number;
}

function remoteFormats(m: MediaDescription): RemoteFormats {
  const pts = String(m.payloads ?? '').split(/\s+/).filter(Boolean).map(Number);
  const audio: { codec: CodecName; pt: number }[] = [];
  let telephoneEventPt: number | undefined;
  for (const pt of pts) {
    const map = m.rtp.find((r) => r.payload === pt);
    // RFC 3551 §6: static types 0 and 8 may come without rtpmap.
    const name = map ? map.codec.toUpperCase() : pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : '';
    const rate = map?.rate ?? 8000;
    if (rate !== 8000) continue;
    if (isCodecName(name)) audio.push({ codec: name, pt });
    else if (name === 'TELEPHONE-EVENT' && telephoneEventPt === undefined) telephoneEventPt = pt;
  }
  if (telephoneEventPt === undefined) return { audio };
  const red = m.rtp.find((r) => r.codec.toUpperCase() === 'RED' && (r.rate ?? 8000) === 8000 && pts.includes(r.payload));
  const redConfig = red && m.fmtp?.find((f) => f.payload === red.payload)?.config;
  const redOfEvents = redConfig !== undefined && redConfig.split('/').every((x) => Number(x) === telephoneEventPt);
  return red && redOfEvents ? { audio, telephoneEventPt, redPt: red.payload } : { audio, telephoneEventPt };
}

function directionOf(s: SessionDescription, m: MediaDescription): Direction {
  const address = m.connection?.ip ?? s.connection?.ip ?? '';
  // RFC 3264 §8.4: c=0.0.0.0 is the older (RFC 2543) way of putting a stream on hold.
  if (address === '0.0.0.0') return 'inactive';
  return (m.direction ?? (s as { direction?: Direction }).direction ?? 'sendrecv') as Direction;
}

function clampPtime(p: number | undefined): number {
  if (!p || !Number.isFinite(p)) return 20;
  return Math.max(10, Math.min(60, Math.round(p / 10) * 10));
}

function remoteRtcpPort(m: MediaDescription, mux: boolean): number {
  if (mux) return m.port;
  return m.rtcp?.port ?? m.port + 1; // RFC 3605, else RFC 3550 §11 port + 1
}

/** Session-level state kept across offers/answers (RFC 3264 §8: o= version increments). */
export class SdpSession {
  readonly sessionId = String(Math.floor(Math.random() * 1e12));
  private version = 0;

  constructor(private readonly username = 'kefu') {}

  build(local: LocalAudioParams, formats: { codec: CodecName; pt: number }[], telephoneEventPt: number | undefined, direction: Direction, rtcpMux: boolean, extraRejected: MediaDescription[] = [], audioIndex = 0, redPt?: number): string {
    const ip = local.address;
    const ipVer = ip.includes(':') ? 6 : 4;
    const rtp: { payload: number; codec: string; rate: number }[] = formats.map((f) => ({ payload: f.pt, codec: f.codec, rate: 8000 }));
    const fmtp: { payload: number; config: string }[] = [];
    if (telephoneEventPt !== undefined) {
      rtp.push({ payload: telephoneEventPt, codec: 'telephone-event', rate: 8000 });
      fmtp.push({ payload: telephoneEventPt, config: '0-16' });
      if (redPt !== undefined) {
        rtp.push({ payload: redPt, codec: 'red', rate: 8000 });
        fmtp.push({ payload: redPt, config: `${telephoneEventPt}/${telephoneEventPt}` });
      }
    }
    const audio: MediaDescription = {
      type: 'audio',
      port: local.port,
      protocol: 'RTP/AVP',
      payloads: rtp.map((r) => r.payload).join(' '),
      rtp,
      fmtp,
      ptime: local.ptime ?? 20,
      direction,
    } as MediaDescription;
    if (rtcpMux) audio.rtcpMux = 'rtcp-mux';
    const media = [...extraRejected];
    media.splice(audioIndex, 0, audio);
    const desc = {
      version: 0,
      origin: { username: this.username, sessionId: this.sessionId, sessionVersion: this.version++, netType: 'IN', ipVer, address: ip },
      name: 'Kefu',
      connection: { version: ipVer, ip },
      timing: { start: 0, stop: 0 },
      media,
    } as unknown as SessionDescription;
    return sdpTransform.write(desc);
  }

  /** An initial offer or a re-offer (RFC 3264 §5, §8). */
  createOffer(local: LocalAudioParams): string {
    const list = local.codecs ?? ['PCMU', 'PCMA'];
    const formats = list.map((c) => ({ codec: c, pt: codecs[c].staticPayloadType }));
    const te = local.telephoneEvent === false ? undefined : (local.telephoneEventPt ?? 101);
    return this.build(local, formats, te, local.direction ?? 'sendrecv', local.rtcpMux ?? true);
  }

  /** Answers an offer (RFC 3264 §6.1); throws MEDIA_SDP_NO_COMMON_CODEC when nothing matches. */
  answer(offerSdp: string, local: LocalAudioParams): { sdp: string; negotiated: NegotiatedAudio } {
    const offer = parseSdp(offerSdp);
    const { m, index } = findAudio(offer);
    const remote = remoteFormats(m);
    const ours = local.codecs ?? ['PCMU', 'PCMA'];
    // The offerer's order wins among codecs we support (§6.1 "SHOULD ... in the order of preference").
    const chosen = remote.audio.find((f) => ours.includes(f.codec));
    if (!chosen) throw new MediaError('MEDIA_SDP_NO_COMMON_CODEC', 'no common audio codec (PCMU/PCMA) in offer');
    const te = local.telephoneEvent === false ? undefined : remote.telephoneEventPt;
    const remoteDir = directionOf(offer, m);
    const direction = intersect(local.direction ?? 'sendrecv', REVERSE[remoteDir]);
    const rtcpMux = (local.rtcpMux ?? true) && m.rtcpMux === 'rtcp-mux';
    // Every other m= line is refused with port 0, keeping the order (§6).
    const rejected = offer.media
      .filter((_, i) => i !== index)
      .map((o) => ({ type: o.type, port: 0, protocol: o.protocol, payloads: o.payloads, rtp: [], fmtp: [] }) as unknown as MediaDescription);
    const red = te !== undefined ? remote.redPt : undefined;
    const sdp = this.build(local, [chosen], te, direction, rtcpMux, rejected, index, red);
    const negotiated: NegotiatedAudio = {
      remoteAddress: m.connection?.ip ?? offer.connection?.ip ?? '0.0.0.0',
      remotePort: m.port,
      remoteRtcpPort: remoteRtcpPort(m, rtcpMux),
      codec: chosen.codec,
      payloadType: chosen.pt,
      remotePtime: clampPtime(m.ptime),
      direction,
      rtcpMux,
    };
    if (te !== undefined) negotiated.telephoneEventPt = te;
    if (red !== undefined) negotiated.redEventPt = red;
    return { sdp, negotiated };
  }
}

/** Reads the answer to our offer (RFC 3264 §7). */
export function applyAnswer(answerSdp: string, local: LocalAudioParams): NegotiatedAudio {
  const answer = parseSdp(answerSdp);
  const { m } = findAudio(answer);
  const remote = remoteFormats(m);
  const ours = local.codecs ?? ['PCMU', 'PCMA'];
  const chosen = remote.audio.find((f) => ours.includes(f.codec));
  if (!chosen) throw new MediaError('MEDIA_SDP_NO_COMMON_CODEC', 'answer holds no codec from our offer');
  const remoteDir = directionOf(answer, m);
  const direction = intersect(local.direction ?? 'sendrecv', REVERSE[remoteDir]);
  const rtcpMux = (local.rtcpMux ?? true) && m.rtcpMux === 'rtcp-mux';
  const negotiated: NegotiatedAudio = {
    remoteAddress: m.connection?.ip ?? answer.connection?.ip ?? '0.0.0.0',
    remotePort: m.port,
    remoteRtcpPort: remoteRtcpPort(m, rtcpMux),
    codec: chosen.codec,
    payloadType: chosen.pt,
    remotePtime: clampPtime(m.ptime),
    direction,
    rtcpMux,
  };
  if (local.telephoneEvent !== false && remote.telephoneEventPt !== undefined) {
    negotiated.telephoneEventPt = remote.telephoneEventPt;
    if (remote.redPt !== undefined) negotiated.redEventPt = remote.redPt;
  }
  return negotiated;
}
