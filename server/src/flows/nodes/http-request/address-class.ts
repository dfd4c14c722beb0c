// Classifies an IP address for the HTTP node's SSRF guard: which addresses are not "the public internet"
// (loopback, RFC 1918, CGNAT, link-local with the 169.254.169.254 metadata service, multicast, unspecified,
// reserved, IPv6 ULA/link-local/loopback). IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
// IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address inside, so
// `::ffff:127.0.0.1` is loopback. Also parses and matches CIDRs for the tenant's allow-list.
import net from 'node:net';

export type AddressClass =
  | 'loopback' | 'private' | 'cgnat' | 'link_local' | 'multicast' | 'unspecified' | 'broadcast' | 'reserved'
  | 'unique_local' | 'site_local';

export interface ParsedIp {
  version: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

/** Parses an IPv4 or IPv6 literal (brackets and a zone id `%eth0` allowed); undefined when it is none. */
export function parseIp(input: string): ParsedIp | undefined {
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const kind = net.isIP(s);
  if (kind === 4) return { version: 4, bytes: Uint8Array.from(s.split('.').map(Number)) };
  if (kind !== 6) return undefined;
  // An IPv4 tail (::ffff:1.2.3.4) becomes two hex groups; then `::` expands to the missing zero groups.
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = s.slice(lastColon + 1).split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const groupsOf = (part: string) => (part ? part.split(':').map((x) => parseInt(x, 16)) : []);
  const double = s.indexOf('::');
  const all = double < 0 ? groupsOf(s) : (() => {
    const a = groupsOf(s.slice(0, double));
    const b = groupsOf(s.slice(double + 2));
    return [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  })();
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) return undefined;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return { version: 6, bytes };
}

const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(ip: ParsedIp): Uint8Array | undefined {
  if (ip.version === 4) return undefined;
  const b = ip.bytes;
  const zeros = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeros(10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12); // ::ffff:a.b.c.d
  if (zeros(12) && !(b[12] === 0 && b[13] === 0 && b[14] === 0 && (b[15] === 0 || b[15] === 1))) return b.slice(12); // ::a.b.c.d (not :: or ::1)
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b]) && b.slice(4, 12).every((x) => x === 0)) return b.slice(12); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6); // 2002:AABB:CCDD::/48
  return undefined;
}

function classifyV4(b: Uint8Array): AddressClass | undefined {
  const [a, c] = [b[0]!, b[1]!];
  if (a === 0) return 'unspecified'; // 0.0.0.0/8 "this network"
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'cgnat';
  if (a === 169 && c === 254) return 'link_local'; // includes 169.254.169.254, the cloud metadata service
  if (a >= 224 && a <= 239) return 'multicast';
  if (b.every((x) => x === 255)) return 'broadcast';
  if (a >= 240) return 'reserved';
  if (a === 192 && c === 0 && b[2] === 0) return 'reserved'; // 192.0.0.0/24 IETF protocol assignments
  if (a === 198 && (c === 18 || c === 19)) return 'reserved'; // 198.18.0.0/15 benchmarking
  return undefined;
}

/** Why an address is not a public destination, or undefined for a public one. */
export function classifyAddress(address: string | ParsedIp): AddressClass | undefined {
  const ip = typeof address === 'string' ? parseIp(address) : address;
  if (!ip) return 'reserved';
  if (ip.version === 4) return classifyV4(ip.bytes);
  const b = ip.bytes;
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback';
  const v4 = embeddedIpv4(ip);
  if (v4) return classifyV4(v4);
  if ((b[0]! & 0xfe) === 0xfc) return 'unique_local'; // fc00::/7
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link_local'; // fe80::/10
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 'site_local'; // fec0::/10 (deprecated)
  if (b[0] === 0xff) return 'multicast';
  if (startsWith(b, [0x01, 0x00]) && b.slice(2, 8).every((x) => x === 0)) return 'reserved'; // 100::/64 discard-only
  return undefined;
}

export interface Cidr {
  version: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

/** `10.1.0.0/16`, `fd00::/8`, or a single address (a /32 or /128); undefined when malformed. */
export function parseCidr(input: string): Cidr | undefined {
  const [addr, len, extra] = input.trim().split('/');
  if (extra !== undefined || !addr) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.version === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return undefined;
  const prefix = len === undefined ? max : Number(len);
  if (prefix > max) return undefined;
  return { version: ip.version, bytes: ip.bytes, prefix };
}

/** Whether the address lies in the CIDR; an IPv4-mapped IPv6 address matches IPv4 CIDRs by its IPv4 part. */
export function inCidr(address: ParsedIp, cidr: Cidr): boolean {
  let ip = address;
  if (ip.version === 6 && cidr.version === 4) {
    const v4 = embeddedIpv4(ip);
    if (!v4) return false;
    ip = { version: 4, bytes: v4 };
  }
  if (ip.version !== cidr.version) return false;
  for (let bit = 0; bit < cidr.prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((ip.bytes[bit >> 3]! & mask) !== (cidr.bytes[bit >> 3]! & mask)) return false;
  }
  return true;
}
