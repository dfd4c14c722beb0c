// The realtime WebSocket: authentication like HTTP, the Origin check for cookie-authenticated browsers,
// correlation ids, validation, topic permissions and delivery to a user.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RealtimeModule } from '../src/realtime/realtime.module.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';

let server: TestKefu;
let admin: TestClient;
let agent: TestClient;
const open: RealtimeClient[] = [];
const connect = async (auth: Parameters<typeof RealtimeClient.connect>[1]) => {
  const c = await RealtimeClient.connect(server.baseUrl, auth);
  open.push(c);
  return c;
};

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
});
afterAll(async () => {
  for (const c of open) await c.close();
  await server?.stop();
});

describe('realtime WebSocket', () => {
  test('refuses a connection without credentials', async () => {
    await expect(RealtimeClient.connect(server.baseUrl, {})).rejects.toMatchObject({ status: 401 });
  });

  test('refuses a cookie-authenticated browser from another site', async () => {
    await expect(RealtimeClient.connect(server.baseUrl, { cookie: agent.cookie!, origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
  });

  test('accepts a cookie-authenticated browser from this site and says who it is', async () => {
    const c = await connect({ cookie: agent.cookie!, origin: server.baseUrl });
    const me = (await agent.get('/api/v1/me')).body;
    expect(c.hello).toMatchObject({ type: 'hello', userId: me.user.id, tenantId: me.tenant.id });
  });

  test('accepts an API key', async () => {
    const key = (await admin.post('/api/v1/api-keys', { name: 'rt', scopes: ['supervisor.console'] })).body.secret;
    const c = await connect({ bearer: key });
    expect(c.hello?.userId).toBeNull();
  });

  test('answers a ping with the same correlation id', async () => {
    const c = await connect({ cookie: agent.cookie! });
    c.send({ type: 'ping', id: 'abc-1' });
    await c.until(() => true);
    expect(await c.ping()).toMatchObject({ type: 'pong' });
  });

  test('answers a malformed message with a validation error that names the field', async () => {
    const c = await connect({ cookie: agent.cookie! });
    c.send({ type: 'subscribe', id: 'x-1', topic: 'no colon here' });
    const reply = await new Promise<any>((resolve) => c.socket.once('message', (d) => resolve(JSON.parse(String(d)))));
    expect(reply).toMatchObject({ type: 'reply', id: 'x-1', ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(reply.error.message).toContain('topic');
  });

  test('does not let an agent watch queue statistics (a supervisor topic)', async () => {
    const queue = (await admin.get('/api/v1/routing/queues')).body[0];
    const c = await connect({ cookie: agent.cookie! });
    expect(await c.subscribe(`queue-stats:${queue.id}`)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  test('answers an unknown method with NOT_FOUND', async () => {
    const c = await connect({ cookie: agent.cookie! });
    expect(await c.request('no.such.method')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  test('delivers a message sent to a user on every socket of that user, and only there', async () => {
    const a = await connect({ cookie: agent.cookie! });
    const b = await connect({ cookie: agent.cookie! });
    const other = await connect({ cookie: admin.cookie! });
    const hub = (server.kefu.modules.realtime as RealtimeModule).hub;
    hub.sendToUser(a.hello!.tenantId, a.hello!.userId!, { type: 'event', name: 'test.hello', data: { n: 1 } });
    expect(await a.nextEvent('test.hello')).toEqual({ n: 1 });
    expect(await b.nextEvent('test.hello')).toEqual({ n: 1 });
    await other.ping();
    expect(other.events.filter((e) => e.name === 'test.hello')).toEqual([]);
  });

  test('a signed-out session cannot open a socket', async () => {
    const temp = await TestClient.login(server.baseUrl, 'agent2@demo.kefu', server.password);
    const cookie = temp.cookie!;
    await temp.post('/api/v1/auth/logout');
    await expect(RealtimeClient.connect(server.baseUrl, { cookie })).rejects.toMatchObject({ status: 401 });
  });
});

describe('realtime endpoint over plain HTTP', () => {
  test('a GET without an upgrade is told to use a WebSocket', async () => {
    const reply = await agent.get('/api/v1/realtime');
    expect(reply.status).toBe(426);
    expect(reply.body.error.code).toBe('UPGRADE_REQUIRED');
  });
});
