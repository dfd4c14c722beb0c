// Two routing nodes on one PostgreSQL and Debian's nats-server: one holds the tenant's router lease and the
// other forwards to it; offers reach an agent whose socket is on the other node; when the holder dies with an
// offer open, the survivor takes over within 10 s, rebuilds from the database, and the task is assigned once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ServerMessage } from '@kefu/contracts';
import { systemActor, type Actor } from '../src/platform/auth/actor.ts';
import { createTenant } from '../src/platform/tenancy/tenants.service.ts';
import { UsersService } from '../src/platform/tenancy/users.service.ts';
import { NatsFanout } from '../src/realtime/realtime.fanout.ts';
import { RealtimeHub } from '../src/realtime/realtime.hub.ts';
import { RoutingAdminService } from '../src/routing/routing-admin.service.ts';
import { RoutingEngine } from '../src/routing/routing.engine.ts';
import { RoutingService } from '../src/routing/routing.service.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startNatsServer, type TestNatsServer } from './nats-server.ts';

let nats: TestNatsServer;
let natsUrl: string;
let db: TestDatabase;
let tenantId: string;
let divisionId: string;
let system: Actor;

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  expect(await check()).toBe(true);
}

async function node() {
  const hub = new RealtimeHub(await NatsFanout.connect(natsUrl));
  hub.isSingleNode = false;
  const engine = new RoutingEngine({ database: db.database, hub });
  const service = new RoutingService(engine, { database: db.database, natsUrl, pollMs: 200, timeoutMs: 5000, onError: () => {} });
  await service.start();
  return { hub, engine, service, admin: new RoutingAdminService(db.database, service) };
}

beforeAll(async () => {
  nats = await startNatsServer();
  natsUrl = nats.url;
  db = await createTestDatabase();
  ({ tenantId, divisionId } = await db.database.withSystem(async (tx) => {
    const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Cluster', slug: 'cluster' });
    await UsersService.insert(tx, systemActor(tenant.id), { email: 'a@cluster.example', name: 'Agent', password: 'cluster-pw-123', roles: ['agent'], divisionIds: [defaultDivisionId] });
    return { tenantId: tenant.id, divisionId: defaultDivisionId };
  }));
  system = systemActor(tenantId);
});
afterAll(async () => {
  await db?.drop();
  nats?.stop();
});

test('a second node forwards to the lease holder, and takes over with no task lost or given twice when the holder dies', async () => {
  const a = await node();
  const b = await node();
  try {
    // Node A becomes the tenant's router (first use); B forwards everything to it.
    // A queue and an agent of their own per attempt, so that a retried attempt starts clean.
    const attempt = Date.now();
    const agentId = (
      await db.database.withSystem((tx) =>
        UsersService.insert(tx, system, { email: `agent-${attempt}@cluster.example`, name: 'Agent', password: 'cluster-pw-123', roles: ['agent'], divisionIds: [divisionId] }),
      )
    ).id;
    const queue = await a.admin.createQueue(system, { name: `Cluster ${attempt}`, divisionId, channels: ['voice'], acwSeconds: 0 });
    await a.admin.putMember(system, queue.id, agentId, {});
    const first = await a.service.enqueue(tenantId, { queueId: queue.id, channel: 'voice' });
    expect(a.service.routes(tenantId)).toBe(true);
    expect(b.service.routes(tenantId)).toBe(false);

    // The agent's socket is on node B.
    const inbox: ServerMessage[] = [];
    b.hub.attach({ id: 'socket', actor: { ...system, kind: 'user', userId: agentId }, topics: new Set(), send: (m) => inbox.push(m) });
    const offers = (taskId: string) => inbox.filter((m) => m.type === 'event' && m.name === 'offer' && (m.data as { taskId: string }).taskId === taskId).map((m) => (m as { data: { offerId: string } }).data);
    await b.service.setState(tenantId, agentId, 'available', null, agentId);
    await until(() => offers(first.taskId).length === 1);
    await b.service.accept(tenantId, agentId, offers(first.taskId)[0]!.offerId);
    await b.service.complete(tenantId, first.taskId);

    // A second task is offered by A; A dies before the agent answers.
    const second = await b.service.enqueue(tenantId, { queueId: queue.id, channel: 'voice' });
    await until(() => offers(second.taskId).length === 1);
    const died = Date.now();
    await a.service.stop(); // its lease connection closes, as when the process is killed
    await until(() => b.service.routes(tenantId), 10_000);
    await until(() => offers(second.taskId).length === 2, 10_000);
    const takeoverMs = Date.now() - died;
    expect(takeoverMs).toBeLessThan(10_000);

    // The stale offer of the dead router cannot be taken; the new one can, once.
    await expect(b.service.accept(tenantId, agentId, offers(second.taskId)[0]!.offerId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await b.service.accept(tenantId, agentId, offers(second.taskId)[1]!.offerId);
    const rows = await db.database.withSystem((tx) => tx.execute<{ status: string; n: number }>(sql`SELECT status, count(*)::int AS n FROM routing_tasks WHERE tenant_id = ${tenantId} AND queue_id = ${queue.id} GROUP BY status ORDER BY status`));
    expect(rows.rows).toEqual([{ status: 'assigned', n: 1 }, { status: 'completed', n: 1 }]);
  } finally {
    await a.service.stop().catch(() => {});
    await b.service.stop();
    await a.hub.close();
    await b.hub.close();
  }
});
