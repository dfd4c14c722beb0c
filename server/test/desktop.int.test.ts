// The agent desktop's server side over the real server: the agent's desk lists assigned work, the screen pop reads
// an offered task before it is answered, and the wrap-up (code from the queue's list, notes, first-contact
// resolution) is saved once and completes the task.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';

let server: TestKefu;
let admin: TestClient;
let agent: TestClient;
let other: TestClient;
let agentId: string;
let divisionId: string;
const open: RealtimeClient[] = [];
let queueSeq = 0;

async function queueWith(wrapupCodes: { code: string; label: string }[]) {
  const q = await admin.post('/api/v1/routing/queues', { name: `Desk ${++queueSeq} ${Date.now()}`, divisionId, channels: ['voice', 'chat'], acwSeconds: 0, wrapupCodes });
  expect(q.status, JSON.stringify(q.body)).toBe(201);
  expect((await admin.request('PUT', `/api/v1/routing/queues/${q.body.id}/members/${agentId}`, {})).status).toBe(200);
  return q.body.id as string;
}

/** The agent goes available, a task arrives, the agent sees its screen pop and accepts it. */
async function assignedTask(queueId: string) {
  const rt = await RealtimeClient.connect(server.baseUrl, { cookie: agent.cookie! });
  open.push(rt);
  expect(await rt.request('agent.set_state', { state: 'available' })).toMatchObject({ ok: true });
  const enq = await admin.post('/api/v1/routing/tasks', { queueId, channel: 'chat', attributes: { from: '+8613800138000', subject: '退款 refund' } });
  expect(enq.status, JSON.stringify(enq.body)).toBe(201);
  const offer = await rt.nextEvent('offer', (d) => d.taskId === enq.body.taskId);
  // Before answering, the offered agent may read the task for the screen pop; another agent may not.
  const pop = await agent.get(`/api/v1/desktop/tasks/${offer.taskId}`);
  expect(pop.status, JSON.stringify(pop.body)).toBe(200);
  expect(pop.body).toMatchObject({ status: 'offered', attributes: { subject: '退款 refund' } });
  expect((await other.get(`/api/v1/desktop/tasks/${offer.taskId}`)).status).toBe(403);
  expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
  return offer.taskId as string;
}

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
  other = await TestClient.login(server.baseUrl, 'agent2@demo.kefu', server.password);
  agentId = (await agent.get('/api/v1/me')).body.user.id;
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  for (let i = 0; i < 100 && (await agent.get('/api/v1/routing/me')).body.state !== 'offline'; i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => server?.stop());

describe('agent desk and wrap-up', () => {
  test('the desk lists the assigned task; the wrap-up needs one of the queue codes, is saved once and completes the task', async () => {
    const queueId = await queueWith([{ code: 'refunded', label: '已退款' }, { code: 'follow_up', label: '需跟进' }]);
    const taskId = await assignedTask(queueId);
    const desk = await agent.get('/api/v1/desktop/work');
    expect(desk.body.items.map((t: { id: string }) => t.id)).toContain(taskId);
    expect(desk.body.items.find((t: { id: string }) => t.id === taskId)).toMatchObject({
      status: 'assigned', channel: 'chat', wrapup: null, wrapupCodes: [{ code: 'follow_up', label: '需跟进' }, { code: 'refunded', label: '已退款' }],
    });

    // Another agent cannot wrap up someone else's task; the code is required here and must be on the list.
    expect((await other.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { code: 'refunded' })).status).toBe(403);
    const missing = await agent.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { notes: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('code');
    const unknown = await agent.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { code: 'paid' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ field: 'code' });
    expect(unknown.body.error.message).toContain('refunded');
    const tooLong = await agent.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { code: 'refunded', notes: 'x'.repeat(4001) });
    expect(tooLong.status).toBe(400);

    const saved = await agent.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { code: 'refunded', notes: '客户已收到退款', resolvedFirstContact: true });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body).toMatchObject({ status: 'completed', wrapup: { code: 'refunded', notes: '客户已收到退款', resolvedFirstContact: true } });
    expect((await admin.get(`/api/v1/routing/tasks/${taskId}`)).body.status).toBe('completed');
    expect((await agent.get('/api/v1/routing/me')).body.tasks).not.toContain(taskId);
    expect((await agent.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { code: 'refunded' })).status).toBe(409);
    expect((await agent.get('/api/v1/desktop/work')).body.items.map((t: { id: string }) => t.id)).not.toContain(taskId);
  });

  test('work that ended before its wrap-up waits on the desk; a queue without codes takes none', async () => {
    const queueId = await queueWith([]);
    const taskId = await assignedTask(queueId);
    // The call ended (the voice service completes the task at hangup): the wrap-up is still owed.
    expect((await admin.post(`/api/v1/routing/tasks/${taskId}/complete`)).status).toBe(200);
    const waiting = (await agent.get('/api/v1/desktop/work')).body.items.find((t: { id: string }) => t.id === taskId);
    expect(waiting).toMatchObject({ status: 'completed', wrapup: null, wrapupCodes: [] });
    expect((await agent.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { code: 'anything' })).body.error.field).toBe('code');
    const saved = await agent.post(`/api/v1/desktop/tasks/${taskId}/wrap-up`, { notes: 'ok', resolvedFirstContact: false });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.wrapup).toMatchObject({ code: null, resolvedFirstContact: false });
  });

  test('the directory lists colleagues of every department with their state, and the queues, without emails', async () => {
    const dir = await agent.get('/api/v1/desktop/directory');
    expect(dir.status, JSON.stringify(dir.body)).toBe(200);
    const names = dir.body.people.map((p: { name: string }) => p.name);
    expect(names.length).toBeGreaterThanOrEqual(4);
    // Not the agent themselves; colleagues carry a state and their departments, never an email.
    expect(dir.body.people.map((p: { userId: string }) => p.userId)).not.toContain(agentId);
    expect(dir.body.people[0]).toEqual({ userId: expect.any(String), name: expect.any(String), departments: expect.any(String), state: expect.any(String), extension: expect.toBeOneOf([null, expect.any(String)]) });
    expect(JSON.stringify(dir.body)).not.toContain('@demo.kefu');
    expect(dir.body.queues.length).toBeGreaterThan(0);
    expect(dir.body.queues[0]).toEqual({ id: expect.any(String), name: expect.any(String), department: expect.any(String) });
  });

  test('a task that is still waiting cannot be wrapped up, and API keys have no desk', async () => {
    const queueId = await queueWith([]);
    const enq = await admin.post('/api/v1/routing/tasks', { queueId, channel: 'chat' });
    // Nobody is available: the task waits; it was never assigned to this agent.
    expect((await agent.post(`/api/v1/desktop/tasks/${enq.body.taskId}/wrap-up`, {})).status).toBe(403);
    const key = await admin.post('/api/v1/api-keys', { name: `desk ${Date.now()}`, scopes: ['agent.desktop'] });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    const res = await fetch(`${server.baseUrl}/api/v1/desktop/work`, { headers: { authorization: `Bearer ${key.body.secret}` } });
    expect(res.status).toBe(403);
  });
});
