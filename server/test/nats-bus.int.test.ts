// The NATS bus against Debian's nats-server, as the multi-node deployment uses it: two Kefu nodes' buses on one
// server see each other's events.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { EventEnvelope } from '@kefu/contracts';
import { freePort } from '../src/platform/db/embedded-postgres.ts';
import { NatsBus } from '../src/platform/events/nats-bus.ts';

let server: ChildProcess;
let url: string;

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nats-server did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const port = await freePort();
  server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  url = `nats://127.0.0.1:${port}`;
  await waitForPort(port);
});
afterAll(() => {
  server?.kill('SIGTERM');
});

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
