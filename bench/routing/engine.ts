// The full RoutingEngine on an embedded PostgreSQL: from `enqueue` to the offer delivered on the agent's hub
// connection, agents accepting and completing at once. Two runs: one task after the other (each cycle is three
// transactions: enqueue + offer, accept + agent busy, complete + agent free + next offer), and many customers at
// once (the tenant's operations overlap their commits, which PostgreSQL flushes together). Run by index.ts after
// the in-memory figures.
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

/** Customers waiting at once in the concurrent run (20 agents take 3 chats each). */
const CUSTOMERS = 50;

export async function engineFigures(tasks: number, log: (...a: unknown[]) => void) {
  const dir = await mkdtemp(path.join(tmpdir(), 'kefu-bench-routing-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  try {
    const database = await openDatabase(pg.adminUrl, SecretBox.fromHex(randomBytes(32).toString('hex')), { info: () => {}, warn: log }, 20);
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
    let onOffer: ((o: { userId: string; offerId: string; taskId: string }) => void) | undefined;
    for (const userId of agentIds) {
      hub.attach({ id: userId, actor: { ...actor, kind: 'user', userId }, topics: new Set(), send: (m: ServerMessage) => {
        if (m.type === 'event' && m.name === 'offer') {
          const d = m.data as { offerId: string; taskId: string };
          offeredAt.set(d.taskId, performance.now());
          if (onOffer) onOffer({ userId, offerId: d.offerId, taskId: d.taskId });
          else pendingOffers.push({ userId, offerId: d.offerId, taskId: d.taskId });
        }
      } });
      await engine.setState(tenantId, userId, 'available', null, null);
    }
    const pct = (values: number[], p: number) => Math.round(values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]! * 100) / 100;

    // One task after the other.
    const latencies: number[] = [];
    let started = performance.now();
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
    const sequentialSeconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);

    // Many customers at once: each waits for its offer; the agent accepts at once and completes.
    const concurrentLatencies: number[] = [];
    const cycles = new Map<string, () => void>();
    const completed = new Set<string>();
    onOffer = (o) => {
      void (async () => {
        await engine.accept(tenantId, o.userId, o.offerId);
        await engine.complete(tenantId, o.taskId);
        completed.add(o.taskId);
        cycles.get(o.taskId)?.();
      })().catch((e) => log('concurrent cycle failed', e));
    };
    let left = tasks;
    started = performance.now();
    const customer = async () => {
      while (left-- > 0) {
        const t0 = performance.now();
        const { taskId } = await engine.enqueue(tenantId, { queueId: queue.id, channel: 'chat' });
        // The whole cycle may have run before the enqueue answered.
        if (!completed.has(taskId)) await new Promise<void>((r) => cycles.set(taskId, r));
        cycles.delete(taskId);
        concurrentLatencies.push(offeredAt.get(taskId)! - t0);
      }
    };
    await Promise.all(Array.from({ length: CUSTOMERS }, customer));
    const concurrentSeconds = (performance.now() - started) / 1000;
    concurrentLatencies.sort((a, b) => a - b);
    await engine.stop();
    await database.close();
    return {
      agents: agentIds.length,
      sequential: { tasks, offered: latencies.length, enqueueToOfferMs: { p50: pct(latencies, 50), p99: pct(latencies, 99) }, taskCyclesPerSecond: Math.round(tasks / sequentialSeconds) },
      concurrent: { customers: CUSTOMERS, tasks, enqueueToOfferMs: { p50: pct(concurrentLatencies, 50), p99: pct(concurrentLatencies, 99) }, taskCyclesPerSecond: Math.round(tasks / concurrentSeconds) },
    };
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
