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
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ModuleFactory } from '../src/module.ts';
import { voiceFlowsFor } from '../src/voice/flow-port.ts';
import { RealtimeClient } from './realtime-client.ts';

/** A flow through the real port that asks for a callback to the caller's own number. */
const CALLBACK_FLOW = randomUUID();
let generalQueue = '';
const callbackFlow: ModuleFactory = (ctx) => {
  voiceFlowsFor(ctx).setRunner({ run: async () => ({ kind: 'callback', queueId: generalQueue }) });
  return { name: 'test-callback-flow' };
};

let server: TestKefu;
let admin: TestClient;
let sipPort: number;
let carrier: UserAgent;
const invites: SipRequest[] = [];
const carrierDialogs: Dialog[] = [];
let phone: Baresip | undefined;
let carrierRegistrar: Registrar;

beforeAll(async () => {
  server = await startKefu({ env: { KEFU_SIP_PORT: '0', KEFU_SIP_HOST: '127.0.0.1', KEFU_RTP_PORT_MIN: '0' }, extraModules: [callbackFlow] });
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

  test('click-to-dial rings the agent first and then the number with the caller ID; a callback request from a flow is dialled when the agent takes it', async () => {
    await phone?.stop();
    const password = (await admin.get('/api/v1/voice/extensions')).body.find((e: { extension: string }) => e.extension === '1001').password;
    phone = await Baresip.start(`<sip:1001@127.0.0.1:${sipPort};transport=udp>;auth_pass=${password};regint=60;answermode=auto;audio_codecs=PCMU`, 1000);
    await until(async () => (await admin.get('/api/v1/voice/registrations')).body.length === 1 || undefined, 'the auto-answering phone');
    const desk = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    const users = (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[];
    const agent1 = users.find((u) => u.email === 'agent1@demo.kefu')!.id;

    // Click-to-dial: barred numbers are refused and audited; an allowed one rings the agent, then the carrier.
    expect((await desk.post('/api/v1/voice/calls', { number: '+8690011111' })).status).toBe(403);
    expect((await admin.get('/api/v1/audit?action=voice.outbound_barred&limit=10')).body.items[0].details).toMatchObject({ dialled: '+8690011111' });
    expect((await desk.post('/api/v1/voice/calls', { number: 'abc' })).body.error.field).toBe('number');
    const before = carrierDialogs.length;
    const dialled = await desk.post('/api/v1/voice/calls', { number: '+8613800138111' });
    expect(dialled.status, JSON.stringify(dialled.body)).toBe(201);
    const dialog = await until(() => carrierDialogs[before], 'the carrier leg');
    expect(invites[invites.length - 1]!.uri).toContain('+8613800138111');
    expect(invites[invites.length - 1]!.get('From')).toContain('sip:+861065529988@127.0.0.5');
    await phone.waitForEvent('CALL_ESTABLISHED', 30_000);
    expect((await desk.get(`/api/v1/interactions/${dialled.body.interactionId}/voice`)).body).toMatchObject({ agent: { extension: '1001' }, onHold: false });
    await new Promise((r) => setTimeout(r, 1000));
    await dialog.destroy();
    const ended = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${dialled.body.interactionId}`)).body;
      return i.state === 'ended' ? i : undefined;
    }, 'the end of the click-to-dial call');
    expect(ended).toMatchObject({ direction: 'outbound', to: '+8613800138111', from: '+861065529988', agentId: agent1, hangupBy: 'customer', endReason: 'normal' });
    expect(ended.answeredAt).toEqual(expect.any(String));
    await phone.waitForEvent('CALL_CLOSED', 30_000);

    // A caller asks for a callback through a flow; the request becomes a routing callback task; agent1 accepts
    // it on the desktop, their phone rings, then the caller's number is called.
    generalQueue = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'General').id;
    const number = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
    expect((await admin.patch(`/api/v1/voice/numbers/${number.id}`, { flowId: CALLBACK_FLOW })).status).toBe(200);
    const socket = await RealtimeClient.connect(server.baseUrl, { cookie: desk.cookie!, origin: server.baseUrl });
    phone.events.length = 0;
    const asking = await carrier.createUAC(`sip:4000@127.0.0.1:${sipPort}`, { localSdp: sdpOffer(41004), from: '<sip:+8613700000001@127.0.0.5>' });
    const hungUp = new Promise((r) => asking.once('destroy', r));
    await hungUp; // the flow takes the request and ends the call
    const offer = await socket.nextEvent('offer', (d) => d.channel === 'callback', 30_000);
    const reply = await socket.request('offer.accept', { offerId: offer.offerId });
    expect(reply).toMatchObject({ ok: true });
    const back = await until(() => carrierDialogs.find((d, i) => i > before && invites[i]?.uri.includes('+8613700000001')), 'the call back to the customer', 30_000);
    await phone.waitForEvent('CALL_ESTABLISHED', 30_000);
    const [request] = (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT state, number, task_id, callback_interaction_id FROM voice_callback_requests`))).rows;
    expect(request).toMatchObject({ state: 'dialled', number: '+8613700000001' });
    await new Promise((r) => setTimeout(r, 500));
    await back.destroy();
    await until(async () => {
      const [t] = (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT status FROM routing_tasks WHERE id = ${request!.task_id as string}`))).rows;
      return t?.status === 'completed' || undefined;
    }, 'the callback task to complete');
    const callbackCall = (await admin.get(`/api/v1/interactions/${request!.callback_interaction_id as string}`)).body;
    expect(callbackCall).toMatchObject({ direction: 'outbound', to: '+8613700000001', agentId: agent1, state: 'ended' });
    socket.socket.close();
  }, 180_000);
});
