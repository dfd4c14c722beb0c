// Flows over the real server and database: the seeded demo IVR, drafts and published versions (publish blocked
// with every problem listed, rollback, diff), the simulator as a text conversation, write-only secrets, the TTS
// preview, path statistics, and who may do what.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import type { FlowsModule } from '../src/flows/flows.module.ts';
import type { VoiceModule } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let divisionId: string;
let queues: Record<string, string>;

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  queues = Object.fromEntries((await admin.get('/api/v1/routing/queues')).body.map((q: { name: string; id: string }) => [q.name, q.id]));
});
afterAll(async () => server?.stop());

const menuFlow = (queueId: string) => ({
  start: 'menu',
  nodes: [
    { id: 'menu', type: 'menu', config: { prompt: { text: '请按1 press 1' }, options: [{ digit: '1' }, { digit: '2' }] }, next: { key_1: 'q', key_2: 'bye' } },
    { id: 'q', type: 'queue', config: { queueId } },
    { id: 'bye', type: 'hangup', config: { prompt: { text: 'Goodbye' } } },
  ],
});

describe('the demo IVR', () => {
  test('is seeded, published, and sends key 2 to the Support queue in the simulator', async () => {
    const flows = (await admin.get('/api/v1/flows')).body;
    const demo = flows.find((f: { name: string }) => f.name === 'Kefu demo IVR');
    expect(demo).toMatchObject({ channel: 'voice', publishedVersion: 1, divisionId });
    const sim = await admin.post(`/api/v1/flows/${demo.id}/simulations`, { version: 'published' });
    expect(sim.status).toBe(201);
    expect(sim.body.waiting).toMatchObject({ kind: 'digits', min: 1, max: 1 });
    expect(sim.body.outputs[0].text).toContain('欢迎致电Kefu演示中心。销售请按1，技术支持请按2，重听请按9');
    const repeat = await admin.post(`/api/v1/flow-simulations/${sim.body.id}/input`, { text: '9' });
    expect(repeat.body.outputs[0].text).toContain('Welcome to the Kefu demo');
    const two = await admin.post(`/api/v1/flow-simulations/${sim.body.id}/input`, { text: '2' });
    expect(two.body).toMatchObject({ status: 'ended', outcome: { kind: 'queue', queueId: queues.Support } });
    const session = await admin.get(`/api/v1/flow-simulations/${sim.body.id}`);
    expect(session.body.transcript.filter((t: { from: string }) => t.from === 'user').map((t: { text: string }) => t.text)).toEqual(['9', '2']);
    const stats = (await admin.get(`/api/v1/flows/${demo.id}/path-stats`)).body;
    expect(stats.find((s: { nodeId: string }) => s.nodeId === 'menu')).toMatchObject({ entered: 2, exits: { key_9: 1, key_2: 1 }, dropped: 0 });
  });
});

describe('versions', () => {
  let flowId: string;

  test('a new flow starts as a draft with a starter graph and no problems', async () => {
    const r = await admin.post('/api/v1/flows', { divisionId, name: 'Orders line', channel: 'voice' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ publishedVersion: null, problems: [] });
    flowId = r.body.id;
    expect((await admin.post('/api/v1/flows', { divisionId, name: 'Orders line', channel: 'voice' })).body.error).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });

  test('publishing a broken draft is refused with every problem listed', async () => {
    const broken = {
      start: 'menu',
      nodes: [
        { id: 'menu', type: 'menu', config: { prompt: { text: 'press' }, options: [{ digit: '1' }, { digit: '2' }] }, next: { key_1: 'q' } },
        { id: 'q', type: 'queue', config: { queueId: '99999999-9999-4999-8999-999999999999' } },
        { id: 'island', type: 'hangup', config: {} },
      ],
    };
    const saved = await admin.patch(`/api/v1/flows/${flowId}`, { graph: broken });
    expect(saved.status).toBe(200);
    expect(saved.body.problems.map((p: { code: string }) => p.code).sort()).toEqual(['missing_branch', 'unknown_queue', 'unreachable']);
    const r = await admin.post(`/api/v1/flows/${flowId}/publish`, {});
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.problems.map((p: { nodeId: string; code: string }) => `${p.code}:${p.nodeId}`).sort()).toEqual(['missing_branch:menu', 'unknown_queue:q', 'unreachable:island']);
    expect((await admin.get(`/api/v1/flows/${flowId}`)).body.publishedVersion).toBeNull();
  });

  test('a queue of another division is unknown to the flow', async () => {
    const other = (await admin.post('/api/v1/divisions', { name: 'Bank client' })).body.id;
    const q = (await admin.post('/api/v1/routing/queues', { name: 'Bank queue', divisionId: other })).body.id;
    await admin.patch(`/api/v1/flows/${flowId}`, { graph: menuFlow(q) });
    expect((await admin.post(`/api/v1/flows/${flowId}/validate`)).body.problems.map((p: { code: string }) => p.code)).toEqual(['unknown_queue']);
  });

  test('publish, change, publish again, diff, and roll back to version 1', async () => {
    await admin.patch(`/api/v1/flows/${flowId}`, { graph: menuFlow(queues.Sales!) });
    expect((await admin.post(`/api/v1/flows/${flowId}/publish`, { comment: 'first' })).body).toMatchObject({ version: 1, comment: 'first' });
    const changed = menuFlow(queues.Support!);
    changed.nodes[2]!.config = { prompt: { text: '再见 Goodbye' } };
    await admin.patch(`/api/v1/flows/${flowId}`, { graph: changed });
    const second = await admin.post(`/api/v1/flows/${flowId}/publish`);
    expect(second.body.version, JSON.stringify(second.body)).toBe(2);
    const diff = await admin.get(`/api/v1/flows/${flowId}/diff?from=1&to=2`);
    expect(diff.body).toMatchObject({ added: [], removed: [], changed: [{ nodeId: 'q', fields: ['config.queueId'] }, { nodeId: 'bye', fields: ['config.prompt'] }] });
    const back = await admin.post(`/api/v1/flows/${flowId}/rollback`, { version: 1 });
    expect(back.body).toMatchObject({ version: 3, restoredFrom: 1 });
    const flow = (await admin.get(`/api/v1/flows/${flowId}`)).body;
    expect(flow.publishedVersion).toBe(3);
    expect(flow.draft.nodes[1].config.queueId).toBe(queues.Sales);
    expect(flow.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect((await admin.get(`/api/v1/flows/${flowId}/graph?version=2`)).body.graph.nodes[1].config.queueId).toBe(queues.Support);
    expect((await admin.post(`/api/v1/flows/${flowId}/rollback`, { version: 42 })).body.error).toMatchObject({ field: 'version' });
  });

  test('the simulator runs the draft without publishing it', async () => {
    const sim = await admin.post(`/api/v1/flows/${flowId}/simulations`, {});
    const r = await admin.post(`/api/v1/flow-simulations/${sim.body.id}/input`, { text: '2' });
    expect(r.body).toMatchObject({ status: 'ended', outcome: { kind: 'hangup' }, outputs: [{ kind: 'say', text: 'Goodbye' }] });
    expect((await admin.post(`/api/v1/flow-simulations/${sim.body.id}/input`, { text: '1' })).status).toBe(400);
    const letters = await admin.post(`/api/v1/flow-simulations/${(await admin.post(`/api/v1/flows/${flowId}/simulations`, {})).body.id}/input`, { text: 'abc' });
    expect(letters.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'text' });
  });

  test('bad graphs are 400s that name the field', async () => {
    const r = await admin.patch(`/api/v1/flows/${flowId}`, { graph: { start: 'a', nodes: [{ id: 'bad id!', type: 'say' }] } });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('graph.nodes.0.id');
    expect((await admin.post('/api/v1/flows', { divisionId, name: 'x', channel: 'fax' })).body.error.field).toBe('channel');
  });
});

describe('a chat flow in the simulator', () => {
  test('buttons, collect and a hand-off to a queue', async () => {
    const graph = {
      start: 'ask',
      nodes: [
        { id: 'ask', type: 'buttons', config: { text: '请选择 How can we help?', buttons: [{ id: 'order', label: '查订单 Order' }, { id: 'human', label: '人工 Agent' }] }, next: { order: 'num', human: 'agent' } },
        { id: 'num', type: 'collect', config: { text: 'Order number?', variable: 'order', pattern: '^\\d{6}$' }, next: { next: 'agent' } },
        { id: 'agent', type: 'hand_off', config: { queueId: queues.General, text: '正在转接 {{order}}' } },
      ],
    };
    const flow = (await admin.post('/api/v1/flows', { divisionId, name: 'Web chat bot', channel: 'chat', graph })).body;
    expect(flow.problems).toEqual([]);
    const sim = (await admin.post(`/api/v1/flows/${flow.id}/simulations`, {})).body;
    expect(sim.outputs).toEqual([{ kind: 'buttons', text: '请选择 How can we help?', buttons: graph.nodes[0]!.config.buttons }]);
    expect(sim.waiting).toEqual({ kind: 'text', buttons: graph.nodes[0]!.config.buttons });
    await admin.post(`/api/v1/flow-simulations/${sim.id}/input`, { text: '查订单 Order' });
    const end = (await admin.post(`/api/v1/flow-simulations/${sim.id}/input`, { text: '123456' })).body;
    expect(end).toMatchObject({ status: 'ended', outputs: [{ kind: 'text', text: '正在转接 123456' }], outcome: { kind: 'hand_off', queueId: queues.General } });
  });
});

describe('knowledge-base self-service in a chat flow', () => {
  test("answers the customer's question with a public article and its help-center link", async () => {
    const graph = {
      start: 'q',
      nodes: [
        { id: 'q', type: 'collect', config: { text: '请问有什么问题？', variable: 'question' }, next: { next: 'kb' } },
        { id: 'kb', type: 'kb_answer', config: {}, next: { found: 'r', not_found: 'agent' } },
        { id: 'r', type: 'return' },
        { id: 'agent', type: 'hand_off', config: { queueId: queues.General } },
      ],
    };
    const flow = (await admin.post('/api/v1/flows', { divisionId, name: 'KB bot', channel: 'chat', graph })).body;
    expect(flow.problems).toEqual([]);
    const sim = (await admin.post(`/api/v1/flows/${flow.id}/simulations`, {})).body;
    const found = (await admin.post(`/api/v1/flow-simulations/${sim.id}/input`, { text: '宽带无法上网' })).body;
    expect(found.outputs[0].text).toContain('宽带无法上网怎么办');
    expect(found.outputs[0].text).toMatch(/\/help\/[a-z0-9-]+\/articles\/[0-9a-f-]{36}/);
    const sim2 = (await admin.post(`/api/v1/flows/${flow.id}/simulations`, {})).body;
    const none = (await admin.post(`/api/v1/flow-simulations/${sim2.id}/input`, { text: 'zzqx qqzv' })).body;
    expect(none.outcome).toMatchObject({ kind: 'hand_off', queueId: queues.General });
  });
});

describe('the chat-flow port (web chat)', () => {
  test('runs the published chat flow for an interaction, resumes it by interaction after a pause, and hands off', async () => {
    const graph = {
      start: 'ask',
      nodes: [
        { id: 'ask', type: 'buttons', config: { text: '需要什么帮助？', buttons: [{ id: 'agent', label: '人工客服' }] }, next: { agent: 'handoff' } },
        { id: 'handoff', type: 'hand_off', config: { queueId: queues.General, priority: 3 } },
      ],
    };
    const flow = (await admin.post('/api/v1/flows', { divisionId, name: 'Widget bot', channel: 'chat', graph })).body;
    await admin.post(`/api/v1/flows/${flow.id}/publish`);
    const tenantId = (await admin.get('/api/v1/me')).body.tenant.id;
    const interaction = await (server.kefu.modules.voice as VoiceModule).interactions.open(tenantId, { divisionId, channel: 'chat', direction: 'inbound', from: 'visitor-1', to: 'widget' });
    const chat = (server.kefu.modules.flows as FlowsModule).chat;
    const first = await chat.start(tenantId, { flowId: flow.id, interactionId: interaction.id });
    expect(first).toMatchObject({ state: 'waiting', outputs: [{ kind: 'buttons', text: '需要什么帮助？' }] });
    const sessionId = await chat.sessionOf(tenantId, interaction.id);
    expect(sessionId).toBe(first.sessionId);
    const end = await chat.input(tenantId, sessionId!, { text: '人工客服' });
    expect(end).toMatchObject({ state: 'ended', outcome: { kind: 'hand_off', queueId: queues.General, priority: 3 } });
    expect(await chat.sessionOf(tenantId, interaction.id)).toBeUndefined();
    const path = (await admin.get(`/api/v1/interactions/${interaction.id}/flow-path`)).body;
    expect(path.map((e: { nodeId: string; event: string; port: string | null }) => `${e.nodeId}:${e.event}:${e.port ?? ''}`)).toEqual(['ask:enter:', 'ask:leave:agent', 'handoff:enter:', 'handoff:leave:hand_off']);
  });
});

describe('secrets and speech', () => {
  test('secrets are write-only, and an HTTP node may name only defined ones', async () => {
    const s = await admin.post('/api/v1/flow-secrets', { name: 'crm_token', value: 'tok-very-secret' });
    expect(s.status).toBe(201);
    const list = await admin.get('/api/v1/flow-secrets');
    expect(JSON.stringify(list.body)).not.toContain('tok-very-secret');
    expect(list.body.map((x: { name: string }) => x.name)).toContain('crm_token');
    const graph = {
      start: 'h',
      nodes: [
        { id: 'h', type: 'http_request', config: { url: 'http://127.0.0.1:9/orders', headers: { Authorization: 'Bearer {{secret.crm_token}}', 'X-Other': '{{secret.nope}}' } }, next: { success: 'bye' } },
        { id: 'bye', type: 'hangup' },
      ],
    };
    const f = (await admin.post('/api/v1/flows', { divisionId, name: 'HTTP flow', channel: 'voice', graph })).body;
    expect(f.problems.map((p: { code: string; message: string }) => p.code)).toEqual(['unknown_secret']);
    expect((await admin.post('/api/v1/flow-secrets', { name: 'bad name', value: 'x' })).body.error.field).toBe('name');
    expect((await admin.delete(`/api/v1/flow-secrets/${s.body.id}`)).status).toBe(204);
  });

  test('the TTS preview is a playable WAV of the prompt (checked with sox)', async () => {
    const r = await fetch(`${server.baseUrl}/api/v1/flows/tts-preview?text=${encodeURIComponent('欢迎致电 Kefu')}&rate=16000`, { headers: { cookie: admin.cookie! } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/wav');
    const file = path.join(os.tmpdir(), `kefu-preview-${process.pid}.wav`);
    fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    const stat = spawnSync('sox', [file, '-n', 'stat'], { encoding: 'utf8' }).stderr;
    fs.rmSync(file);
    expect(Number(/Length \(seconds\):\s+([\d.]+)/.exec(stat)?.[1])).toBeGreaterThan(0.5);
    expect(Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(stat)?.[1])).toBeGreaterThan(0.02);
  });
});

describe('access', () => {
  test('agents may not see or change flows', async () => {
    const agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    expect((await agent.get('/api/v1/flows')).status).toBe(403);
    expect((await agent.post('/api/v1/flows', { divisionId, name: 'nope', channel: 'voice' })).status).toBe(403);
  });
});
