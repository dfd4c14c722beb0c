// Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760): server and client together.
import { describe, expect, it } from 'vitest';
import { answerChallenge, DigestAuthenticator, serialize, type SipRequest } from '../src/index.ts';
import { buildRequest } from '../src/testing/index.ts';

function register(): SipRequest {
  return buildRequest({ method: 'REGISTER', uri: 'sip:kefu.test', via: 'SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKfixed', callId: 'c1', from: '<sip:1000@kefu.test>;tag=f1', to: '<sip:1000@kefu.test>' });
}

function server(opts: Partial<ConstructorParameters<typeof DigestAuthenticator>[0]> = {}) {
  let t = 1_000_000;
  const auth = new DigestAuthenticator({
    realm: 'kefu.test',
    lookup: (u) => (u === '1000' ? { password: 'pw' } : undefined),
    secret: Buffer.alloc(32, 1),
    algorithms: ['MD5', 'SHA-256'],
    now: () => t,
    random: (n) => Buffer.alloc(n, 7),
    ...opts,
  });
  return { auth, advance: (ms: number) => (t += ms) };
}

async function answered(auth: DigestAuthenticator, password: string, username = '1000', nc = 1): Promise<SipRequest> {
  const first = await auth.authenticate(register());
  if (first.ok) throw new Error('expected a challenge');
  const req = register();
  answerChallenge(req, first.response, { username, password }, nc);
  return req;
}

describe('DigestAuthenticator', () => {
  it('challenges a request without credentials with 401, one challenge per configured algorithm, qop=auth', async () => {
    const { auth } = server();
    const r = await auth.authenticate(register());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.response.status).toBe(401);
    const challenges = r.response.getAll('WWW-Authenticate');
    expect(challenges).toHaveLength(2);
    expect(challenges[0]).toMatch(/algorithm=MD5/);
    expect(challenges[1]).toMatch(/algorithm=SHA-256/);
    expect(challenges[0]).toMatch(/qop="auth"/);
  });

  it('accepts a correct answer, preferring SHA-256 on the client side', async () => {
    const { auth } = server();
    const req = await answered(auth, 'pw');
    expect(req.get('Authorization')).toMatch(/algorithm=SHA-256/);
    expect(await auth.authenticate(req)).toMatchObject({ ok: true, username: '1000' });
  });

  it('offers only MD5 by default, which legacy clients need', async () => {
    const auth = new DigestAuthenticator({ realm: 'kefu.test', lookup: () => undefined });
    const r = await auth.authenticate(register());
    expect(r.ok ? [] : r.response.getAll('WWW-Authenticate').map((c) => /algorithm=(\S+?),/.exec(c)?.[1])).toEqual(['MD5']);
  });

  it('accepts MD5 when only MD5 is offered', async () => {
    const { auth } = server({ algorithms: ['MD5'] });
    const req = await answered(auth, 'pw');
    expect(req.get('Authorization')).toMatch(/algorithm=MD5/);
    expect((await auth.authenticate(req)).ok).toBe(true);
  });

  it('gives byte-identical answers to an unknown user and a wrong password', async () => {
    const { auth } = server();
    const unknown = await auth.authenticate(await answered(auth, 'pw', 'nobody'));
    const wrong = await auth.authenticate(await answered(auth, 'nope', '1000'));
    if (unknown.ok || wrong.ok) throw new Error('expected failures');
    expect(serialize(unknown.response).equals(serialize(wrong.response))).toBe(true);
  });

  it('rejects a replayed nonce-count', async () => {
    const { auth } = server();
    const req = await answered(auth, 'pw');
    expect((await auth.authenticate(req)).ok).toBe(true);
    expect(await auth.authenticate(req)).toMatchObject({ ok: false, reason: 'replay' });
  });

  it('answers an expired nonce with stale=true so the client retries without asking the user', async () => {
    const { auth, advance } = server({ nonceTtlMs: 60_000 });
    const req = await answered(auth, 'pw');
    advance(61_000);
    const r = await auth.authenticate(req);
    expect(r).toMatchObject({ ok: false, reason: 'stale' });
    if (!r.ok) expect(r.response.get('WWW-Authenticate')).toMatch(/stale=true/);
  });

  it('rejects a nonce it did not sign', async () => {
    const { auth } = server();
    const req = await answered(auth, 'pw');
    req.set('Authorization', req.get('Authorization')!.replace(/nonce="[^"]+"/, 'nonce="forged.123.abc"'));
    expect(await auth.authenticate(req)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('uses 407 and Proxy-Authenticate in proxy mode', async () => {
    const { auth } = server({ proxy: true });
    const r = await auth.authenticate(register());
    if (r.ok) throw new Error('expected a challenge');
    expect(r.response.status).toBe(407);
    const req = register();
    expect(answerChallenge(req, r.response, { username: '1000', password: 'pw' })).toBe(true);
    expect(req.get('Proxy-Authorization')).toBeDefined();
    expect((await auth.authenticate(req)).ok).toBe(true);
  });

  it('accepts a stored HA1 instead of a password', async () => {
    const { computeHa1 } = await import('../src/index.ts');
    const { auth } = server({ lookup: () => ({ ha1: { 'SHA-256': computeHa1('SHA-256', '1000', 'kefu.test', 'pw') } }) });
    expect((await auth.authenticate(await answered(auth, 'pw'))).ok).toBe(true);
  });
});
