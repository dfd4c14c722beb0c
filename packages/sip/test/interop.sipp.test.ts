// Interop over real sockets with sipp: its uac against a UAS on the stack, the stack's UAC against its uas,
// and REGISTER with digest from sipp against the stack's registrar.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createUserAgent, DigestAuthenticator, Registrar, type Dialog, type UserAgent } from '../src/index.ts';
import { sdpOffer } from '../src/testing/index.ts';
import { fixtures } from './helpers.ts';
import { freeUdpPort, runSipp } from './sipp.ts';

let ua: UserAgent | undefined;
afterEach(async () => {
  await ua?.close();
  ua = undefined;
});

describe('interop with sipp', () => {
  it('completes 10 calls from sipp -sn uac against a UAS on the stack', async () => {
    ua = await createUserAgent({ udp: { host: '127.0.0.1' } });
    const ended: string[] = [];
    ua.on('invite', (inv) => {
      ua!.createUAS(inv, { localSdp: sdpOffer(42000) }).then(
        (d: Dialog) => d.on('destroy', (e) => ended.push(e.reason)),
        () => ended.push('failed'),
      );
    });
    const port = ua.transport.entryFor('UDP')!.transport.localPort;
    const r = await runSipp(['-sn', 'uac', `127.0.0.1:${port}`, '-m', '10', '-r', '10', '-l', '10', '-d', '100'], 30_000);
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    expect(ended).toEqual(new Array(10).fill('remote'));
  });

  it('calls sipp -sn uas from the stack UAC, then hangs up', async () => {
    ua = await createUserAgent({ udp: { host: '127.0.0.1' } });
    const sippPort = await freeUdpPort();
    const sipp = runSipp(['-sn', 'uas', '-m', '1'], 30_000, sippPort);
    await new Promise((r) => setTimeout(r, 500)); // let sipp bind
    const dialog = await ua.createUAC(`sip:service@127.0.0.1:${sippPort}`, { localSdp: sdpOffer(43000) });
    expect(dialog.remoteSdp).toContain('m=audio');
    await dialog.destroy();
    const r = await sipp;
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  });

  it('registers from sipp with digest against the stack registrar', async () => {
    ua = await createUserAgent({ udp: { host: '127.0.0.1' } });
    const auth = new DigestAuthenticator({ realm: 'kefu.test', lookup: (u) => (u === '1001' ? { password: 's3cret' } : undefined) });
    const registrar = new Registrar({ auth });
    ua.on('register', (r) => void registrar.handle(r));
    const port = ua.transport.entryFor('UDP')!.transport.localPort;
    const r = await runSipp(['-sf', path.join(fixtures, 'register-digest.xml'), `127.0.0.1:${port}`, '-s', '1001', '-au', '1001', '-ap', 's3cret', '-m', '3', '-r', '10'], 30_000);
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    expect(registrar.lookup('sip:1001@kefu.test')).toHaveLength(1);
  });
});
