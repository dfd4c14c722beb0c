import { readFileSync } from 'node:fs';

export interface PcapUdpPacket {
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

/** Reads the UDP datagrams of a classic libpcap file (Ethernet, Linux cooked or raw IPv4 links). */
export function readPcapUdp(path: string): PcapUdpPacket[] {
  const d = readFileSync(path);
  const magic = d.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o: number) => (le ? d.readUInt32LE(o) : d.readUInt32BE(o));
  const linkType = u32(20);
  const out: PcapUdpPacket[] = [];
  let o = 24;
  while (o + 16 <= d.length) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const incl = u32(o + 8);
    const frame = d.subarray(o + 16, o + 16 + incl);
    o += 16 + incl;
    let ip = linkType === 1 ? 14 : linkType === 113 ? 16 : linkType === 101 ? 0 : -1;
    if (ip < 0) continue;
    if (linkType === 1 && frame.readUInt16BE(12) === 0x8100) ip += 4; // VLAN tag
    if (frame.length < ip + 28 || frame[ip]! >> 4 !== 4 || frame[ip + 9] !== 17) continue;
    const ihl = (frame[ip]! & 0x0f) * 4;
    const udp = ip + ihl;
    const len = frame.readUInt16BE(udp + 4);
    out.push({
      timeMs: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      srcPort: frame.readUInt16BE(udp),
      dstPort: frame.readUInt16BE(udp + 2),
      payload: Buffer.from(frame.subarray(udp + 8, udp + Math.min(len, frame.length - udp))),
    });
  }
  return out;
}
