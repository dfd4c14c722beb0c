import { SrtpAuthenticationError, type RTCDtlsTransport } from 'werift';
import { isSupportedSrtpProfile, masterLengths, SRTP_AEAD_AES_128_GCM, SrtpSession } from './srtp.ts';

/**
 * The media path of a werift DTLS transport once DTLS-SRTP is up, without werift's per-packet
 * machinery. werift keeps ICE (connectivity checks, consent) and DTLS; this class:
 *
 *  - derives its own SRTP/SRTCP contexts from the DTLS exporter (the same master keys werift uses)
 *    and puts them under werift's RTCP too, so both share one SRTCP index and replay state;
 *  - takes RTP datagrams off the ICE socket before werift parses them (werift tries each datagram
 *    as STUN, decrypts with a new cipher and HMAC per packet, builds RtpPacket objects, runs its
 *    receiver statistics and fans out through several event layers, ≈ 40 µs per packet);
 *  - sends protected RTP straight on the nominated pair's socket (werift: four async layers and an
 *    IP-literal regex per packet).
 *
 * RTCP stays on werift's path (rare; werift builds SR/RR and reads the browser's), now encrypted by
 * these contexts. Everything here is read from werift 0.24 internals that its typings do not
 * declare; `attach` checks each one and returns undefined when something differs, and the caller
 * then keeps werift's own path.
 */

interface UdpTransportLike {
  socket: { send(msg: Uint8Array, port: number, address: string): void };
  onData: (data: Buffer, addr: [string, number]) => void;
}
interface ProtocolLike {
  transport?: UdpTransportLike;
}
interface PairLike {
  protocol: ProtocolLike;
  remoteAddr: [string, number];
}
interface ConnectionLike {
  nominated?: PairLike;
  protocols: ProtocolLike[];
  canSendApplicationData(): boolean;
}
interface DtlsSocketLike {
  srtp: { srtpProfile?: number };
  extractSessionKeys(keyLength: number, saltLength: number): { localKey: Buffer; localSalt: Buffer; remoteKey: Buffer; remoteSalt: Buffer };
}
interface WeriftDtlsInternals {
  state: string;
  dtls?: DtlsSocketLike;
  iceTransport: { connection: ConnectionLike };
  srtp: unknown;
  srtcp: unknown;
}

/** RFC 7983 / RFC 5761: RTP (not RTCP) on a muxed port. */
function isRtp(b: Buffer): boolean {
  if (b.length < 12) return false;
  const b0 = b[0]!;
  if (b0 < 128 || b0 > 191) return false;
  const pt = b[1]! & 0x7f;
  return pt < 64 || pt > 95;
}

export class SrtpMediaPath {
  private readonly hooked: { transport: UdpTransportLike; original: UdpTransportLike['onData'] }[] = [];
  private closed = false;

  private constructor(
    private readonly conn: ConnectionLike,
    readonly session: SrtpSession,
    readonly profile: number,
  ) {}

  /**
   * Takes over the media path of a connected DTLS transport. `onRtp` receives each authenticated
   * plain RTP packet (a fresh Buffer). Returns undefined when werift's internals are not as expected
   * or the negotiated profile is not one this module implements.
   */
  static attach(transport: RTCDtlsTransport, onRtp: (plain: Buffer) => void): SrtpMediaPath | undefined {
    const t = transport as unknown as WeriftDtlsInternals;
    const profile = t.dtls?.srtp?.srtpProfile;
    const conn = t.iceTransport?.connection;
    if (t.state !== 'connected' || !t.dtls || profile === undefined || !isSupportedSrtpProfile(profile)) return undefined;
    if (!conn || !Array.isArray(conn.protocols) || typeof conn.canSendApplicationData !== 'function') return undefined;
    if (typeof t.dtls.extractSessionKeys !== 'function') return undefined;
    const transports = conn.protocols.map((p) => p.transport).filter((x): x is UdpTransportLike => !!x && typeof x.onData === 'function' && !!x.socket);
    if (transports.length === 0) return undefined;
    const len = masterLengths(profile);
    const session = new SrtpSession(profile, t.dtls.extractSessionKeys(len.key, len.salt));
    const path = new SrtpMediaPath(conn, session, profile);
    // werift drops a packet quietly when its SRTP session throws this error class.
    const reject = (what: string) => new SrtpAuthenticationError(`Failed to authenticate ${what} packet`);
    // werift's RTCP (and any RTP it still sends) now go through the same contexts.
    t.srtp = {
      encrypt: (payload: Buffer, header: { serialize(size: number): Buffer; serializeSize: number }) =>
        session.local.protectRtp(Buffer.concat([header.serialize(header.serializeSize), payload])),
      decrypt: (buf: Buffer) => {
        const p = session.remote.unprotectRtp(buf);
        if (!p) throw reject('SRTP');
        return p;
      },
    };
    t.srtcp = {
      encrypt: (payload: Buffer) => session.local.protectRtcp(payload),
      decrypt: (buf: Buffer) => {
        const p = session.remote.unprotectRtcp(buf);
        if (!p) throw reject('SRTCP');
        return p;
      },
    };
    for (const ut of transports) {
      const original = ut.onData;
      ut.onData = (data, addr) => {
        if (!path.closed && isRtp(data)) {
          const plain = session.remote.unprotectRtp(data);
          if (plain) onRtp(plain);
          return;
        }
        original(data, addr);
      };
      path.hooked.push({ transport: ut, original });
    }
    return path;
  }

  /** The IANA DTLS-SRTP profile name (as browsers report `srtpCipher`). */
  get profileName(): string {
    return this.profile === SRTP_AEAD_AES_128_GCM ? 'SRTP_AEAD_AES_128_GCM' : 'SRTP_AES128_CM_HMAC_SHA1_80';
  }

  /** Protects and sends one plain RTP packet on the nominated candidate pair. */
  sendRtp(plain: Uint8Array): boolean {
    const pair = this.conn.nominated;
    if (this.closed || !pair?.protocol.transport || !this.conn.canSendApplicationData()) return false;
    const [address, port] = pair.remoteAddr;
    pair.protocol.transport.socket.send(this.session.local.protectRtp(plain), port, address);
    return true;
  }

  /** Gives the sockets back to werift (before the peer connection closes). */
  detach(): void {
    this.closed = true;
    for (const h of this.hooked) h.transport.onData = h.original;
    this.hooked.length = 0;
  }
}
