// Interop with baresip 1.0 (headless): it registers with digest and calls a UAS on the stack over UDP and TCP,
// puts the call on hold (re-INVITE) and hangs up.
import { afterEach, describe, expect, it } from 'vitest';
import {
  answerDirection, createUserAgent, DigestAuthenticator, Registrar, sdpDirection, withDirection,
  type Dialog, type UserAgent,
} from '../src/index.ts';
import { sdpOffer } from '../src/testing/index.ts';
import { Baresip } from '../src/testing/index.ts';

let ua: UserAgent | undefined;
let phone: Baresip | undefined;
afterEach(async () => {
  await phone?.stop();
  phone = undefined;
  await ua?.close();
  ua = undefined;
});

async function until<T>(fn: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const transport of ['udp', 'tcp'] as const) {
  describe(`baresip over ${transport.toUpperCase()}`, () => {
    it('registers with digest, calls the stack, holds and hangs up', async () => {
      ua = await createUserAgent({ udp: { host: '127.0.0.1' }, tcp: { host: '127.0.0.1' } });
      const auth = new DigestAuthenticator({ realm: 'kefu.test', lookup: (u) => (u === '1002' ? { password: 'pw1002' } : undefined) });
      const registrar = new Registrar({ auth });
      ua.on('register', (r) => void registrar.handle(r));
      const dialogs: Dialog[] = [];
      const offers: string[] = [];
      const ended: string[] = [];
      ua.on('invite', (inv) => {
        ua!.createUAS(inv, { localSdp: sdpOffer(44000) }).then((d) => {
          dialogs.push(d);
          d.on('modify', (req, res) => {
            offers.push(sdpDirection(req.bodyText));
            res.send(200, { body: withDirection(d.localSdp!, answerDirection(sdpDirection(req.bodyText))) });
          });
          d.on('destroy', (e) => ended.push(e.reason));
        }, () => {});
      });
      const port = ua.transport.entryFor(transport === 'udp' ? 'UDP' : 'TCP')!.transport.localPort;
      phone = await Baresip.start(`<sip:1002@127.0.0.1:${port};transport=${transport}>;auth_pass=pw1002;regint=60;answermode=manual;audio_codecs=PCMU`);
      const binding = await until(() => registrar.lookup('sip:1002@127.0.0.1')[0], 'the registration');
      expect(binding?.username).toBe('1002');
      expect(binding?.source?.transport).toBe(transport.toUpperCase());

      phone.command('dial', `sip:4000@127.0.0.1:${port};transport=${transport}`);
      await phone.waitForEvent('CALL_ESTABLISHED');
      const dialog = await until(() => dialogs[0], 'the UAS dialog');
      expect(sdpDirection(dialog.remoteSdp!)).toBe('sendrecv');

      phone.command('hold');
      await until(() => offers[0], 'the hold re-INVITE');
      expect(['sendonly', 'inactive']).toContain(offers[0]);

      phone.command('hangup');
      await until(() => ended[0], 'BYE');
      expect(ended).toEqual(['remote']);
    });
  });
}
