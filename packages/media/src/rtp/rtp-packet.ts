import { MediaError } from '../errors.ts';

/** RFC 3550 §5.1 fixed header plus payload. */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs?: number[];
  payload: Uint8Array;
}

/** RTP and RTCP share a port under rtcp-mux; RFC 5761 §4 tells them apart by the second byte. */
export function isRtcp(buf: Uint8Array): boolean {
  if (buf.length < 2) return false;
  const pt = buf[1]! & 0x7f;
  return pt >= 64 && pt <= 95;
}

export function parseRtp(buf: Uint8Array): RtpPacket {
  const len = buf.length;
  if (len < 12) throw new MediaError('MEDIA_RTP_MALFORMED', 'RTP packet shorter than 12 bytes');
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) throw new MediaError('MEDIA_RTP_MALFORMED', 'RTP version is not 2');
  // Fields read octet by octet: a DataView per packet costs more than the whole header parse.
  const cc = b0 & 0x0f;
  let offset = 12 + cc * 4;
  if (offset > len) throw new MediaError('MEDIA_RTP_MALFORMED', 'CSRC list past end of packet');
  let csrcs: number[] | undefined;
  if (cc > 0) {
    csrcs = [];
    for (let i = 0; i < cc; i++) csrcs.push(readU32(buf, 12 + i * 4));
  }
  // §5.3.1 header extension: 16-bit profile, 16-bit length in 32-bit words.
  if (b0 & 0x10) {
    if (offset + 4 > len) throw new MediaError('MEDIA_RTP_MALFORMED', 'extension header past end');
    offset += 4 + ((buf[offset + 2]! << 8) | buf[offset + 3]!) * 4;
  }
  let end = len;
  // §5.1 padding: the last octet counts the padding octets, itself included.
  if (b0 & 0x20) end -= buf[len - 1]!;
  if (end < offset) throw new MediaError('MEDIA_RTP_MALFORMED', 'padding or extension overruns packet');
  const b1 = buf[1]!;
  const packet: RtpPacket = {
    payloadType: b1 & 0x7f,
    marker: (b1 & 0x80) !== 0,
    sequenceNumber: (buf[2]! << 8) | buf[3]!,
    timestamp: readU32(buf, 4),
    ssrc: readU32(buf, 8),
    payload: buf.subarray(offset, end),
  };
  if (csrcs) packet.csrcs = csrcs;
  return packet;
}

function readU32(buf: Uint8Array, o: number): number {
  return ((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!) >>> 0;
}

/** True when `buf` is a version-2 packet with the bare 12-byte header (no CSRC, extension or padding). */
export function hasPlainRtpHeader(buf: Uint8Array): boolean {
  return buf.length >= 12 && buf[0] === 0x80;
}

/**
 * Writes a bare 12-byte RTP header (V=2, no CSRC/extension/padding) over the first octets of `buf`:
 * the relay path rewrites a received packet in place instead of copying its payload into a new one.
 */
export function writeRtpHeader(buf: Uint8Array, payloadType: number, marker: boolean, sequenceNumber: number, timestamp: number, ssrc: number): void {
  buf[0] = 0x80;
  buf[1] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
  buf[2] = (sequenceNumber >>> 8) & 0xff;
  buf[3] = sequenceNumber & 0xff;
  buf[4] = timestamp >>> 24;
  buf[5] = (timestamp >>> 16) & 0xff;
  buf[6] = (timestamp >>> 8) & 0xff;
  buf[7] = timestamp & 0xff;
  buf[8] = ssrc >>> 24;
  buf[9] = (ssrc >>> 16) & 0xff;
  buf[10] = (ssrc >>> 8) & 0xff;
  buf[11] = ssrc & 0xff;
}

export function serializeRtp(p: RtpPacket): Buffer {
  const cc = p.csrcs?.length ?? 0;
  const buf = Buffer.allocUnsafe(12 + cc * 4 + p.payload.length);
  buf[0] = 0x80 | cc;
  buf[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  buf.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  buf.writeUInt32BE(p.timestamp >>> 0, 4);
  buf.writeUInt32BE(p.ssrc >>> 0, 8);
  for (let i = 0; i < cc; i++) buf.writeUInt32BE(p.csrcs![i]! >>> 0, 12 + i * 4);
  buf.set(p.payload, 12 + cc * 4);
  return buf;
}
