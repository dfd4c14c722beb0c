// Voice provisioning through the API: the demo telephony seed, trunks, numbers, extensions with sealed passwords
// shown to admins, recording policy, permission checks and audit entries; recordings streamed with ranges.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { startVoiceKefu, storedTestRecording, type VoiceModule } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let voice: VoiceModule;
let divisionId: string;

beforeAll(async () => {
  // No calls here: the media engine stays off.
  ({ server, admin, voice } = await startVoiceKefu({ mediaEngine: false }));
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
});
afterAll(async () => server?.stop());

describe('the demo telephony seed', () => {
  test('has a trunk from 127.0.0.1, the number 4000 and extensions 1001-1003 for agent1-agent3 with passwords', async () => {
    const trunks = (await admin.get('/api/v1/voice/trunks')).body;
    expect(trunks).toEqual([expect.objectContaining({ kind: 'inbound_ip', inboundAddresses: ['127.0.0.1', '::1'], enabled: true })]);
    expect((await admin.get('/api/v1/voice/numbers')).body.map((n: { number: string }) => n.number)).toEqual(['4000']);
    const extensions = (await admin.get('/api/v1/voice/extensions')).body;
    expect(extensions.map((e: { extension: string }) => e.extension)).toEqual(['1001', '1002', '1003']);
    const users = (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[];
    const agent1 = users.find((u) => u.email === 'agent1@demo.kefu')!;
    expect(extensions[0].userId).toBe(agent1.id);
    expect(extensions[0].password).toMatch(/^[A-Za-z0-9]{16}$/);
    const settings = (await admin.get('/api/v1/voice/settings')).body;
    expect(settings.sipDomain).toBe('demo.kefu');
    expect(settings.sipPort).toBeGreaterThan(0);
  });

  test('stores extension passwords sealed, never in clear text', async () => {
    const ext = (await admin.get('/api/v1/voice/extensions')).body[0];
    const rows = await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT password_sealed FROM voice_extensions WHERE id = ${ext.id}`));
    const sealed = rows.rows[0]!.password_sealed as string;
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(sealed).not.toContain(ext.password);
  });
});

describe('provisioning', () => {
  test('creates, changes and deletes a trunk, audited, without ever returning its password', async () => {
    const created = await admin.post('/api/v1/voice/trunks', {
      divisionId, name: 'Carrier 电信', kind: 'register', host: 'sip.carrier.example', username: 'acct1', password: 'carrier-secret',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'register', host: 'sip.carrier.example', hasPassword: true });
    expect(JSON.stringify(created.body)).not.toContain('carrier-secret');
    const changed = await admin.patch(`/api/v1/voice/trunks/${created.body.id}`, { enabled: false, codecs: ['PCMA'] });
    expect(changed.body).toMatchObject({ enabled: false, codecs: ['PCMA'] });
    expect((await admin.delete(`/api/v1/voice/trunks/${created.body.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/voice/trunks/${created.body.id}`)).status).toBe(404);
    const audit = (await admin.get('/api/v1/audit?limit=50')).body.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['voice.trunk_created', 'voice.trunk_updated', 'voice.trunk_deleted']));
    expect(JSON.stringify((await admin.get('/api/v1/audit?limit=50')).body)).not.toContain('carrier-secret');
  });

  test('refuses bad trunk addresses, unknown fields, a duplicate number and a foreign division', async () => {
    const bad = await admin.post('/api/v1/voice/trunks', { divisionId, name: 'Bad', kind: 'inbound_ip', inboundAddresses: ['example.com'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('inboundAddresses');
    const none = await admin.post('/api/v1/voice/trunks', { divisionId, name: 'Empty', kind: 'inbound_ip' });
    expect(none.status).toBe(400);
    const unknown = await admin.post('/api/v1/voice/numbers', { divisionId, number: '4001', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('colour');
    expect((await admin.post('/api/v1/voice/numbers', { divisionId, number: '4000' })).status).toBe(409);
    const foreign = await admin.post('/api/v1/voice/numbers', { divisionId: '00000000-0000-4000-8000-000000000000', number: '4002' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.field).toBe('divisionId');
  });

  test('an extension gets a generated password that can be regenerated; the recording policy is per division', async () => {
    const ext = (await admin.post('/api/v1/voice/extensions', { divisionId, extension: '2001' })).body;
    expect(ext.password).toMatch(/^[A-Za-z0-9]{16}$/);
    const regenerated = (await admin.patch(`/api/v1/voice/extensions/${ext.id}`, { regeneratePassword: true })).body;
    expect(regenerated.password).not.toBe(ext.password);
    expect((await admin.get(`/api/v1/voice/divisions/${divisionId}/policy`)).body).toMatchObject({ recording: 'always', retentionDays: 90 });
    const policy = await admin.patch(`/api/v1/voice/divisions/${divisionId}/policy`, { recording: 'never' });
    expect(policy.body.recording).toBe('never');
    await admin.patch(`/api/v1/voice/divisions/${divisionId}/policy`, { recording: 'always' });
  });

  test('agents cannot provision, and see no extension passwords', async () => {
    const agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    expect((await agent.get('/api/v1/voice/extensions')).status).toBe(403);
    expect((await agent.post('/api/v1/voice/numbers', { divisionId, number: '4444' })).status).toBe(403);
  });
});

describe('recordings', () => {
  test('are streamed whole or by byte range to a supervisor, and every playback is audited', async () => {
    const tenantId = (await admin.get('/api/v1/me')).body.tenant.id;
    const id = await storedTestRecording(voice, tenantId, divisionId);
    const supervisor = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
    const meta = await supervisor.get(`/api/v1/recordings/${id}`);
    expect(meta.body).toMatchObject({ state: 'stored', channels: 2, durationMs: 1000, sizeBytes: 44 + 32000 });
    const listed = await supervisor.get(`/api/v1/interactions/${meta.body.interactionId}/recordings`);
    expect(listed.body.map((r: { id: string }) => r.id)).toEqual([id]);

    const whole = await fetch(`${server.baseUrl}/api/v1/recordings/${id}/audio`, { headers: { cookie: supervisor.cookie! } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const body = Buffer.from(await whole.arrayBuffer());
    expect(body.length).toBe(32044);
    expect(body.toString('ascii', 0, 4)).toBe('RIFF');

    const part = await fetch(`${server.baseUrl}/api/v1/recordings/${id}/audio`, { headers: { cookie: supervisor.cookie!, range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-3/32044');
    expect(Buffer.from(await part.arrayBuffer()).toString('ascii')).toBe('RIFF');
    const tail = await fetch(`${server.baseUrl}/api/v1/recordings/${id}/audio`, { headers: { cookie: supervisor.cookie!, range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(10);
    const beyond = await fetch(`${server.baseUrl}/api/v1/recordings/${id}/audio`, { headers: { cookie: supervisor.cookie!, range: 'bytes=99999-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */32044');

    const audit = (await admin.get('/api/v1/audit?action=recording.played&limit=50')).body.items;
    expect(audit.length).toBe(4);
    expect(audit.map((e: { details: { range: string | null } }) => e.details.range).sort()).toEqual(['0-3', '32034-32043', null, null]);

    const agent = await TestClient.login(server.baseUrl, 'agent2@demo.kefu', server.password);
    expect((await agent.get(`/api/v1/recordings/${id}/audio`)).status).toBe(403);
  });

  test("are deleted with their audio once older than their division's retention", async () => {
    const tenantId = (await admin.get('/api/v1/me')).body.tenant.id;
    const kept = await storedTestRecording(voice, tenantId, divisionId);
    const old = await storedTestRecording(voice, tenantId, divisionId);
    expect((await admin.patch(`/api/v1/voice/divisions/${divisionId}/policy`, { retentionDays: 2 })).status).toBe(200);
    await server.kefu.database.withSystem((tx) => tx.execute(sql`UPDATE voice_recordings SET started_at = now() - interval '3 days' WHERE id = ${old}`));
    const oldKey = (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT blob_key FROM voice_recordings WHERE id = ${old}`))).rows[0]!.blob_key as string;
    expect(await voice.recordings.purgeExpired()).toBe(1);
    expect((await admin.get(`/api/v1/recordings/${old}`)).status).toBe(404);
    expect(await server.kefu.blobs.stat(oldKey)).toBeUndefined();
    expect((await admin.get(`/api/v1/recordings/${kept}`)).status).toBe(200);
    await admin.patch(`/api/v1/voice/divisions/${divisionId}/policy`, { retentionDays: 90 });
  });

  test('adding a colleague is for the call\'s agent or a supervisor, names someone, and needs a call this server handles', async () => {
    const tenantId = (await admin.get('/api/v1/me')).body.tenant.id;
    const interaction = await voice.interactions.open(tenantId, { divisionId, channel: 'voice', direction: 'inbound', from: '13700000000', to: '4000' });
    const agent = await TestClient.login(server.baseUrl, 'agent3@demo.kefu', server.password);
    expect((await agent.post(`/api/v1/interactions/${interaction.id}/voice/colleagues`, { extension: '1002' })).status).toBe(403);
    const none = await admin.post(`/api/v1/interactions/${interaction.id}/voice/colleagues`, {});
    expect(none.status).toBe(400);
    expect(none.body.error.field).toBe('extension');
    expect((await admin.post(`/api/v1/interactions/${interaction.id}/voice/colleagues`, { extension: '9999' })).status).toBe(400);
    expect((await admin.post(`/api/v1/interactions/${interaction.id}/voice/colleagues`, { extension: '1002' })).status).toBe(409);
  });
});
