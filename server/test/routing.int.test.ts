// Routing through the real server: queue administration, agents answering offers over the WebSocket,
// re-offer after a reject or a disconnect, exactly one winner for ring-all, callbacks keeping their place,
// and supervisor statistics per queue and per agent pushed every second.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { RoutingModule } from '../src/routing/routing.module.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';

let server: TestKefu;
let admin: TestClient;
let supervisor: TestClient;
const agents: TestClient[] = [];
const agentIds: string[] = [];
let divisionId: string;
const open: RealtimeClient[] = [];
const connect = async (c: TestClient) => {
  const rt = await RealtimeClient.connect(server.baseUrl, { cookie: c.cookie! });
  open.push(rt);
  return rt;
};

async function queueWith(name: string, members: number[], extra: Record<string, unknown> = {}) {
  const q = await admin.post('/api/v1/routing/queues', { name, divisionId, channels: ['voice', 'chat'], acwSeconds: 0, ...extra });
  expect(q.status, JSON.stringify(q.body)).toBe(201);
  for (const i of members) expect((await admin.request('PUT', `/api/v1/routing/queues/${q.body.id}/members/${agentIds[i]}`, {})).status).toBe(200);
  return q.body as { id: string };
}
const enqueue = async (queueId: string, body: Record<string, unknown> = {}) => {
  const r = await admin.post('/api/v1/routing/tasks', { queueId, channel: 'voice', ...body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { taskId: string; position: number | null; estimatedWaitSeconds: number | null };
};
const setState = async (rt: RealtimeClient, state: string) => expect(await rt.request('agent.set_state', { state })).toMatchObject({ ok: true });

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  supervisor = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
  for (const n of [1, 2, 3]) {
    const c = await TestClient.login(server.baseUrl, `agent${n}@demo.kefu`, server.password);
    agents.push(c);
    agentIds.push((await c.get('/api/v1/me')).body.user.id);
  }
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
});
// Every test starts with no sockets and every agent offline (a closed last socket signs the agent out).
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
  for (const c of agents) {
    for (let i = 0; i < 100 && (await c.get('/api/v1/routing/me')).body.state !== 'offline'; i++) await new Promise((r) => setTimeout(r, 50));
  }
});
afterAll(async () => server?.stop());

describe('routing administration', () => {
  test('an admin creates a queue with its rules and reads it back', async () => {
    const target = await queueWith('Overflow target', []);
    const created = await admin.post('/api/v1/routing/queues', {
      name: 'Billing',
      divisionId,
      channels: ['voice', 'chat', 'email'],
      strategy: 'best_skill',
      serviceLevelSeconds: 30,
      serviceLevelTarget: 0.9,
      maxWaitSeconds: 600,
      overflow: [{ afterSeconds: 60, action: 'relax_skills', by: 1 }, { afterSeconds: 120, action: 'queue', queueId: target.id }],
      priorityRules: [{ attribute: 'vip', equals: true, boost: 50 }],
      agingPerMinute: 1,
      acwSeconds: 45,
      callbacksOffered: true,
      wrapupCodes: [{ code: 'paid', label: '已付款 Paid' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const read = await admin.get(`/api/v1/routing/queues/${created.body.id}`);
    expect(read.body).toMatchObject({ name: 'Billing', strategy: 'best_skill', serviceLevelTarget: 0.9, acwSeconds: 45, wrapupCodes: [{ code: 'paid', label: '已付款 Paid' }] });
    expect(read.body.overflow[1]).toEqual({ afterSeconds: 120, action: 'queue', queueId: target.id });
  });

  test('an unknown field or strategy is a 400 that names the field', async () => {
    const r = await admin.post('/api/v1/routing/queues', { name: 'X', divisionId, colour: 'red' });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('colour');
    const s = await admin.post('/api/v1/routing/queues', { name: 'Y', divisionId, strategy: 'telepathy' });
    expect(s.status).toBe(400);
    expect(s.body.error.field).toBe('strategy');
  });

  test('an agent cannot configure queues', async () => {
    expect((await agents[0]!.post('/api/v1/routing/queues', { name: 'Mine', divisionId })).status).toBe(403);
  });

  test('an admin sets an agent profile: capacity, call-blocks-chats and skills', async () => {
    const r = await admin.patch(`/api/v1/routing/agents/${agentIds[2]}`, { capacity: { voice: 1, chat: 2 }, callBlocksChats: false, skills: { billing: 4 } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ capacity: { voice: 1, chat: 2 }, callBlocksChats: false, skills: { billing: 4 } });
  });

  test('skills and away reasons are named lists', async () => {
    const skill = await admin.post('/api/v1/routing/skills', { name: 'cantonese' });
    expect(skill.status).toBe(201);
    expect((await admin.post('/api/v1/routing/skills', { name: 'cantonese' })).status).toBe(409);
    const reasons = (await agents[0]!.get('/api/v1/routing/away-reasons')).body.map((r: { name: string }) => r.name);
    expect(reasons).toEqual(expect.arrayContaining(['用餐 Meal', '培训 Training', '会议 Meeting']));
  });
});

describe('offers', () => {
  test('an available agent is offered a task, accepts it, and the task is assigned to them', async () => {
    const queue = await queueWith('Accept', [0]);
    const rt = await connect(agents[0]!);
    await setState(rt, 'available');
    const { taskId } = await enqueue(queue.id);
    const offer = await rt.nextEvent('offer', (d) => d.taskId === taskId);
    expect(offer).toMatchObject({ queueId: queue.id, channel: 'voice', queueName: 'Accept' });
    expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true, result: { taskId } });
    expect((await admin.get(`/api/v1/routing/tasks/${taskId}`)).body).toMatchObject({ status: 'assigned', assignedAgentId: agentIds[0] });
    expect((await agents[0]!.get('/api/v1/routing/me')).body).toMatchObject({ state: 'busy', tasks: [taskId] });
    // The same offer cannot be accepted twice.
    expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await admin.post(`/api/v1/routing/tasks/${taskId}/complete`)).body).toMatchObject({ status: 'completed' });
    expect((await agents[0]!.get('/api/v1/routing/me')).body.state).toBe('available');
    const history = (await supervisor.get(`/api/v1/routing/agents/${agentIds[0]}/history`)).body.map((h: { state: string }) => h.state);
    expect(history.slice(0, 3)).toEqual(['available', 'busy', 'available']);
  });

  test('a rejected offer goes to the next agent, and the task keeps its place', async () => {
    const queue = await queueWith('Reject', [0, 1]);
    const [a, b] = [await connect(agents[0]!), await connect(agents[1]!)];
    await setState(a, 'available');
    const { taskId } = await enqueue(queue.id);
    const first = await a.nextEvent('offer', (d) => d.taskId === taskId);
    await setState(b, 'available');
    expect(await a.request('offer.reject', { offerId: first.offerId })).toMatchObject({ ok: true });
    const second = await b.nextEvent('offer', (d) => d.taskId === taskId);
    expect(second.offerId).not.toBe(first.offerId);
    expect(await b.request('offer.accept', { offerId: second.offerId })).toMatchObject({ ok: true });
    await admin.post(`/api/v1/routing/tasks/${taskId}/complete`);
  });

  test('an agent who disconnects mid-offer loses it to another agent; the task is not lost', async () => {
    const queue = await queueWith('Disconnect', [0, 1]);
    const a = await connect(agents[0]!);
    await setState(a, 'available');
    const { taskId } = await enqueue(queue.id);
    await a.nextEvent('offer', (d) => d.taskId === taskId);
    const b = await connect(agents[1]!);
    await setState(b, 'available');
    await a.close();
    const offer = await b.nextEvent('offer', (d) => d.taskId === taskId);
    expect(await b.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
    expect((await agents[0]!.get('/api/v1/routing/me')).body.state).toBe('offline');
    await admin.post(`/api/v1/routing/tasks/${taskId}/complete`);
  });

  test('ring-all offers everyone and exactly one of two simultaneous accepts wins', async () => {
    const queue = await queueWith('Ring all', [0, 1, 2], { strategy: 'ring_all' });
    const sockets = [await connect(agents[0]!), await connect(agents[1]!), await connect(agents[2]!)];
    for (const s of sockets) await setState(s, 'available');
    const { taskId } = await enqueue(queue.id);
    const offers = await Promise.all(sockets.map((s) => s.nextEvent('offer', (d) => d.taskId === taskId)));
    expect(new Set(offers.map((o) => o.offerId)).size).toBe(1);
    const replies = await Promise.all([sockets[0]!.request('offer.accept', { offerId: offers[0].offerId }), sockets[1]!.request('offer.accept', { offerId: offers[1].offerId })]);
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => !r.ok)[0]).toMatchObject({ error: { code: 'CONFLICT' } });
    const winner = replies[0]!.ok ? 0 : 1;
    expect((await admin.get(`/api/v1/routing/tasks/${taskId}`)).body.assignedAgentId).toBe(agentIds[winner]);
    expect(await sockets[2]!.nextEvent('offer.revoked', (d) => d.taskId === taskId)).toMatchObject({ reason: 'taken' });
    await admin.post(`/api/v1/routing/tasks/${taskId}/complete`);
  });

  test('a caller who asks for a callback keeps their place ahead of later callers', async () => {
    const queue = await queueWith('Callbacks', [0], { callbacksOffered: true });
    const first = await enqueue(queue.id);
    const second = await enqueue(queue.id);
    expect([first.position, second.position]).toEqual([1, 2]);
    const cb = await admin.post(`/api/v1/routing/tasks/${first.taskId}/callback`, { number: '+8613800000000' });
    expect(cb.status, JSON.stringify(cb.body)).toBe(200);
    const rt = await connect(agents[0]!);
    const assigned = new Promise<any>((resolve) => (server.kefu.modules.routing as RoutingModule).service.events.once('task.assigned', resolve));
    await setState(rt, 'available');
    const offer = await rt.nextEvent('offer', (d) => d.queueId === queue.id);
    expect(offer.channel).toBe('callback');
    await rt.request('offer.accept', { offerId: offer.offerId });
    expect(await assigned).toMatchObject({ channel: 'callback', callbackNumber: '+8613800000000' });
    expect((await admin.get(`/api/v1/routing/tasks/${second.taskId}`)).body).toMatchObject({ status: 'queued', position: 1 });
    await admin.post(`/api/v1/routing/tasks/${offer.taskId}/complete`);
    await admin.post(`/api/v1/routing/tasks/${second.taskId}/cancel`, {});
  });

  test('a supervisor subscribed to a queue receives its statistics every second', async () => {
    const queue = await queueWith('Stats', [0]);
    const { taskId } = await enqueue(queue.id);
    const rt = await connect(supervisor);
    expect(await rt.subscribe(`queue-stats:${queue.id}`)).toMatchObject({ ok: true });
    const stats = await rt.nextEvent('queue.stats', (d) => d.queueId === queue.id, 5000);
    expect(stats).toMatchObject({ waiting: 1, offeredToday: 1, answeredToday: 0 });
    expect(stats.agentsByState.offline).toBe(1);
    const again = await rt.nextEvent('queue.stats', (d) => d.queueId === queue.id, 5000);
    expect(Date.parse(again.at)).toBeGreaterThan(Date.parse(stats.at));
    await admin.post(`/api/v1/routing/tasks/${taskId}/cancel`, {});
  });

  test('per-agent figures are pushed every second to the agent and the queue’s supervisors, and written as interval facts', async () => {
    const queue = await queueWith('Agent stats', [0]);
    const sup = await connect(supervisor);
    expect(await sup.subscribe(`agent-stats:${agentIds[0]}`)).toMatchObject({ ok: true });
    expect(await sup.subscribe(`queue-agents:${queue.id}`)).toMatchObject({ ok: true });
    const rt = await connect(agents[0]!);
    // An agent sees their own figures, not a colleague's.
    expect(await rt.subscribe(`agent-stats:${agentIds[0]}`)).toMatchObject({ ok: true });
    expect(await rt.subscribe(`agent-stats:${agentIds[1]}`)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await setState(rt, 'available');
    const { taskId } = await enqueue(queue.id);
    const offer = await rt.nextEvent('offer', (d) => d.taskId === taskId);
    expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
    const busy = await sup.nextEvent('agent.stats', (d) => d.userId === agentIds[0] && d.state === 'busy');
    expect(busy).toMatchObject({ work: [{ taskId, queueId: queue.id, channel: 'voice' }], offersOpen: 0 });
    expect(busy.today.answered).toBeGreaterThanOrEqual(1);
    expect(busy.secondsInState).toBeGreaterThanOrEqual(0);
    const own = await rt.nextEvent('agent.stats', (d) => d.userId === agentIds[0] && d.state === 'busy');
    expect(own.work).toHaveLength(1);
    const members = await sup.nextEvent('queue.agents', (d) => d.queueId === queue.id && d.agents[0]?.state === 'busy');
    expect(members.agents.map((a: { userId: string }) => a.userId)).toEqual([agentIds[0]]);
    await admin.post(`/api/v1/routing/tasks/${taskId}/complete`);
    const free = await sup.nextEvent('agent.stats', (d) => d.userId === agentIds[0] && d.state === 'available' && d.work.length === 0);
    expect(free.today.handled).toBeGreaterThanOrEqual(1);
    expect(free.today.averageHandleSeconds).not.toBeNull();
    // The per-second pass writes the agent's facts for historical reports.
    const facts = async () =>
      (
        await server.kefu.database.withSystem((tx) =>
          tx.execute<{ answered: number; handled: number }>(sql`SELECT coalesce(sum(answered), 0)::int AS answered, coalesce(sum(handled), 0)::int AS handled FROM routing_agent_interval_facts WHERE user_id = ${agentIds[0]}`),
        )
      ).rows[0]!;
    for (let i = 0; i < 100 && (await facts()).handled < free.today.handled; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await facts()).toEqual({ answered: free.today.answered, handled: free.today.handled });
  });
});
