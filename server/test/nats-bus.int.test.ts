// The NATS bus against Debian's nats-server, as the multi-node deployment uses it: two Kefu nodes' buses on one
// server see each other's events.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EventEnvelope } from '@kefu/contracts';
import { NatsBus } from '../src/platform/events/nats-bus.ts';
import { startNatsServer, type TestNatsServer } from './nats-server.ts';

let nats: TestNatsServer;
let url: string;

beforeAll(async () => {
  nats = await startNatsServer();
  url = nats.url;
});
afterAll(() => nats?.stop());

test('an event published on one node reaches a matching subscriber on another node', async () => {
  const nodeA = await NatsBus.connect(url);
  const nodeB = await NatsBus.connect(url);
  const received: EventEnvelope[] = [];
  nodeB.subscribe('user.*', (e) => {
    received.push(e);
  });
  nodeB.subscribe('division.*', () => {
    throw new Error('must not be called for user events');
  });
  await nodeB.flush();
  const event = {
    id: crypto.randomUUID(),
    type: 'user.created',
    tenantId: crypto.randomUUID(),
    occurredAt: new Date().toISOString(),
    data: { userId: crypto.randomUUID(), email: '坐席@demo.kefu', name: '坐席', roles: ['agent'] },
  } as EventEnvelope;
  await nodeA.publish(event);
  await nodeA.flush();
  const until = Date.now() + 5000;
  while (received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(received).toEqual([event]);
  await nodeA.close();
  await nodeB.close();
});

test('a Kefu server with NATS_URL publishes its committed events on NATS for the other nodes', async () => {
  const { startKefu } = await import('./kefu-server.ts');
  const { TestClient } = await import('./http-client.ts');
  const kefu = await startKefu({ env: { NATS_URL: url } });
  const otherNode = await NatsBus.connect(url);
  try {
    const received: EventEnvelope[] = [];
    otherNode.subscribe('division.created', (e) => {
      received.push(e);
    });
    await otherNode.flush();
    const admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
    const created = await admin.post('/api/v1/divisions', { name: '银行甲 Bank A' });
    const until = Date.now() + 10_000;
    while (received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(received.map((e) => e.data)).toEqual([{ divisionId: created.body.id, name: '银行甲 Bank A' }]);
  } finally {
    await otherNode.close();
    await kefu.stop();
  }
});
