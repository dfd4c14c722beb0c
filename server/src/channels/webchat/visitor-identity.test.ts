import { describe, expect, test } from 'vitest';
import { signIdentity, verifyIdentity, VisitorTokens } from './visitor-identity.ts';

describe('visitor tokens', () => {
  const tokens = new VisitorTokens('k'.repeat(64));

  test('a token verifies for its tenant and widget only', () => {
    const { visitorId, token } = tokens.issue('t1', 'w1');
    expect(tokens.verify('t1', 'w1', token)).toBe(visitorId);
    expect(tokens.verify('t1', 'w2', token)).toBeUndefined();
    expect(tokens.verify('t2', 'w1', token)).toBeUndefined();
  });

  test('a changed visitor id or signature does not verify', () => {
    const { token } = tokens.issue('t1', 'w1');
    const [, mac] = token.split('.');
    expect(tokens.verify('t1', 'w1', `${crypto.randomUUID()}.${mac}`)).toBeUndefined();
    expect(tokens.verify('t1', 'w1', `${token}x`)).toBeUndefined();
    expect(tokens.verify('t1', 'w1', 'nonsense')).toBeUndefined();
  });
});

describe('verified identities', () => {
  test('a site-signed identity verifies and a tampered payload does not', () => {
    const signed = signIdentity('secret', { userId: 'u-1', email: 'a@b.example' });
    expect(verifyIdentity('secret', signed)).toEqual({ userId: 'u-1', email: 'a@b.example' });
    expect(verifyIdentity('other', signed)).toBeUndefined();
    const tampered = Buffer.from(JSON.stringify({ userId: 'admin' })).toString('base64url');
    expect(verifyIdentity('secret', { payload: tampered, signature: signed.signature })).toBeUndefined();
  });
});
