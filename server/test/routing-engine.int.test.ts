// The routing engine against a real database with a virtual clock: offer timeouts (missed, re-offer),
// after-call work, maximum wait, a restart that reloads tasks, two overlapping routers that must not assign one
// task twice, operations arriving together sharing one commit, and a router whose memory went stale.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ServerMessage } from '@kefu/contracts';
import { systemActor, type Actor } from '../src/platform/auth/actor.ts';
import { createTenant } from '../src/platform/tenancy/tenants.service.ts';
import { UsersService } from '../src/platform/tenancy/users.service.ts';
import { InProcessFanout } from '../src/realtime/realtime.fanout.ts';
import { RealtimeHub } from '../src/realtime/realtime.hub.ts';
import { RoutingAdminService } from '../src/routing/routing-admin.service.ts';
import { RoutingEngine, type Clock } from '../src/routing/routing.engine.ts';
import type { Database } from '../src/platform/db/database.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

class VirtualClock implements Clock {
  t = Date.now();
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

let db: TestDatabase;
let tenantId: string;
let system: Actor;
const agentIds: string[] = [];
const inbox = new Map<string, ServerMessage[]>();
const settle = () => new Promise((r) => setTimeout(r, 0));

function setup(clock = new VirtualClock(), database: Database = db.database) {
  const hub = new RealtimeHub(new InProcessFanout());
  const engine = new RoutingEngine({ database, hub, clock, random: () => 0.5 });
  for (const userId of agentIds) {
    hub.attach({ id: userId, actor: { ...system, kind: 'user', userId }, topics: new Set(), send: (m) => inbox.get(userId)!.push(m) });
  }
  return { clock, hub, engine, admin: new RoutingAdminService(db.database, engine) };
}
const offersTo = (userId: string, taskId: string) =>
  inbox.get(userId)!.filter((m): m is Extract<ServerMessage, { type: 'event' }> => m.type === 'event' && m.name === 'offer' && (m.data as { taskId: string }).taskId === taskId).map((m) => m.data as { offerId: string });
/** Waits for the engine's queued work (timers fire callbacks that run asynchronously). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await check()).toBe(true);
}
const taskRow = async (id: string) =>
  (await db.database.withSystem((tx) => tx.execute<{ status: string; assigned_agent_id: string | null; end_reason: string | null }>(sql`SELECT status, assigned_agent_id, end_reason FROM routing_tasks WHERE id = ${id}`))).rows[0]!;

let divisionId: string;
let queueCounter = 0;
async function queueFor(admin: RoutingAdminService, members: number[], extra: Record<string, unknown> = {}) {
  const q = await admin.createQueue(system, { name: `Q${++queueCounter}`, divisionId, channels: ['voice', 'chat'], acwSeconds: 0, offerTimeoutSeconds: 20, ...extra });
  for (const i of members) await admin.putMember(system, q.id, agentIds[i]!, {});
  return q.id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  ({ tenantId, divisionId } = await db.database.withSystem(async (tx) => {
    const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Routing engine', slug: 'routing-engine' });
    for (const n of [1, 2]) {
      const u = await UsersService.insert(tx, systemActor(tenant.id), { email: `a${n}@engine.example`, name: `Agent ${n}`, password: 'engine-pw-123', roles: ['agent'], divisionIds: [defaultDivisionId] });
      agentIds.push(u.id);
      inbox.set(u.id, []);
    }
    return { tenantId: tenant.id, divisionId: defaultDivisionId };
  }));
  system = systemActor(tenantId);
});
afterAll(async () => db?.drop());

describe('routing engine', () => {
  test('an offer nobody answers within the timeout makes the agent missed and goes to the next agent', async () => {
    const { engine, admin, clock } = setup();
    const queueId = await queueFor(admin, [0, 1]);
    await engine.setState(tenantId, agentIds[0]!, 'available', null, null);
    const { taskId } = await engine.enqueue(tenantId, { queueId, channel: 'voice' });
    expect(offersTo(agentIds[0]!, taskId)).toHaveLength(1);
    await engine.setState(tenantId, agentIds[1]!, 'available', null, null);
    clock.advance(20_000);
    await until(() => offersTo(agentIds[1]!, taskId).length === 1);
    expect((await engine.agentView(tenantId, agentIds[0]!)).state).toBe('missed');
    const history = (await admin.stateHistory(system, agentIds[0]!)).map((h) => (h as { state: string }).state);
    expect(history[0]).toBe('missed');
    await engine.accept(tenantId, agentIds[1]!, offersTo(agentIds[1]!, taskId)[0]!.offerId);
    expect(await taskRow(taskId)).toMatchObject({ status: 'assigned', assigned_agent_id: agentIds[1] });
    await engine.complete(tenantId, taskId);
    for (const id of agentIds) await engine.setState(tenantId, id, 'offline', null, null);
    await engine.stop();
  });

  test('after-call work ends by itself when its timer runs out', async () => {
    const { engine, admin, clock } = setup();
    const queueId = await queueFor(admin, [0], { acwSeconds: 30 });
    await engine.setState(tenantId, agentIds[0]!, 'available', null, null);
    const { taskId } = await engine.enqueue(tenantId, { queueId, channel: 'chat' });
    await engine.accept(tenantId, agentIds[0]!, offersTo(agentIds[0]!, taskId)[0]!.offerId);
    await engine.complete(tenantId, taskId);
    expect((await engine.agentView(tenantId, agentIds[0]!)).state).toBe('acw');
    clock.advance(29_000);
    await settle();
    expect((await engine.agentView(tenantId, agentIds[0]!)).state).toBe('acw');
    clock.advance(1_000);
    await until(async () => (await engine.agentView(tenantId, agentIds[0]!)).state === 'available');
    await engine.setState(tenantId, agentIds[0]!, 'offline', null, null);
    await engine.stop();
  });

  test('a task past the queue’s maximum wait expires and is counted as abandoned', async () => {
    const { engine, admin, clock } = setup();
    const queueId = await queueFor(admin, [0], { maxWaitSeconds: 60 });
    const { taskId } = await engine.enqueue(tenantId, { queueId, channel: 'voice' });
    clock.advance(61_000);
    await engine.dispatch(await engine.tenant(tenantId));
    expect(await taskRow(taskId)).toMatchObject({ status: 'expired', end_reason: 'max_wait' });
    expect((await engine.queueStats(tenantId, queueId)).abandonedToday).toBe(1);
    await engine.stop();
  });

  test('after a restart the waiting and offered tasks are reloaded and offered again; ended calls are dropped', async () => {
    const first = setup();
    const queueId = await queueFor(first.admin, [0]);
    const waiting = await first.engine.enqueue(tenantId, { queueId, channel: 'chat', externalRef: 'chat-1' });
    first.clock.advance(1000); // the chat is first in line (a call ahead of it would block chats)
    const gone = await first.engine.enqueue(tenantId, { queueId, channel: 'voice', externalRef: 'call-that-ended' });
    await first.engine.setState(tenantId, agentIds[0]!, 'available', null, null);
    expect(offersTo(agentIds[0]!, waiting.taskId)).toHaveLength(1);
    await first.engine.stop(); // the process dies; its offers die with it

    const second = setup();
    second.engine.registerLiveness('voice', async (t) => t.externalRef !== 'call-that-ended');
    await second.engine.start();
    await until(() => offersTo(agentIds[0]!, waiting.taskId).length === 2);
    expect(await taskRow(gone.taskId)).toMatchObject({ status: 'abandoned', end_reason: 'gone' });
    const offer = offersTo(agentIds[0]!, waiting.taskId)[1]!;
    await second.engine.accept(tenantId, agentIds[0]!, offer.offerId);
    expect(await taskRow(waiting.taskId)).toMatchObject({ status: 'assigned', assigned_agent_id: agentIds[0] });
    await second.engine.complete(tenantId, waiting.taskId);
    await second.engine.setState(tenantId, agentIds[0]!, 'offline', null, null);
    await second.engine.stop();
  });

  test('two routers that briefly overlap cannot assign one task twice', async () => {
    const a = setup();
    const queueId = await queueFor(a.admin, [0, 1]);
    await a.engine.setState(tenantId, agentIds[0]!, 'available', null, null);
    const { taskId } = await a.engine.enqueue(tenantId, { queueId, channel: 'voice' });
    const offerA = offersTo(agentIds[0]!, taskId).at(-1)!;
    // A second router takes over the tenant while the first still believes in its offer.
    const b = setup();
    await b.engine.start();
    await until(() => offersTo(agentIds[0]!, taskId).length === 2);
    const offerB = offersTo(agentIds[0]!, taskId).at(-1)!;
    const results = await Promise.allSettled([a.engine.accept(tenantId, agentIds[0]!, offerA.offerId), b.engine.accept(tenantId, agentIds[0]!, offerB.offerId)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    const assigned = await db.database.withSystem((tx) => tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM routing_tasks WHERE id = ${taskId} AND status = 'assigned'`));
    expect(assigned.rows[0]!.n).toBe(1);
    // Leave the agent free for the next tests.
    const winner = results[0]!.status === 'fulfilled' ? a : b;
    await winner.engine.complete(tenantId, taskId);
    await winner.engine.setState(tenantId, agentIds[0]!, 'offline', null, null);
    await a.engine.stop();
    await b.engine.stop();
  });

  test('operations that arrive together share a transaction, and every task is assigned exactly once', async () => {
    // Count the engine's transactions.
    let transactions = 0;
    const counting = Object.create(db.database) as Database;
    counting.withTenant = (t, fn) => {
      transactions++;
      return db.database.withTenant(t, fn);
    };
    const { engine, admin, hub } = setup(new VirtualClock(), counting);
    const queueId = await queueFor(admin, [0, 1], { acwSeconds: 0 });
    for (const id of agentIds) await engine.setState(tenantId, id, 'available', null, null);
    // Agents take every offer at once and finish the chat.
    const handled: Promise<void>[] = [];
    engine.events.on('task.offered', ({ taskId, offerId, agentIds: to }) => {
      handled.push((async () => {
        await engine.accept(tenantId, to[0]!, offerId);
        await engine.complete(tenantId, taskId);
      })());
    });
    const before = transactions;
    const tasks = await Promise.all(Array.from({ length: 30 }, () => engine.enqueue(tenantId, { queueId, channel: 'chat' })));
    expect(transactions - before).toBeLessThan(30);
    await until(async () => {
      await Promise.all(handled);
      const { rows } = await db.database.withSystem((tx) => tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM routing_tasks WHERE queue_id = ${queueId} AND status = 'completed'`));
      return rows[0]!.n === 30;
    });
    const assigned = await db.database.withSystem((tx) =>
      tx.execute<{ task_id: string; n: number }>(sql`SELECT payload->>'taskId' AS task_id, count(*)::int AS n FROM outbox WHERE type = 'routing_task.assigned' AND payload->>'queueId' = ${queueId} GROUP BY 1`),
    );
    expect(assigned.rows.map((r) => r.task_id).sort()).toEqual(tasks.map((t) => t.taskId).sort());
    expect(assigned.rows.every((r) => r.n === 1)).toBe(true);
    // The interval facts for reports are written on the per-second pass.
    await engine.dispatch(await engine.tenant(tenantId));
    const facts = await db.database.withSystem((tx) =>
      tx.execute<{ offered: number; answered: number; handled: number }>(sql`SELECT sum(offered)::int AS offered, sum(answered)::int AS answered, sum(handled)::int AS handled FROM routing_interval_facts WHERE queue_id = ${queueId}`),
    );
    expect(facts.rows[0]).toEqual({ offered: 30, answered: 30, handled: 30 });
    for (const id of agentIds) await engine.setState(tenantId, id, 'offline', null, null);
    await engine.stop();
  });

  test('a router whose memory went stale rebuilds the tenant from the database and offers again', async () => {
    const { engine, admin } = setup();
    const queueId = await queueFor(admin, [0]);
    const { taskId } = await engine.enqueue(tenantId, { queueId, channel: 'voice' });
    // Something else touched the task behind the router's back: its version moved.
    await db.database.withSystem((tx) => tx.execute(sql`UPDATE routing_tasks SET version = version + 1 WHERE id = ${taskId}`));
    await engine.setState(tenantId, agentIds[0]!, 'available', null, null);
    // The stale offer changed no row; the reloaded router offers the task with its real version.
    await until(() => offersTo(agentIds[0]!, taskId).length === 1);
    await engine.accept(tenantId, agentIds[0]!, offersTo(agentIds[0]!, taskId)[0]!.offerId);
    expect(await taskRow(taskId)).toMatchObject({ status: 'assigned', assigned_agent_id: agentIds[0] });
    await engine.complete(tenantId, taskId);
    await engine.setState(tenantId, agentIds[0]!, 'offline', null, null);
    await engine.stop();
  });

  test('a callback keeps the caller’s place, also after a restart', async () => {
    const first = setup();
    const queueId = await queueFor(first.admin, [0], { callbacksOffered: true });
    const early = await first.engine.enqueue(tenantId, { queueId, channel: 'voice' });
    first.clock.advance(5000);
    const later = await first.engine.enqueue(tenantId, { queueId, channel: 'voice' });
    await first.engine.requestCallback(tenantId, early.taskId, '+8613800000000');
    await first.engine.stop();

    const second = setup();
    await second.engine.start();
    await second.engine.setState(tenantId, agentIds[0]!, 'available', null, null);
    const offer = inbox.get(agentIds[0]!)!.filter((m) => m.type === 'event' && m.name === 'offer').map((m) => (m as { data: { taskId: string; channel: string; attributes: Record<string, unknown> } }).data).at(-1)!;
    expect(offer).toMatchObject({ channel: 'callback', attributes: { callbackFor: early.taskId } });
    // The later caller is still behind the callback (which is on offer).
    expect(await second.engine.estimateOf(tenantId, later.taskId)).toMatchObject({ position: 2 });
    const { rows } = await db.database.withSystem((tx) => tx.execute<{ callback_number: string }>(sql`SELECT callback_number FROM routing_tasks WHERE id = ${offer.taskId}`));
    expect(rows[0]!.callback_number).toBe('+8613800000000');
    await second.engine.decline(tenantId, (inbox.get(agentIds[0]!)!.filter((m) => m.type === 'event' && m.name === 'offer').at(-1) as { data: { offerId: string } }).data.offerId, agentIds[0]!, 'rejected');
    await second.engine.cancel(tenantId, offer.taskId);
    await second.engine.cancel(tenantId, later.taskId);
    await second.engine.setState(tenantId, agentIds[0]!, 'offline', null, null);
    await second.engine.stop();
  });

  test('an operation started the moment the previous one answers is not left waiting', async () => {
    // Each step begins in the continuation of the last one: the tenant's pipeline must pick it up even when it
    // arrives while the pipeline is finishing.
    const { engine, admin } = setup();
    const queueId = await queueFor(admin, []);
    let step = engine.enqueue(tenantId, { queueId, channel: 'chat' });
    for (let i = 0; i < 20; i++) step = step.then(({ taskId }) => engine.cancel(tenantId, taskId, 'cancelled')).then(() => engine.enqueue(tenantId, { queueId, channel: 'chat' }));
    const last = await step;
    await engine.cancel(tenantId, last.taskId, 'cancelled');
    const { rows } = await db.database.withSystem((tx) => tx.execute<{ status: string; n: number }>(sql`SELECT status, count(*)::int AS n FROM routing_tasks WHERE queue_id = ${queueId} GROUP BY status`));
    expect(rows).toEqual([{ status: 'cancelled', n: 21 }]);
    await engine.stop();
  });
});
