// Outbound calls from an agent's phone: baresip registered as 1001 dials an outside number; Kefu authenticates it
// (407), checks the division's outbound rules and calls the carrier through a trunk that challenges with digest,
// with the configured caller ID. A barred prefix is refused with 403 and an audit entry. The carrier is a UA of the
// project's SIP stack with a DigestAuthenticator on 127.0.0.5.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUserAgent, DigestAuthenticator, Registrar, type Dialog, type SipRequest, type UserAgent } from '@kefu/sip';
import { sdpOffer } from '@kefu/sip/testing';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { Baresip } from '@kefu/sip/testing';
import { until, type VoiceModule } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let sipPort: number;
let carrier: UserAgent;
const invites: SipRequest[] = [];
const carrierDialogs: Dialog[] = [];
let phone: Baresip | undefined;
let carrierRegistrar: Registrar;

beforeAll(async () => {
  server = await startKefu({ env: { KEFU_SIP_PORT: '0', KEFU_SIP_HOST: '127.0.0.1', KEFU_RTP_PORT_MIN: '0' } });
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  const voice = server.kefu.modules.voice as VoiceModule;
  sipPort = voice.sip!.port!;
  await voice.mediaEngine();
  carrier = await createUserAgent({ udp: { host: '127.0.0.5' } });
  const auth = new DigestAuthenticator({ realm: 'carrier.example', lookup: (u) => (u === 'kefu-acct' ? { password: 'carrier-pw' } : undefined) });
  carrierRegistrar = new Registrar({ auth });
  carrier.on('register', (r) => void carrierRegistrar.handle(r));
  carrier.on('invite', (inv) => {
    void auth.authenticate(inv.request).then(async (result) => {
      if (!result.ok) return inv.tx.respond(result.response);
      invites.push(inv.request);
      carrierDialogs.push(await carrier.createUAS(inv, { localSdp: sdpOffer(41000) }));
    });
  });
});
afterAll(async () => {
  await phone?.stop();
  await carrier?.close(200);
  await server?.stop();
});

describe('outbound calls', () => {
  test('an agent dials out through a digest-challenging trunk with the division caller ID; a barred prefix is 403 and audited', async () => {
    const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
    const carrierPort = carrier.transport.transports[0]!.transport.localPort;
    const trunk = (await admin.post('/api/v1/voice/trunks', {
      divisionId, name: 'Carrier', kind: 'register', host: '127.0.0.5', port: carrierPort, username: 'kefu-acct', password: 'carrier-pw', callerId: '+861065529988',
    })).body;
    // The trunk registers to the carrier with digest.
    await until(() => carrierRegistrar.lookup('sip:kefu-acct@127.0.0.5')[0], 'the trunk registration');
    expect((await admin.get('/api/v1/voice/trunk-registrations')).body).toEqual([{ trunkId: trunk.id, state: 'registered', status: 200 }]);
    expect((await admin.post('/api/v1/voice/outbound-rules', { divisionId, trunkId: trunk.id, allowedPrefixes: ['+86'], deniedPrefixes: ['+86900'], maxCallsPerHour: 5 })).status).toBe(201);
    const password = (await admin.get('/api/v1/voice/extensions')).body[0].password;
    phone = await Baresip.start(`<sip:1001@127.0.0.1:${sipPort};transport=udp>;auth_pass=${password};regint=60;audio_codecs=PCMU`, 440);
    await until(async () => (await admin.get('/api/v1/voice/registrations')).body[0], 'the registration');

    phone.command('dial', `sip:+8613800138000@127.0.0.1:${sipPort}`);
    await phone.waitForEvent('CALL_ESTABLISHED', 30_000);
    const dialog = await until(() => carrierDialogs[0], 'the carrier leg');
    expect(invites[0]!.get('From')).toContain('sip:+861065529988@127.0.0.5');
    expect(invites[0]!.get('Authorization')).toContain('username="kefu-acct"');
    const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'the answered call');
    await new Promise((r) => setTimeout(r, 1000));
    await dialog.destroy();
    const ended = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
      return i.state === 'ended' ? i : undefined;
    }, 'the end of the call');
    const users = (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[];
    expect(ended).toMatchObject({
      direction: 'outbound', from: '+861065529988', to: '+8613800138000', hangupBy: 'customer', sipCause: 200, endReason: 'normal',
      agentId: users.find((u) => u.email === 'agent1@demo.kefu')!.id,
    });
    expect(ended.talkMs).toBeGreaterThan(500);
    await phone.waitForEvent('CALL_CLOSED', 30_000);

    phone.events.length = 0;
    phone.command('dial', `sip:+86900123456@127.0.0.1:${sipPort}`);
    const closed = await phone.waitForEvent('CALL_CLOSED', 30_000);
    expect(JSON.stringify(closed)).toContain('403');
    expect(invites).toHaveLength(1);
    const audit = (await admin.get('/api/v1/audit?action=voice.outbound_barred&limit=10')).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toEqual({ extension: '1001', dialled: '+86900123456' });
  
    // The carrier may also deliver calls: its address is trusted as the registering trunk's host.
    const inbound = await carrier.createUAC(`sip:4000@127.0.0.1:${sipPort}`, { localSdp: sdpOffer(41002) });
    await inbound.destroy();
  }, 120_000);
});
