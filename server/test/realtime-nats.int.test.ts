// The realtime hub across two nodes over Debian's nats-server: a message for a user reaches the node that
// holds the user's socket, topic pushes reach subscribers on other nodes, and presence is cluster-wide.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ServerMessage } from '@kefu/contracts';
import { systemActor } from '../src/platform/auth/actor.ts';
import { NatsFanout } from '../src/realtime/realtime.fanout.ts';
import { RealtimeHub, type HubConnection } from '../src/realtime/realtime.hub.ts';
import { startNatsServer, type TestNatsServer } from './nats-server.ts';

let nats: TestNatsServer;
let url: string;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

beforeAll(async () => {
  nats = await startNatsServer();
  url = nats.url;
});
afterAll(() => nats?.stop());

const tenantId = '00000000-0000-4000-8000-000000000001';
const connection = (userId: string, inbox: ServerMessage[], permissions: string[] = []): HubConnection => ({
  id: `${userId}-socket`,
  actor: { ...systemActor(tenantId), kind: 'user', userId, permissions: new Set(permissions) as never },
  topics: new Set(),
  send: (m) => inbox.push(m),
});

test('a user’s messages, topic pushes and presence cross nodes', async () => {
  const nodeA = new RealtimeHub(await NatsFanout.connect(url));
  const nodeB = new RealtimeHub(await NatsFanout.connect(url));
  nodeA.isSingleNode = nodeB.isSingleNode = false;
  try {
    const presence: string[] = [];
    nodeA.onPresence((_t, userId, online) => presence.push(`${userId}:${online ? 'on' : 'off'}`));
    nodeB.topic('queue-stats', { authorize: () => true });
    const agentInbox: ServerMessage[] = [];
    const supervisorInbox: ServerMessage[] = [];
    const agent = connection('agent-1', agentInbox);
    const supervisor = connection('supervisor-1', supervisorInbox);
    await new Promise((r) => setTimeout(r, 100)); // subscriptions reach the server
    nodeB.attach(agent);
    nodeB.attach(supervisor);
    expect(await nodeB.handle(supervisor, { type: 'subscribe', id: '1', topic: 'queue-stats:q1' })).toMatchObject({ ok: true });
    await until(() => nodeA.isOnline(tenantId, 'agent-1'));

    nodeA.sendToUser(tenantId, 'agent-1', { type: 'event', name: 'offer', data: { offerId: 'o1' } });
    nodeA.publishTopic(tenantId, 'queue-stats:q1', { type: 'event', name: 'queue.stats', topic: 'queue-stats:q1', data: { waiting: 3 } });
    await until(() => agentInbox.length === 1 && supervisorInbox.length === 1);
    expect(agentInbox[0]).toMatchObject({ name: 'offer', data: { offerId: 'o1' } });
    expect(supervisorInbox[0]).toMatchObject({ name: 'queue.stats', data: { waiting: 3 } });

    nodeB.detach(agent);
    await until(() => presence.includes('agent-1:off'));
    expect(nodeA.isOnline(tenantId, 'agent-1')).toBe(false);
  } finally {
    await nodeA.close();
    await nodeB.close();
  }
});
