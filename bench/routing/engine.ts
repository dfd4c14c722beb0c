// The full RoutingEngine on an embedded PostgreSQL: from `enqueue` to the offer delivered on the agent's hub
// connection (one INSERT and one conditional UPDATE, each its own transaction), agents accepting and completing
// at once. Run by index.ts after the in-memory figures.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ServerMessage } from '@kefu/contracts';
import { systemActor } from '../../server/src/platform/auth/actor.ts';
import { SecretBox } from '../../server/src/platform/crypto/secret-box.ts';
import { startEmbeddedPostgres } from '../../server/src/platform/db/embedded-postgres.ts';
import { openDatabase } from '../../server/src/platform/db/open-database.ts';
import { createTenant } from '../../server/src/platform/tenancy/tenants.service.ts';
import { UsersService } from '../../server/src/platform/tenancy/users.service.ts';
import { InProcessFanout } from '../../server/src/realtime/realtime.fanout.ts';
import { RealtimeHub } from '../../server/src/realtime/realtime.hub.ts';
import { RoutingAdminService } from '../../server/src/routing/routing-admin.service.ts';
import { RoutingEngine } from '../../server/src/routing/routing.engine.ts';

export async function engineFigures(tasks: number, log: (...a: unknown[]) => void) {
  const dir = await mkdtemp(path.join(tmpdir(), 'kefu-bench-routing-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  try {
    const database = await openDatabase(pg.adminUrl, SecretBox.fromHex(randomBytes(32).toString('hex')), { info: () => {}, warn: log }, 8);
    const { tenantId, divisionId, agentIds } = await database.withSystem(async (tx) => {
      const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Bench', slug: 'bench' });
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const u = await UsersService.insert(tx, systemActor(tenant.id), { email: `a${i}@bench.example`, name: `A${i}`, password: 'bench-password-1', roles: ['agent'], divisionIds: [defaultDivisionId] });
        ids.push(u.id);
      }
      return { tenantId: tenant.id, divisionId: defaultDivisionId, agentIds: ids };
    });
    const actor = systemActor(tenantId);
    const hub = new RealtimeHub(new InProcessFanout());
    const engine = new RoutingEngine({ database, hub });
    const admin = new RoutingAdminService(database, engine);
    const queue = await admin.createQueue(actor, { name: 'Bench', divisionId, channels: ['chat'], acwSeconds: 0 });
    for (const id of agentIds) await admin.putMember(actor, queue.id, id, {});
    const offeredAt = new Map<string, number>();
    const pendingOffers: { userId: string; offerId: string; taskId: string }[] = [];
    for (const userId of agentIds) {
      hub.attach({ id: userId, actor: { ...actor, kind: 'user', userId }, topics: new Set(), send: (m: ServerMessage) => {
        if (m.type === 'event' && m.name === 'offer') {
          const d = m.data as { offerId: string; taskId: string };
          offeredAt.set(d.taskId, performance.now());
          pendingOffers.push({ userId, offerId: d.offerId, taskId: d.taskId });
        }
      } });
      await engine.setState(tenantId, userId, 'available', null, null);
    }
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < tasks; i++) {
      const t0 = performance.now();
      const { taskId } = await engine.enqueue(tenantId, { queueId: queue.id, channel: 'chat' });
      const at = offeredAt.get(taskId);
      if (at !== undefined) latencies.push(at - t0);
      // Agents answer at once and finish, so capacity is free again.
      for (const o of pendingOffers.splice(0)) {
        await engine.accept(tenantId, o.userId, o.offerId);
        await engine.complete(tenantId, o.taskId);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    await engine.stop();
    await database.close();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 100) / 100;
    return { tasks, offered: latencies.length, enqueueToOfferMs: { p50: pct(50), p99: pct(99) }, tasksPerSecondEnqueueOfferAcceptComplete: Math.round(tasks / seconds) };
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
