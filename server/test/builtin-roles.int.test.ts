// A tenant created by an older release has older copies of the built-in roles: every start brings them up to
// date (missing roles added, permissions reset), and a custom role that uses a built-in key is not touched.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { builtInRoles } from '../src/platform/auth/permissions.ts';
import { createTenant, syncBuiltInRoles } from '../src/platform/tenancy/tenants.service.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const rolesOf = (tenantId: string) =>
  db.database.withSystem(async (tx) =>
    (await tx.execute(sql`SELECT key, permissions, built_in FROM roles WHERE tenant_id = ${tenantId} ORDER BY key`)).rows as { key: string; permissions: string[]; built_in: boolean }[],
  );

test('an older tenant gets missing built-in roles and current permissions; custom roles stay as they are', async () => {
  const old = await db.database.withSystem((tx) => createTenant(tx, { name: '旧租户 Old tenant', slug: 'old-tenant' }));
  const other = await db.database.withSystem((tx) => createTenant(tx, { name: 'Other', slug: 'other' }));
  await db.database.withSystem(async (tx) => {
    // As if created before tickets existed: the agent role without ticket permissions, no staff role, and a
    // custom role the tenant made under the key a later release chose for a built-in one.
    await tx.execute(sql`UPDATE roles SET permissions = '{agent.desktop}' WHERE tenant_id = ${old.tenant.id} AND key = 'agent'`);
    await tx.execute(sql`DELETE FROM roles WHERE tenant_id = ${old.tenant.id} AND key IN ('staff', 'qa')`);
    await tx.execute(sql`INSERT INTO roles (tenant_id, key, name, permissions, built_in) VALUES (${old.tenant.id}, 'qa', '质检 (custom)', '{reports.read}', false)`);
  });

  await db.database.withSystem((tx) => syncBuiltInRoles(tx));
  await db.database.withSystem((tx) => syncBuiltInRoles(tx)); // idempotent

  const roles = await rolesOf(old.tenant.id);
  expect(roles.find((r) => r.key === 'agent')!.permissions).toEqual([...builtInRoles.agent.permissions]);
  expect(roles.find((r) => r.key === 'staff')).toMatchObject({ built_in: true, permissions: [...builtInRoles.staff.permissions] });
  expect(roles.find((r) => r.key === 'qa')).toMatchObject({ built_in: false, permissions: ['reports.read'] });
  expect(roles.filter((r) => r.built_in).map((r) => r.key).sort()).toEqual(Object.keys(builtInRoles).filter((k) => k !== 'qa').sort());
  // Another tenant's roles are exactly the built-in ones, once each.
  expect((await rolesOf(other.tenant.id)).map((r) => r.key).sort()).toEqual(Object.keys(builtInRoles).sort());
});
