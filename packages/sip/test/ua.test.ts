// The user-agent API over an in-memory transport pair: calls, hold, INFO, REFER, BYE, REGISTER, overload.
import { afterEach, describe, expect, it } from 'vitest';
import {
  UserAgent, Registrar, DigestAuthenticator, SipError, sdpDirection, withDirection, parseReferTo, formatReferTo,
  parseDtmfRelay, type Dialog,
} from '../src/index.ts';
import { createMemoryPair, sdpOffer, type MemoryTransport } from '../src/testing/index.ts';

let uas: UserAgent[] = [];
afterEach(async () => {
  await Promise.all(uas.map((u) => u.close()));
  uas = [];
});

function pair(opts: ConstructorParameters<typeof UserAgent>[1] = {}): [UserAgent, UserAgent, MemoryTransport, MemoryTransport] {
  const [ta, tb] = createMemoryPair();
  const a = new UserAgent([ta], { timers: { T1: 50 }, ...opts });
  const b = new UserAgent([tb], { timers: { T1: 50 }, ...opts });
  uas.push(a, b);
  return [a, b, ta, tb];
}

async function call(a: UserAgent, b: UserAgent): Promise<[Dialog, Dialog]> {
  const uasDialog = new Promise<Dialog>((resolve, reject) => {
    b.once('invite', (inv) => b.createUAS(inv, { localSdp: sdpOffer(41000) }).then(resolve, reject));
  });
  const uac = await a.createUAC('sip:bob@127.0.0.1:5062', { localSdp: sdpOffer(40000) });
  return [uac, await uasDialog];
}

describe('UserAgent', () => {
  it('sets up a call: INVITE, 200 with SDP, ACK, and both sides see each other SDP', async () => {
    const [a, b] = pair();
    const [uac, uas2] = await call(a, b);
    expect(uac.remoteSdp).toContain('m=audio 41000');
    expect(uas2.remoteSdp).toContain('m=audio 40000');
    expect(uac.callId).toBe(uas2.callId);
    expect(uac.remoteTag).toBe(uas2.localTag);
    expect(a.dialogCount).toBe(1);
  });

  it('answers a hold re-INVITE with recvonly by default and emits modify when listened to', async () => {
    const [a, b] = pair();
    const [uac, uasD] = await call(a, b);
    const remote = await uac.hold(true);
    expect(sdpDirection(remote!)).toBe('recvonly');
    const modified = new Promise<string>((resolve) =>
      uasD.once('modify', (req, res) => {
        res.send(200, { body: withDirection(uasD.localSdp!, 'inactive') });
        resolve(sdpDirection(req.bodyText));
      }),
    );
    await uac.hold(false);
    expect(await modified).toBe('sendrecv');
    expect(sdpDirection(uac.remoteSdp!)).toBe('inactive');
  });

  it('delivers INFO with dtmf-relay and REFER to the dialog', async () => {
    const [a, b] = pair();
    const [uac, uasD] = await call(a, b);
    const info = new Promise<string | undefined>((resolve) =>
      uasD.once('info', (req, res) => {
        res.send(200);
        resolve(parseDtmfRelay(req.bodyText)?.signal);
      }),
    );
    const r = await uac.request('INFO', { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' });
    expect(r.status).toBe(200);
    expect(await info).toBe('5');
    const refer = new Promise<string>((resolve) =>
      uasD.once('refer', (req, res) => {
        res.send(202);
        const t = parseReferTo(req.get('Refer-To')!);
        resolve(`${t.uri.user}|${t.replaces?.callId}`);
      }),
    );
    const referTo = formatReferTo(
      { kind: 'sip', scheme: 'sip', user: 'carol', password: undefined, host: '127.0.0.1', port: undefined, params: new Map(), headers: new Map() },
      { callId: 'abc@x', toTag: 't1', fromTag: 'f1', earlyOnly: false },
    );
    expect((await uac.request('REFER', { headers: { 'Refer-To': referTo } })).status).toBe(202);
    expect(await refer).toBe('carol|abc@x');
  });

  it('transfers with REFER + Replaces and reports progress with NOTIFY sipfrag (RFC 3515, 3891)', async () => {
    const [a, b] = pair();
    const [uac, uasD] = await call(a, b);
    const [consult] = await call(a, b);
    uasD.once('refer', (req, res) => {
      res.send(202);
      const target = parseReferTo(req.get('Refer-To')!);
      expect(target.replaces).toEqual({ callId: consult.callId, toTag: consult.remoteTag, fromTag: consult.localTag, earlyOnly: false });
      void uasD.notifyReferProgress(100).then(() => uasD.notifyReferProgress(200));
    });
    const notes: string[] = [];
    const done = new Promise<void>((resolve) =>
      uac.on('notify', (req, res) => {
        res.send(200);
        notes.push(`${req.get('Subscription-State')?.split(';')[0]}:${req.bodyText.trim()}`);
        if (notes.length === 2) resolve();
      }),
    );
    expect((await uac.refer('sip:carol@127.0.0.1', consult)).status).toBe(202);
    await done;
    expect(notes).toEqual(['active:SIP/2.0 100 Trying', 'terminated:SIP/2.0 200 OK']);
  });

  it('ends the call with BYE and emits destroy on both sides', async () => {
    const [a, b] = pair();
    const [uac, uasD] = await call(a, b);
    const destroyed = new Promise<string>((resolve) => uasD.once('destroy', (e) => resolve(e.reason)));
    await uac.destroy();
    expect(await destroyed).toBe('remote');
    expect(a.dialogCount + b.dialogCount).toBe(0);
  });

  it('rejects createUAC with SipError carrying the status when the callee declines', async () => {
    const [a, b] = pair();
    b.once('invite', (inv) => inv.reply(486));
    const err = await a.createUAC('sip:bob@127.0.0.1:5062', { localSdp: sdpOffer() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SipError);
    expect((err as SipError).status).toBe(486);
  });

  it('cancels a ringing call through an AbortSignal', async () => {
    const [a, b] = pair();
    const cancelled = new Promise<void>((resolve) => b.once('invite', (inv) => {
      inv.reply(180);
      inv.onCancel(resolve);
    }));
    const ac = new AbortController();
    const p = a.createUAC('sip:bob@127.0.0.1:5062', { localSdp: sdpOffer(), signal: ac.signal, onProvisional: (r) => r.status === 180 && ac.abort() });
    const err = await p.catch((e: unknown) => e);
    await cancelled;
    expect((err as SipError).code).toBe('CANCELLED');
  });

  it('answers OPTIONS with 200 and Allow', async () => {
    const [a] = pair();
    const reg = a.transactions;
    const { buildRequest } = await import('../src/testing/index.ts');
    const tx = await reg.request(buildRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5062' }));
    const res = await new Promise<import('../src/index.ts').SipResponse>((r) => tx.on('response', r));
    expect(res.status).toBe(200);
    expect(res.get('Allow')).toContain('INVITE');
  });

  it('sheds new INVITEs with 503 and Retry-After when overloaded', async () => {
    const [a, b] = pair();
    (b.opts as { overload?: object }).overload = { isOverloaded: () => true, retryAfter: 7 };
    const err = (await a.createUAC('sip:bob@127.0.0.1:5062').catch((e: unknown) => e)) as SipError;
    expect(err.status).toBe(503);
    expect(err.response?.get('Retry-After')).toBe('7');
  });

  it('sheds INVITEs beyond the pending limit while earlier ones still wait for an answer', async () => {
    const [a, b] = pair({ overload: { maxPendingInvites: 1, retryAfter: 3 } });
    b.on('invite', () => {}); // the application never answers
    const first = a.createUAC('sip:bob@127.0.0.1:5062').catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const second = (await a.createUAC('sip:bob@127.0.0.1:5062').catch((e: unknown) => e)) as SipError;
    expect(second.status).toBe(503);
    expect(second.response?.get('Retry-After')).toBe('3');
    void first;
  });

  it('registers with digest through the Registrar and refreshes, then unregisters', async () => {
    const [a, b] = pair();
    const auth = new DigestAuthenticator({ realm: 'kefu.test', lookup: (u) => (u === '1000' ? { password: 'secret' } : undefined) });
    const registrar = new Registrar({ auth });
    b.on('register', (r) => void registrar.handle(r));
    const reg = a.register({ registrar: 'sip:127.0.0.1:5062', aor: 'sip:1000@kefu.test', credentials: { username: '1000', password: 'secret' }, expires: 120 });
    const granted = await new Promise<number>((resolve, reject) => {
      reg.once('registered', (e) => resolve(e.expires));
      reg.once('failed', (e) => reject(new Error(`failed ${e.status}`)));
    });
    expect(granted).toBe(120);
    expect(registrar.lookup('sip:1000@kefu.test')).toHaveLength(1);
    await reg.stop();
    expect(registrar.lookup('sip:1000@kefu.test')).toHaveLength(0);
  });

  it('authenticates an INVITE with a credential lookup and lets the UAC answer the challenge', async () => {
    const [a, b] = pair();
    const auth = new DigestAuthenticator({ realm: 'kefu.test', lookup: (u) => (u === '2000' ? { password: 'pw' } : undefined), algorithms: ['SHA-256', 'MD5'] });
    const users: string[] = [];
    b.on('invite', (inv) => {
      void inv.authenticate(auth).then((user) => {
        if (!user) return;
        users.push(user);
        void b.createUAS(inv, { localSdp: sdpOffer(41000) });
      });
    });
    const d = await a.createUAC('sip:bob@127.0.0.1:5062', { localSdp: sdpOffer(), credentials: { username: '2000', password: 'pw' } });
    expect(users).toEqual(['2000']);
    expect(d.invite.get('Authorization')).toMatch(/algorithm=SHA-256/);
    const denied = (await a.createUAC('sip:bob@127.0.0.1:5062', { credentials: { username: '2000', password: 'bad' } }).catch((e: unknown) => e)) as SipError;
    expect(denied.status).toBe(401);
  });

  it('rejects a REGISTER with a wrong password with a fresh challenge', async () => {
    const [a, b] = pair();
    const auth = new DigestAuthenticator({ realm: 'kefu.test', lookup: () => ({ password: 'secret' }) });
    const registrar = new Registrar({ auth });
    b.on('register', (r) => void registrar.handle(r));
    const reg = a.register({ registrar: 'sip:127.0.0.1:5062', aor: 'sip:1000@kefu.test', credentials: { username: '1000', password: 'wrong' } });
    const status = await new Promise<number | undefined>((resolve) => reg.once('failed', (e) => resolve(e.status)));
    expect(status).toBe(401);
    await reg.stop();
  });
});
