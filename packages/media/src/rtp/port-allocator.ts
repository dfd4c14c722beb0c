import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { MediaError } from '../errors.ts';

export interface PortRange {
  min: number;
  max: number;
}

/**
 * Hands out even RTP ports (RFC 3550 §11) from a range, with the odd port above reserved for
 * RTCP when rtcp-mux is not used. Port 0 as `min` means "let the OS choose" (tests).
 */
export class PortAllocator {
  private next: number;
  private readonly inUse = new Set<number>();

  constructor(readonly range: PortRange = { min: 0, max: 0 }) {
    this.next = range.min + (range.min % 2);
  }

  /** Binds an RTP socket and its RTCP companion on `address`. */
  async bindPair(address: string): Promise<{ rtp: dgram.Socket; rtcp: dgram.Socket; port: number }> {
    const type = address.includes(':') ? 'udp6' : 'udp4';
    if (this.range.min === 0) {
      // Ephemeral: try OS-chosen ports until one with a free odd neighbour comes up.
      for (let attempt = 0; attempt < 50; attempt++) {
        const rtp = await bind(type, address, 0);
        const port = rtp.address().port;
        if (port % 2 === 0 && port < 65535) {
          const rtcp = await bind(type, address, port + 1).catch(() => undefined);
          if (rtcp) return { rtp, rtcp, port };
        }
        rtp.close();
      }
      throw new MediaError('MEDIA_NO_PORT', 'no free ephemeral RTP port pair');
    }
    const span = Math.floor((this.range.max - this.range.min) / 2) + 1;
    for (let i = 0; i < span; i++) {
      const port = this.next;
      this.next += 2;
      if (this.next + 1 > this.range.max) this.next = this.range.min + (this.range.min % 2);
      if (this.inUse.has(port)) continue;
      const rtp = await bind(type, address, port).catch(() => undefined);
      if (!rtp) continue;
      const rtcp = await bind(type, address, port + 1).catch(() => undefined);
      if (!rtcp) {
        rtp.close();
        continue;
      }
      this.inUse.add(port);
      return { rtp, rtcp, port };
    }
    throw new MediaError('MEDIA_NO_PORT', `no free RTP port in ${this.range.min}-${this.range.max}`, true);
  }

  release(port: number): void {
    this.inUse.delete(port);
  }

  get used(): number {
    return this.inUse.size;
  }
}

function bind(type: 'udp4' | 'udp6', address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket({ type, recvBufferSize: 1 << 18, lookup: literalLookup } as dgram.SocketOptions);
    s.once('error', reject);
    s.bind(port, address, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

const literalFamilies = new Map<string, number>();

/**
 * RTP peers are addressed by IP literals (from SDP or the packet source): answer the socket's
 * per-send address lookup synchronously instead of going through dns.lookup on every packet.
 */
function literalLookup(address: string, options: unknown, callback?: (err: Error | null, address: string, family: number) => void): void {
  const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, address: string, family: number) => void;
  let family = literalFamilies.get(address);
  if (family === undefined) {
    family = isIP(address); // a regular expression: once per address, not once per packet
    if (family) {
      if (literalFamilies.size >= 4096) literalFamilies.clear();
      literalFamilies.set(address, family);
    }
  }
  if (family) cb(null, address, family);
  else dnsLookup(address, typeof options === 'object' && options ? (options as { family?: number }).family ?? 0 : 0, cb);
}
