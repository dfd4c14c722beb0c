// The HTTP node's outbound request with the SSRF guard: the host is resolved once, every address is judged
// (egress-policy.ts), and the socket connects to the address that was judged — the request's `lookup` answers
// with it whatever the name resolves to a moment later, so DNS rebinding cannot slip a loopback address in
// between the check and the connect. Redirects are followed (up to 5, as fetch would) and every hop is
// resolved and judged again; a cross-origin hop drops Authorization, Cookie and the headers that carried tenant
// secrets. The response body is read up to 1 MiB.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { parseIp } from './address-class.ts';
import { judge, type AllowList } from './egress-policy.ts';

export const MAX_REDIRECTS = 5;
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
/** Resolves a host name to its addresses (tests pass their own; never a real external name in tests). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** The destination is not allowed: the node fails with this (its error exit) and the path log keeps the reason. */
export class EgressRefusedError extends Error {
  readonly code = 'EGRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'EgressRefusedError';
  }
}

export interface GuardedRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
  /** Header names (lower case) whose values came from tenant secrets: never sent across origins. */
  secretHeaders?: ReadonlySet<string>;
}

export interface GuardOptions {
  allow: AllowList;
  resolve?: Resolver;
}

export interface GuardedResponse {
  status: number;
  body: string;
  url: string;
}

/** Resolves the URL's host and returns the first address the policy allows, or throws EgressRefusedError. */
export async function pickAddress(url: URL, o: GuardOptions): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = parseIp(host);
  const candidates = literal ? [{ address: host, family: literal.version }] : await (o.resolve ?? systemResolver)(host).catch((err: unknown) => {
    throw Object.assign(new Error(`${host} cannot be resolved: ${(err as Error).message}`), { cause: err });
  });
  const refused: string[] = [];
  for (const c of candidates) {
    const v = judge(o.allow, host, c.address);
    if (v.allowed) return c;
    refused.push(`${c.address} (${v.class.replace('_', '-')})`);
  }
  if (!refused.length) throw new Error(`${host} has no address`);
  throw new EgressRefusedError(`refused: ${host === refused[0]!.split(' ')[0] ? '' : `${host} resolves to `}${refused.join(', ')}, not a public address and not in the tenant's HTTP allow-list`);
}

/** A `lookup` that answers every name with the one address already judged. */
function pinned(a: ResolvedAddress): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: a.address, family: a.family }]);
    else callback(null, a.address, a.family);
  }) as LookupFunction;
}

function once(url: URL, address: ResolvedAddress, r: GuardedRequest & { body?: string | undefined }): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: r.method, headers: r.headers, signal: r.signal, lookup: pinned(address), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new Error(`the response is larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Sends the request through the guard, following and re-checking redirects. */
export async function guardedRequest(target: string, r: GuardedRequest, o: GuardOptions): Promise<GuardedResponse> {
  let url = new URL(target);
  let { method, body } = r;
  let headers = { ...r.headers };
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EgressRefusedError(`refused: ${url.protocol} URLs are not allowed`);
    const address = await pickAddress(url, o);
    const res = await once(url, address, { ...r, method, headers, body });
    const redirect = [301, 302, 303, 307, 308].includes(res.status) && res.location;
    if (!redirect) return { status: res.status, body: res.body, url: url.toString() };
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(res.location!, url);
    // As fetch does: 303, and 301/302 after a POST, continue as a GET without a body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !['content-type', 'content-length'].includes(k.toLowerCase())));
    }
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !['authorization', 'cookie'].includes(k.toLowerCase()) && !r.secretHeaders?.has(k.toLowerCase())));
    }
    url = next;
  }
}
