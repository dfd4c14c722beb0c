// The router lease on its own, against PostgreSQL: a node that stops while one of its polls is in flight must not
// take the lease again (it would sit on it and nobody could take over: the cluster takeover failed this way under
// CPU load); a holder whose lease connection dies gives every tenant up, and another node takes over.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { systemActor } from '../src/platform/auth/actor.ts';
import { createTenant } from '../src/platform/tenancy/tenants.service.ts';
import { UsersService } from '../src/platform/tenancy/users.service.ts';
import { RouterLease } from '../src/routing/router-lease.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

let db: TestDatabase;
let tenantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  tenantId = await db.database.withSystem(async (tx) => {
    const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Lease', slug: 'lease' });
    const user = await UsersService.insert(tx, systemActor(tenant.id), { email: 'a@lease.example', name: 'Agent', password: 'lease-pw-1234', roles: ['agent'], divisionIds: [defaultDivisionId] });
    // A signed-in agent: the tenant has work, so every node's poll looks for its router.
    await tx.execute(sql`INSERT INTO routing_agents (user_id, tenant_id, state) VALUES (${user.id}, ${tenant.id}, 'available')`);
    return tenant.id;
  });
});
afterAll(async () => db?.drop());

/** Whether a fresh session could take the tenant's lock now (it lets it go again at once). */
async function lockIsFree(): Promise<boolean> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended('kefu.routing:' || $1, 0)) AS ok", [tenantId]);
    return rows[0]!.ok;
  } finally {
    await client.end();
  }
}

function lease(log: string[], name: string) {
  return new RouterLease(db.database, {
    pollMs: 60_000, // polls are driven by the test
    onAcquired: async (t) => void log.push(`${name} acquired ${t}`),
    onLostAll: () => void log.push(`${name} lost all`),
  });
}

test('a node that stops while its poll is in flight does not take the lease again', async () => {
  const log: string[] = [];
  const a = lease(log, 'a');
  await a.start();
  expect(a.holds(tenantId)).toBe(true);
  await a.stop();
  expect(await lockIsFree()).toBe(true);

  const b = lease(log, 'b');
  // B sees the tenant's lock held by someone else at its start, then polls again as that holder goes away.
  const holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
  await holder.query("SELECT pg_advisory_lock(hashtextextended('kefu.routing:' || $1, 0))", [tenantId]);
  await b.start();
  expect(b.holds(tenantId)).toBe(false);
  await holder.end();
  const polling = b.poll(); // its query of tenants with work is in flight …
  await b.stop(); // … when the node stops
  await polling;
  expect(b.holds(tenantId)).toBe(false);
  expect(await lockIsFree()).toBe(true);
  expect(log).toEqual([`a acquired ${tenantId}`]);
});

test('a holder whose lease connection dies gives every tenant up, and another node takes over', async () => {
  const log: string[] = [];
  const a = lease(log, 'a');
  const b = lease(log, 'b');
  await a.start();
  await b.start();
  expect(a.holds(tenantId)).toBe(true);
  expect(b.holds(tenantId)).toBe(false);
  // PostgreSQL ends A's lease session (as it does when TCP keepalives find its host gone).
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  // Only A holds advisory locks in this database.
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  await admin.end();
  for (let i = 0; i < 100 && !log.includes('a lost all'); i++) await new Promise((r) => setTimeout(r, 20));
  expect(log).toContain('a lost all');
  expect(a.holds(tenantId)).toBe(false);
  await b.poll();
  expect(b.holds(tenantId)).toBe(true);
  expect(log.filter((l) => l.includes('acquired'))).toEqual([`a acquired ${tenantId}`, `b acquired ${tenantId}`]);
  await a.stop();
  await b.stop();
  expect(await lockIsFree()).toBe(true);
});
