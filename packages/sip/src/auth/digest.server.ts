// Digest authentication as a server (RFC 3261 §22.4, RFC 7616, RFC 8760): challenges with HMAC-signed nonces
// that expire (stale=true, RFC 7616 §3.3), nonce-count replay protection, and the same answer for unknown users
// and wrong passwords so that accounts cannot be enumerated.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createResponse, randomToken } from '../message/builders.ts';
import { formatAuthHeader, parseAuthHeader } from '../message/headers.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import { computeHa1, digestResponse, hashHex, normalizeAlgorithm, type DigestAlgorithm } from './digest.ts';

/** A user's secret: the password, or precomputed HA1 values per algorithm (what a database should store). */
export type UserSecret = { password: string } | { ha1: Partial<Record<DigestAlgorithm, string>> };

export type CredentialLookup = (
  username: string,
  realm: string,
) => Promise<UserSecret | undefined> | UserSecret | undefined;

export interface DigestServerOptions {
  realm: string;
  lookup: CredentialLookup;
  /**
   * Offered in this order, one challenge header each (RFC 8760 §2.4). Default MD5 only: deployed clients break on
   * a SHA-256 challenge even when MD5 is offered too (baresip 1.0/libre 1.1 fails the whole REGISTER with ENOSYS;
   * sipp 3.6 answers only the first challenge). Pass ['SHA-256', 'MD5'] where the clients are known to cope.
   */
  algorithms?: DigestAlgorithm[];
  nonceTtlMs?: number;
  /** 407 Proxy-Authenticate instead of 401 WWW-Authenticate. */
  proxy?: boolean;
  /** HMAC key for nonces (random per process by default). */
  secret?: Buffer;
  now?: () => number;
  random?: (bytes: number) => Buffer;
  /** Bound on nonces whose nonce-count is remembered. */
  maxTrackedNonces?: number;
}

export type AuthFailure = 'missing' | 'invalid' | 'stale' | 'replay';

export type AuthResult =
  | { ok: true; username: string; realm: string }
  | { ok: false; reason: AuthFailure; /** The 401/407 to send. */ response: SipResponse };

export class DigestAuthenticator {
  private readonly secret: Buffer;
  private readonly algorithms: DigestAlgorithm[];
  private readonly ttl: number;
  private readonly now: () => number;
  private readonly random: (n: number) => Buffer;
  private readonly seen = new Map<string, number>();
  private readonly maxTracked: number;

  constructor(private readonly opts: DigestServerOptions) {
    this.secret = opts.secret ?? randomBytes(32);
    this.algorithms = opts.algorithms ?? ['MD5'];
    this.ttl = opts.nonceTtlMs ?? 300_000;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? ((n) => Buffer.from(randomToken(n), 'hex'));
    this.maxTracked = opts.maxTrackedNonces ?? 100_000;
  }

  get realm(): string {
    return this.opts.realm;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('hex').slice(0, 32);
  }

  newNonce(): string {
    const payload = `${this.now().toString(36)}.${this.random(8).toString('hex')}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** 'ok', 'stale' (signed by us but expired) or 'bad'. */
  private checkNonce(nonce: string): 'ok' | 'stale' | 'bad' {
    const last = nonce.lastIndexOf('.');
    if (last < 0) return 'bad';
    const payload = nonce.slice(0, last);
    const sig = Buffer.from(nonce.slice(last + 1));
    const want = Buffer.from(this.sign(payload));
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return 'bad';
    const issued = parseInt(payload.split('.')[0] ?? '', 36);
    if (!Number.isFinite(issued) || this.now() - issued > this.ttl) return 'stale';
    return 'ok';
  }

  /** The challenge response (401 or 407) for `req`. */
  challenge(req: SipRequest, stale = false): SipResponse {
    const res = createResponse(req, this.opts.proxy ? 407 : 401);
    const nonce = this.newNonce();
    for (const algorithm of this.algorithms) {
      const params = new Map<string, string>([
        ['realm', this.opts.realm], ['nonce', nonce], ['algorithm', algorithm], ['qop', 'auth'],
      ]);
      if (stale) params.set('stale', 'true');
      res.append(this.opts.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate', formatAuthHeader({ scheme: 'Digest', params }));
    }
    return res;
  }

  private fail(req: SipRequest, reason: AuthFailure): AuthResult {
    return { ok: false, reason, response: this.challenge(req, reason === 'stale') };
  }

  /** Checks the credentials in `req`; on failure returns the challenge to send. */
  async authenticate(req: SipRequest): Promise<AuthResult> {
    const header = this.opts.proxy ? 'Proxy-Authorization' : 'Authorization';
    let creds: Map<string, string> | undefined;
    for (const v of req.getAll(header)) {
      try {
        const parsed = parseAuthHeader(v);
        if (parsed.scheme.toLowerCase() === 'digest' && parsed.params.get('realm') === this.opts.realm) creds = parsed.params;
      } catch {
        /* unparsable credentials count as none (RFC 4475 §3.3.7) */
      }
    }
    if (!creds) return this.fail(req, 'missing');
    const username = creds.get('username') ?? '';
    const nonce = creds.get('nonce') ?? '';
    const algorithm = normalizeAlgorithm(creds.get('algorithm'));
    const qop = creds.get('qop');
    const nc = creds.get('nc');
    const cnonce = creds.get('cnonce');
    const given = creds.get('response') ?? '';
    if (!algorithm || !this.algorithms.includes(algorithm)) return this.fail(req, 'invalid');
    if (qop !== undefined && (qop !== 'auth' || !nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !cnonce)) return this.fail(req, 'invalid');
    const nonceState = this.checkNonce(nonce);
    if (nonceState === 'bad') return this.fail(req, 'invalid');
    // Unknown users are checked against a dummy secret so that timing and answer match a wrong password.
    const secret = await this.opts.lookup(username, this.opts.realm);
    let ha1: string;
    if (!secret) ha1 = hashHex(algorithm, `${this.secret.toString('hex')}:${username}`);
    else if ('password' in secret) ha1 = computeHa1(algorithm, username, this.opts.realm, secret.password);
    else ha1 = secret.ha1[algorithm] ?? hashHex(algorithm, `${this.secret.toString('hex')}:${username}`);
    const uri = creds.get('uri') ?? '';
    const expected = digestResponse({ algorithm, ha1, method: req.method, uri, nonce, qop, nc, cnonce });
    const a = Buffer.from(expected);
    const b = Buffer.from(given.toLowerCase());
    const match = a.length === b.length && timingSafeEqual(a, b) && secret !== undefined;
    if (!match) return this.fail(req, 'invalid');
    if (nonceState === 'stale') return this.fail(req, 'stale');
    // Replay protection (RFC 7616 §5.12): the nonce-count must grow; without qop a nonce is good once.
    const count = qop ? parseInt(nc!, 16) : 1;
    const last = this.seen.get(nonce) ?? 0;
    if (count <= last) return this.fail(req, 'replay');
    this.remember(nonce, count);
    return { ok: true, username, realm: this.opts.realm };
  }

  private remember(nonce: string, count: number): void {
    this.seen.delete(nonce);
    this.seen.set(nonce, count);
    while (this.seen.size > this.maxTracked) {
      const oldest = this.seen.keys().next().value;
      if (oldest === undefined) break;
      this.seen.delete(oldest);
    }
  }
}
