// Building responses and requests (RFC 3261 §8.1.1, §8.2.6).
import { randomBytes } from 'node:crypto';
import { REASONS, SipRequest, SipResponse } from './message.ts';

// Tags, branches and Call-IDs need cryptographic randomness (RFC 3261 §19.3) but not one syscall each: a pool.
let pool = randomBytes(8192);
let poolAt = 0;

export function randomToken(bytes = 8): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(8192);
    poolAt = 0;
  }
  const s = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return s;
}

/** A branch with the RFC 3261 magic cookie (§8.1.1.7). */
export function newBranch(): string {
  return `z9hG4bK${randomToken(10)}`;
}

export function newTag(): string {
  return randomToken(6);
}

export function newCallId(): string {
  return randomToken(12);
}

/**
 * A response to `req` (§8.2.6.2): Via, From, Call-ID, CSeq copied, To copied with `toTag` added if it has none;
 * Timestamp copied for 100 (§8.2.6.1).
 */
export function createResponse(req: SipRequest, status: number, reason?: string, toTag?: string): SipResponse {
  const res = new SipResponse(status, reason ?? REASONS[status] ?? 'Unknown');
  for (const h of req.headers) {
    if (h.name === 'Via' || h.name === 'From' || h.name === 'Call-ID' || h.name === 'CSeq') res.headers.push({ ...h });
    else if (h.name === 'To') {
      let value = h.value;
      if (toTag && status > 100 && !/;\s*tag\s*=/i.test(value)) value += `;tag=${toTag}`;
      res.headers.push({ name: 'To', value });
    } else if (h.name === 'Timestamp' && status === 100) res.headers.push({ ...h });
  }
  return res;
}
