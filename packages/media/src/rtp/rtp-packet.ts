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
  if (buf.length < 12) throw new MediaError('MEDIA_RTP_MALFORMED', 'RTP packet shorter than 12 bytes');
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) throw new MediaError('MEDIA_RTP_MALFORMED', 'RTP version is not 2');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const cc = b0 & 0x0f;
  let offset = 12 + cc * 4;
  if (offset > buf.length) throw new MediaError('MEDIA_RTP_MALFORMED', 'CSRC list past end of packet');
  let csrcs: number[] | undefined;
  if (cc > 0) {
    csrcs = [];
    for (let i = 0; i < cc; i++) csrcs.push(view.getUint32(12 + i * 4));
  }
  // §5.3.1 header extension: 16-bit profile, 16-bit length in 32-bit words.
  if (b0 & 0x10) {
    if (offset + 4 > buf.length) throw new MediaError('MEDIA_RTP_MALFORMED', 'extension header past end');
    offset += 4 + view.getUint16(offset + 2) * 4;
  }
  let end = buf.length;
  // §5.1 padding: the last octet counts the padding octets, itself included.
  if (b0 & 0x20) end -= buf[buf.length - 1]!;
  if (end < offset) throw new MediaError('MEDIA_RTP_MALFORMED', 'padding or extension overruns packet');
  const packet: RtpPacket = {
    payloadType: buf[1]! & 0x7f,
    marker: (buf[1]! & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: buf.subarray(offset, end),
  };
  if (csrcs) packet.csrcs = csrcs;
  return packet;
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
