// Answering a challenge as a client (RFC 3261 §22.2, §22.3; RFC 7616 §3.4; RFC 8760).
import { randomBytes } from 'node:crypto';
import { formatAuthHeader, parseAuthHeader } from '../message/headers.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import { computeHa1, digestResponse, normalizeAlgorithm, type DigestAlgorithm } from './digest.ts';

export interface Credentials {
  username: string;
  password: string;
  /** Only answer challenges of this realm (any realm if unset). */
  realm?: string;
}

/**
 * Adds Authorization (401) or Proxy-Authorization (407) to `req` answering the challenges in `res`.
 * SHA-256 is preferred when offered (RFC 8760 §2.4). Returns false if no challenge can be answered.
 */
export function answerChallenge(req: SipRequest, res: SipResponse, creds: Credentials, nc = 1): boolean {
  const challengeHeader = res.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  const answerHeader = res.status === 407 ? 'Proxy-Authorization' : 'Authorization';
  const challenges = res.headers
    .filter((h) => h.name === challengeHeader)
    .map((h) => {
      try {
        return parseAuthHeader(h.value);
      } catch {
        return undefined;
      }
    })
    .filter((c) => c !== undefined && c.scheme.toLowerCase() === 'digest')
    .map((c) => ({ c: c!, alg: normalizeAlgorithm(c!.params.get('algorithm')) }))
    .filter((x): x is { c: NonNullable<typeof x.c>; alg: DigestAlgorithm } => x.alg !== undefined)
    .filter((x) => !creds.realm || x.c.params.get('realm') === creds.realm);
  const pick = challenges.find((x) => x.alg === 'SHA-256') ?? challenges[0];
  if (!pick) return false;
  const p = pick.c.params;
  const realm = p.get('realm') ?? '';
  const nonce = p.get('nonce') ?? '';
  const qops = (p.get('qop') ?? '').split(',').map((q) => q.trim());
  const qop = qops.includes('auth') ? 'auth' : undefined;
  const cnonce = randomBytes(8).toString('hex');
  const ncHex = nc.toString(16).padStart(8, '0');
  const ha1 = computeHa1(pick.alg, creds.username, realm, creds.password);
  const response = digestResponse({ algorithm: pick.alg, ha1, method: req.method, uri: req.uri, nonce, qop, nc: ncHex, cnonce });
  const params = new Map<string, string>([
    ['username', creds.username], ['realm', realm], ['nonce', nonce], ['uri', req.uri], ['response', response],
    ['algorithm', pick.alg],
  ]);
  if (qop) {
    params.set('qop', qop);
    params.set('nc', ncHex);
    params.set('cnonce', cnonce);
  }
  const opaque = p.get('opaque');
  if (opaque !== undefined) params.set('opaque', opaque);
  req.remove(answerHeader);
  req.append(answerHeader, formatAuthHeader({ scheme: 'Digest', params }, false));
  return true;
}
