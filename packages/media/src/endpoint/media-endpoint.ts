import type { CodecName } from '../codec/codec.registry.ts';
import type { DetectedDigit } from '../dtmf/rfc4733.ts';
import type { Direction } from '../sdp/sdp-audio.ts';

export type EndpointId = string;

/** One received RTP payload handed to the relay path, never decoded there. */
export interface MediaPacket {
  kind: 'audio' | 'event';
  /** Set for audio. */
  codec?: CodecName;
  payload: Uint8Array;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  /** Monotonic ms at which the packet arrived (one clock read per packet on the relay path). */
  arrivalMs: number;
  /**
   * The whole received datagram, when its header is the bare 12-byte one and `payload` is the rest
   * of it. The first relay that forwards the payload unchanged takes it (`relayAudio` sets it to
   * undefined) and sends it with its header rewritten in place: no copy, no new buffer. The payload
   * octets are never written, so later listeners still read them.
   */
  frame?: Uint8Array | undefined;
}

export interface EndpointStats {
  packetsSent: number;
  octetsSent: number;
  packetsReceived: number;
  octetsReceived: number;
  /** RFC 3550 §A.3 cumulative loss of the inbound stream. */
  packetsLost: number;
  /** RFC 3550 §A.8 interarrival jitter, ms. */
  jitterMs: number;
  /** Loss and jitter the remote reported about our stream (RTCP RR). */
  remoteFractionLost?: number;
  remoteJitterMs?: number;
  /** Round trip from RTCP LSR/DLSR (§6.4.1). */
  rttMs?: number;
  /** E-model estimate for the inbound direction. */
  rFactor: number;
  mos: number;
  jitterBuffer?: { late: number; concealed: number; dropped: number; underruns: number; targetFrames: number };
  /** WebRTC legs: whose SRTP carries the RTP (Kefu's node:crypto path, or werift's) and the profile. */
  srtp?: { path: 'kefu' | 'werift'; profile?: string };
}

export interface MediaEndpointEvents {
  dtmf: [DetectedDigit];
  /** No RTP for the inactivity timeout while receiving was expected (dead call). */
  timeout: [{ silentMs: number }];
  closed: [];
}

/**
 * The one interface every kind of leg (plain RTP, WebRTC) offers to bridges, mixers,
 * players and recorders. Relay consumers use `onMedia`/`sendAudioPayload`; decoding
 * consumers call `enableDecoding` and read one 20 ms frame per tick with `currentFrame`.
 */
export interface MediaEndpoint {
  readonly id: EndpointId;
  readonly kind: 'rtp' | 'webrtc';
  /** Codec we send with (negotiated), undefined before negotiation. */
  readonly codec: CodecName | undefined;
  readonly direction: Direction;
  readonly supportsTelephoneEvent: boolean;
  on<E extends keyof MediaEndpointEvents>(event: E, listener: (...args: MediaEndpointEvents[E]) => void): this;
  off<E extends keyof MediaEndpointEvents>(event: E, listener: (...args: MediaEndpointEvents[E]) => void): this;

  /** Relay path: every received payload (audio in the sender's codec, or a telephone-event). */
  onMedia(listener: (p: MediaPacket) => void): () => void;
  /**
   * Sends audio in this endpoint's codec. `sourceId`/`sourceTs` identify the origin stream so that
   * the outgoing timestamps follow the source's; `owner` must match the output owner when one is set.
   */
  sendAudioPayload(payload: Uint8Array, sourceTs: number, sourceId: number, marker: boolean, owner?: string): void;
  /**
   * Relay path, same codec on both legs: sends `p`'s audio like `sendAudioPayload` (no output owner),
   * reusing the received datagram (`p.frame`) when it can.
   */
  relayAudio(p: MediaPacket): void;
  /** Forwards an RFC 4733 payload (when negotiated). */
  sendEventPayload(payload: Uint8Array, sourceTs: number, sourceId: number, marker: boolean): void;

  /** Decode path (ref-counted); returns the release function. */
  enableDecoding(): () => void;
  /** In-band DTMF detection on the decoded stream (ref-counted). */
  enableInbandDtmf(): () => void;
  /** This tick's decoded 20 ms frame, or undefined when nothing is playing out. */
  readonly currentFrame: Int16Array | undefined;
  /** Encodes and sends one 20 ms frame from a local source (player, mixer). */
  writeFrame(pcm: Int16Array, owner?: string): void;
  /** Reserves the output for one producer (player over a bridge); undefined releases it. */
  setOutputOwner(owner: string | undefined): void;

  sendDtmf(digits: string, durationMs?: number): void;
  /** Advances one 20 ms tick: jitter buffer playout, DTMF sending, RTCP. */
  tick(nowMs: number): void;
  stats(): EndpointStats;
  close(): Promise<void>;
}
