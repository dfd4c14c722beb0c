// HTTP Digest for SIP (RFC 3261 §22.4, RFC 7616 §3.4.1 with RFC 8760 for SHA-256): the response computation.
import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export function hashHex(algorithm: DigestAlgorithm, s: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(s, 'utf8').digest('hex');
}

export function normalizeAlgorithm(a: string | undefined): DigestAlgorithm | undefined {
  if (a === undefined) return 'MD5';
  const u = a.toUpperCase();
  if (u === 'MD5') return 'MD5';
  if (u === 'SHA-256') return 'SHA-256';
  return undefined;
}

export function computeHa1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return hashHex(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  ha1: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** request-digest (RFC 7616 §3.4.1; RFC 2069 form when no qop). */
export function digestResponse(i: DigestInput): string {
  const ha2 = hashHex(i.algorithm, `${i.method}:${i.uri}`);
  if (i.qop) return hashHex(i.algorithm, `${i.ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`);
  return hashHex(i.algorithm, `${i.ha1}:${i.nonce}:${ha2}`);
}
