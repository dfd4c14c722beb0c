import { MediaError } from '../errors.ts';

/** RFC 3550 §6.4.1/§6.4.2 report block. */
export interface ReportBlock {
  ssrc: number;
  fractionLost: number; // 0..255 (fixed point /256)
  cumulativeLost: number;
  highestSeq: number; // extended
  jitter: number; // timestamp units
  lastSr: number; // middle 32 bits of the NTP timestamp of the last SR
  delaySinceLastSr: number; // 1/65536 s
}

export type RtcpPacket =
  | { type: 'sr'; ssrc: number; ntpSec: number; ntpFrac: number; rtpTimestamp: number; packetCount: number; octetCount: number; reports: ReportBlock[] }
  | { type: 'rr'; ssrc: number; reports: ReportBlock[] }
  | { type: 'sdes'; chunks: { ssrc: number; cname?: string }[] }
  | { type: 'bye'; ssrcs: number[] }
  | { type: 'other'; packetType: number };

const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const PT_BYE = 203;

function readBlock(v: DataView, o: number): ReportBlock {
  const lostWord = v.getUint32(o + 4);
  let cumulative = lostWord & 0xffffff;
  if (cumulative & 0x800000) cumulative -= 0x1000000; // signed 24-bit (§6.4.1)
  return {
    ssrc: v.getUint32(o),
    fractionLost: lostWord >>> 24,
    cumulativeLost: cumulative,
    highestSeq: v.getUint32(o + 8),
    jitter: v.getUint32(o + 12),
    lastSr: v.getUint32(o + 16),
    delaySinceLastSr: v.getUint32(o + 20),
  };
}

/** Parses a compound RTCP packet (§6.1). */
export function parseRtcp(buf: Uint8Array): RtcpPacket[] {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: RtcpPacket[] = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    const b0 = buf[o]!;
    if (b0 >> 6 !== 2) throw new MediaError('MEDIA_RTCP_MALFORMED', 'RTCP version is not 2');
    const count = b0 & 0x1f;
    const pt = buf[o + 1]!;
    const len = (v.getUint16(o + 2) + 1) * 4;
    if (o + len > buf.length) throw new MediaError('MEDIA_RTCP_MALFORMED', 'RTCP length past end of datagram');
    if (pt === PT_SR) {
      if (len < 28 + count * 24) throw new MediaError('MEDIA_RTCP_MALFORMED', 'short SR');
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count; i++) reports.push(readBlock(v, o + 28 + i * 24));
      out.push({
        type: 'sr',
        ssrc: v.getUint32(o + 4),
        ntpSec: v.getUint32(o + 8),
        ntpFrac: v.getUint32(o + 12),
        rtpTimestamp: v.getUint32(o + 16),
        packetCount: v.getUint32(o + 20),
        octetCount: v.getUint32(o + 24),
        reports,
      });
    } else if (pt === PT_RR) {
      if (len < 8 + count * 24) throw new MediaError('MEDIA_RTCP_MALFORMED', 'short RR');
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count; i++) reports.push(readBlock(v, o + 8 + i * 24));
      out.push({ type: 'rr', ssrc: v.getUint32(o + 4), reports });
    } else if (pt === PT_SDES) {
      const chunks: { ssrc: number; cname?: string }[] = [];
      let c = o + 4;
      for (let i = 0; i < count && c + 4 <= o + len; i++) {
        const chunk: { ssrc: number; cname?: string } = { ssrc: v.getUint32(c) };
        c += 4;
        while (c < o + len && buf[c] !== 0) {
          const itemType = buf[c]!;
          const itemLen = buf[c + 1] ?? 0;
          if (itemType === 1) chunk.cname = Buffer.from(buf.subarray(c + 2, c + 2 + itemLen)).toString('utf8');
          c += 2 + itemLen;
        }
        c = (c + 4) & ~3; // null terminator, then pad to 32 bits
        chunks.push(chunk);
      }
      out.push({ type: 'sdes', chunks });
    } else if (pt === PT_BYE) {
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(v.getUint32(o + 4 + i * 4));
      out.push({ type: 'bye', ssrcs });
    } else {
      out.push({ type: 'other', packetType: pt });
    }
    o += len;
  }
  return out;
}

function writeBlock(buf: Buffer, o: number, r: ReportBlock): void {
  buf.writeUInt32BE(r.ssrc >>> 0, o);
  const lost = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff;
  buf.writeUInt32BE(((r.fractionLost & 0xff) << 24 | lost) >>> 0, o + 4);
  buf.writeUInt32BE(r.highestSeq >>> 0, o + 8);
  buf.writeUInt32BE(Math.min(0xffffffff, Math.round(r.jitter)) >>> 0, o + 12);
  buf.writeUInt32BE(r.lastSr >>> 0, o + 16);
  buf.writeUInt32BE(r.delaySinceLastSr >>> 0, o + 20);
}

export function serializeRtcp(packets: RtcpPacket[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of packets) {
    if (p.type === 'sr') {
      const b = Buffer.alloc(28 + p.reports.length * 24);
      b[0] = 0x80 | p.reports.length;
      b[1] = PT_SR;
      b.writeUInt32BE(p.ssrc >>> 0, 4);
      b.writeUInt32BE(p.ntpSec >>> 0, 8);
      b.writeUInt32BE(p.ntpFrac >>> 0, 12);
      b.writeUInt32BE(p.rtpTimestamp >>> 0, 16);
      b.writeUInt32BE(p.packetCount >>> 0, 20);
      b.writeUInt32BE(p.octetCount >>> 0, 24);
      p.reports.forEach((r, i) => writeBlock(b, 28 + i * 24, r));
      parts.push(b);
    } else if (p.type === 'rr') {
      const b = Buffer.alloc(8 + p.reports.length * 24);
      b[0] = 0x80 | p.reports.length;
      b[1] = PT_RR;
      b.writeUInt32BE(p.ssrc >>> 0, 4);
      p.reports.forEach((r, i) => writeBlock(b, 8 + i * 24, r));
      parts.push(b);
    } else if (p.type === 'sdes') {
      const chunkBufs = p.chunks.map((c) => {
        const name = Buffer.from(c.cname ?? '', 'utf8').subarray(0, 255);
        const raw = 4 + 2 + name.length + 1;
        const b = Buffer.alloc((raw + 3) & ~3);
        b.writeUInt32BE(c.ssrc >>> 0, 0);
        b[4] = 1;
        b[5] = name.length;
        name.copy(b, 6);
        return b;
      });
      const body = Buffer.concat(chunkBufs);
      const h = Buffer.alloc(4);
      h[0] = 0x80 | p.chunks.length;
      h[1] = PT_SDES;
      parts.push(Buffer.concat([h, body]));
    } else if (p.type === 'bye') {
      const b = Buffer.alloc(4 + p.ssrcs.length * 4);
      b[0] = 0x80 | p.ssrcs.length;
      b[1] = PT_BYE;
      p.ssrcs.forEach((s, i) => b.writeUInt32BE(s >>> 0, 4 + i * 4));
      parts.push(b);
    }
  }
  for (const b of parts) b.writeUInt16BE(b.length / 4 - 1, 2);
  return Buffer.concat(parts);
}

/** NTP timestamp (RFC 3550 §4) of a wall-clock time in ms. */
export function ntpFromMs(ms: number): { sec: number; frac: number } {
  const secs = ms / 1000 + 2208988800;
  const sec = Math.floor(secs);
  return { sec: sec >>> 0, frac: Math.floor((secs - sec) * 0x100000000) >>> 0 };
}
