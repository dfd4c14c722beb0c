// The prompt library and the HTTP node's allow-list over the real server and database: WAV and MP3 made by sox
// are uploaded, transcoded and played back as 8 kHz / 16 kHz WAV (measured with sox); a text file named .wav and
// an oversize file are refused naming `file`; a published flow's prompt cannot be deleted; publishing a flow
// whose prompt is missing is refused; another tenant sees none of it; the allow-list is validated and decides
// whether the HTTP node reaches a server on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemActor } from '../src/platform/auth/actor.ts';
import { createTenant } from '../src/platform/tenancy/tenants.service.ts';
import { UsersService } from '../src/platform/tenancy/users.service.ts';
import { soxTone, uploadPrompt } from './flow-prompt-fixtures.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
let admin: TestClient;
let otherAdmin: TestClient;
let divisionId: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-prompts-int-'));

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  await server.kefu.database.withSystem(async (tx) => {
    const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Prompt tenant B', slug: 'prompt-b' });
    await UsersService.insert(tx, systemActor(tenant.id), { email: 'admin@prompt-b.example', name: 'B Admin', password: 'tenant-b-pw-1', roles: ['admin'], divisionIds: [defaultDivisionId] });
  });
  otherAdmin = await TestClient.login(server.baseUrl, 'admin@prompt-b.example', 'tenant-b-pw-1');
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** sox's view of a WAV: rate, channels, seconds, RMS amplitude. */
function measure(wav: Buffer) {
  const file = path.join(dir, `m-${Math.random().toString(36).slice(2)}.wav`);
  fs.writeFileSync(file, wav);
  const info = (flag: string) => spawnSync('soxi', [flag, file], { encoding: 'utf8' }).stdout.trim();
  const stat = spawnSync('sox', [file, '-n', 'stat'], { encoding: 'utf8' }).stderr;
  return { rate: Number(info('-r')), channels: Number(info('-c')), seconds: Number(info('-D')), rms: Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(stat)?.[1]) };
}

async function audioOf(c: TestClient, id: string, rate: 8000 | 16000) {
  const res = await fetch(`${c.baseUrl}/api/v1/flow-prompts/${id}/audio?rate=${rate}`, { headers: { cookie: c.cookie! } });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

const playFlow = (promptId: string) => ({
  start: 'p',
  nodes: [
    { id: 'p', type: 'play', config: { promptId }, next: { next: 'bye' } },
    { id: 'bye', type: 'hangup', config: {} },
  ],
});

describe('prompt library', () => {
  let wavId: string;
  let mp3Id: string;

  test('a WAV (44.1 kHz stereo PCM) and an MP3 made by sox are stored and play back at 8 and 16 kHz', async () => {
    const wav = await uploadPrompt(admin, '欢迎 welcome', soxTone('wav', 2, ['-r', '44100', '-c', '2', '-b', '16']), 'audio/wav');
    expect(wav.status).toBe(201);
    expect(wav.body).toMatchObject({ name: '欢迎 welcome', sourceFormat: 'wav pcm 16-bit 44100 Hz 2 ch', durationMs: 2000 });
    wavId = wav.body.id;
    // The Content-Type says nothing true here: the type comes from the bytes.
    const mp3 = await uploadPrompt(admin, 'hold notice', soxTone('mp3', 1.5, ['-r', '22050', '-c', '1']), 'text/plain');
    expect(mp3.status).toBe(201);
    expect(mp3.body.sourceFormat).toBe('mp3');
    expect(mp3.body.durationMs).toBeGreaterThan(1450);
    expect(mp3.body.durationMs).toBeLessThan(1650);
    mp3Id = mp3.body.id;

    for (const [id, seconds] of [[wavId, 2], [mp3Id, 1.5]] as const) {
      for (const rate of [8000, 16000] as const) {
        const a = await audioOf(admin, id, rate);
        expect(a.status).toBe(200);
        expect(a.type).toBe('audio/wav');
        const m = measure(a.body);
        expect(m).toMatchObject({ rate, channels: 1 });
        expect(Math.abs(m.seconds - seconds)).toBeLessThan(0.15);
        expect(m.rms).toBeGreaterThan(0.2);
      }
    }
    const list = (await admin.get('/api/v1/flow-prompts')).body;
    expect(list.map((p: { name: string }) => p.name)).toEqual(['hold notice', '欢迎 welcome']);
  });

  test('a file of several MB (30 s of 44.1 kHz stereo WAV, 5.3 MB) is within the limit', async () => {
    const long = soxTone('wav', 30, ['-r', '44100', '-c', '2', '-b', '16']);
    expect(long.length).toBeGreaterThan(5 * 1024 * 1024);
    const r = await uploadPrompt(admin, 'long announcement', long);
    expect(r.status).toBe(201);
    expect(r.body.durationMs).toBe(30000);
    expect((await admin.delete(`/api/v1/flow-prompts/${r.body.id}`)).status).toBe(204);
  });

  test('a text file named .wav is refused by its content (415 naming file)', async () => {
    const r = await uploadPrompt(admin, 'welcome.wav', Buffer.from('this is not audio, only a renamed text file\n'.repeat(50)), 'audio/wav');
    expect(r.status).toBe(415);
    expect(r.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', field: 'file' });
    expect(r.body.error.message).toMatch(/^file: /);
  });

  test('a file over 10 MB is refused (413 naming file); an empty body and a missing name are 400', async () => {
    let sent = 0;
    const big = Buffer.concat([soxTone('wav', 0.1, ['-r', '8000', '-c', '1']), Buffer.alloc(10 * 1024 * 1024)]);
    const r = await uploadPrompt(admin, 'too big', big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'file' });
    // Sent in chunks without a Content-Length: counted as it arrives.
    const chunked = await fetch(`${admin.baseUrl}/api/v1/flow-prompts?name=chunked`, {
      method: 'POST', headers: { cookie: admin.cookie!, 'x-csrf-token': admin.csrfToken!, 'content-type': 'audio/wav' },
      body: new ReadableStream({
        pull(controller) {
          sent += 1024 * 1024;
          if (sent > 12 * 1024 * 1024) controller.close();
          else controller.enqueue(new Uint8Array(1024 * 1024));
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { field: string } }).error.field).toBe('file');
    expect((await uploadPrompt(admin, 'empty', Buffer.alloc(0))).body.error).toMatchObject({ field: 'file' });
    const noName = await fetch(`${admin.baseUrl}/api/v1/flow-prompts`, { method: 'POST', headers: { cookie: admin.cookie!, 'x-csrf-token': admin.csrfToken!, 'content-type': 'audio/wav' }, body: soxTone('wav', 0.2, ['-r', '8000']) });
    expect(noName.status).toBe(400);
    expect(((await noName.json()) as { error: { field: string } }).error.field).toBe('name');
  });

  test('renames; a taken name is a 409 naming name', async () => {
    const renamed = await admin.patch(`/api/v1/flow-prompts/${mp3Id}`, { name: '等待提示 hold' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('等待提示 hold');
    const taken = await admin.patch(`/api/v1/flow-prompts/${mp3Id}`, { name: '欢迎 welcome' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.field).toBe('name');
    expect((await uploadPrompt(admin, '欢迎 welcome', soxTone('wav', 0.2, ['-r', '8000']))).status).toBe(409);
  });

  test('a published flow keeps its prompt: delete is refused naming the flow, allowed once no published flow plays it', async () => {
    const flow = (await admin.post('/api/v1/flows', { divisionId, name: 'Prompt flow', channel: 'voice', graph: playFlow(wavId) })).body;
    expect(flow.problems).toEqual([]);
    expect((await admin.post(`/api/v1/flows/${flow.id}/publish`, {})).status).toBe(200);
    const refused = await admin.delete(`/api/v1/flow-prompts/${wavId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('Prompt flow');
    // A draft using the other prompt does not hold it.
    await admin.patch(`/api/v1/flows/${flow.id}`, { graph: playFlow(mp3Id) });
    expect((await admin.delete(`/api/v1/flow-prompts/${mp3Id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/flow-prompts/${mp3Id}`)).status).toBe(404);
    expect((await audioOf(admin, mp3Id, 16000)).status).toBe(404);
    // Publishing the draft that plays the deleted prompt is blocked with the problem listed.
    const blocked = await admin.post(`/api/v1/flows/${flow.id}/publish`, {});
    expect(blocked.status).toBe(400);
    expect(blocked.body.error.problems).toEqual([expect.objectContaining({ code: 'unknown_prompt', nodeId: 'p', field: 'promptId' })]);
    // The published version still plays the first prompt, so it still cannot go.
    expect((await admin.delete(`/api/v1/flow-prompts/${wavId}`)).status).toBe(409);
    await admin.patch(`/api/v1/flows/${flow.id}`, { graph: { start: 'bye', nodes: [{ id: 'bye', type: 'hangup', config: {} }] } });
    expect((await admin.post(`/api/v1/flows/${flow.id}/publish`, {})).status).toBe(200);
    expect((await admin.delete(`/api/v1/flow-prompts/${wavId}`)).status).toBe(204);
  });

  test('another tenant can neither see, play, rename, delete nor reference a prompt', async () => {
    const mine = (await uploadPrompt(admin, 'tenant A only', soxTone('wav', 0.5, ['-r', '8000', '-c', '1']))).body;
    expect((await otherAdmin.get('/api/v1/flow-prompts')).body).toEqual([]);
    expect((await otherAdmin.get(`/api/v1/flow-prompts/${mine.id}`)).status).toBe(404);
    expect((await audioOf(otherAdmin, mine.id, 16000)).status).toBe(404);
    expect((await otherAdmin.patch(`/api/v1/flow-prompts/${mine.id}`, { name: 'stolen' })).status).toBe(404);
    expect((await otherAdmin.delete(`/api/v1/flow-prompts/${mine.id}`)).status).toBe(404);
    const otherDivision = (await otherAdmin.get('/api/v1/divisions')).body[0].id;
    const theirs = (await otherAdmin.post('/api/v1/flows', { divisionId: otherDivision, name: 'B flow', channel: 'voice', graph: playFlow(mine.id) })).body;
    expect(theirs.problems).toEqual([expect.objectContaining({ code: 'unknown_prompt' })]);
    expect((await admin.get(`/api/v1/flow-prompts/${mine.id}`)).body.name).toBe('tenant A only');
  });

  test('agents may not upload or list prompts', async () => {
    const agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    expect((await agent.get('/api/v1/flow-prompts')).status).toBe(403);
    expect((await uploadPrompt(agent, 'agent prompt', soxTone('wav', 0.2, ['-r', '8000']))).status).toBe(403);
  });
});

describe('HTTP allow-list', () => {
  let base = '';
  const crm = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"balance":"42.00"}'));
  beforeAll(async () => {
    await new Promise<void>((r) => crm.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;
  });
  afterAll(() => crm.close());

  test('entries are validated one by one, naming the entry', async () => {
    expect((await admin.get('/api/v1/flow-settings/http-allowlist')).body).toEqual({ entries: [], updatedAt: null });
    const bad = await admin.request('PUT', '/api/v1/flow-settings/http-allowlist', { entries: ['crm.corp.example', 'http://x/', '10.0.0.0/8'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('entries.1');
    const everything = await admin.request('PUT', '/api/v1/flow-settings/http-allowlist', { entries: ['0.0.0.0/0'] });
    expect(everything.body.error).toMatchObject({ field: 'entries.0' });
    const ok = await admin.request('PUT', '/api/v1/flow-settings/http-allowlist', { entries: ['CRM.corp.example', '*.lan.example', '10.20.0.0/16', 'fd00:1::/64'] });
    expect(ok.status).toBe(200);
    expect(ok.body.entries).toEqual(['crm.corp.example', '*.lan.example', '10.20.0.0/16', 'fd00:1::/64']);
    expect((await otherAdmin.get('/api/v1/flow-settings/http-allowlist')).body.entries).toEqual([]);
  });

  test('the HTTP node reaches a server on 127.0.0.1 only once the allow-list names it', async () => {
    const graph = {
      start: 'h',
      nodes: [
        { id: 'h', type: 'http_request', config: { url: `${base}/balance`, assign: [{ variable: 'balance', path: 'balance' }] }, next: { success: 'ok', error: 'refused' } },
        { id: 'ok', type: 'say', config: { prompt: { text: 'balance {{balance}}' } }, next: { next: 'bye' } },
        { id: 'refused', type: 'say', config: { prompt: { text: 'refused' } }, next: { next: 'bye' } },
        { id: 'bye', type: 'hangup', config: {} },
      ],
    };
    const flow = (await admin.post('/api/v1/flows', { divisionId, name: 'Balance flow', channel: 'voice', graph })).body;
    const say = async () => (await admin.post(`/api/v1/flows/${flow.id}/simulations`, {})).body.outputs.map((o: { text?: string }) => o.text);
    expect(await say()).toEqual(['refused']);
    await admin.request('PUT', '/api/v1/flow-settings/http-allowlist', { entries: ['127.0.0.1/32'] });
    expect(await say()).toEqual(['balance 42.00']);
  });
});
