// Tenants: the isolation boundary. A new tenant gets the built-in roles and a "Default" division.
import { eq, sql } from 'drizzle-orm';
import { builtInRoles } from '../auth/permissions.ts';
import type { Database, Tx } from '../db/database.ts';
import { divisions, roles, tenants } from '../db/schema.ts';
import { conflict } from '../errors.ts';

export interface Tenant {
  id: string;
  name: string;
  slug: string;
}

export function slugify(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return ascii || 'tenant';
}

export async function createTenant(tx: Tx, input: { name: string; slug?: string }): Promise<{ tenant: Tenant; defaultDivisionId: string }> {
  const slug = input.slug ?? slugify(input.name);
  const existing = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
  if (existing.length > 0) throw conflict(`a tenant with the slug ${slug} exists`, 'slug');
  const [tenant] = await tx.insert(tenants).values({ name: input.name, slug }).returning();
  await tx.insert(roles).values(
    Object.entries(builtInRoles).map(([key, role]) => ({
      tenantId: tenant!.id,
      key,
      name: role.name,
      permissions: [...role.permissions],
      builtIn: true,
    })),
  );
  const [division] = await tx.insert(divisions).values({ tenantId: tenant!.id, name: 'Default', description: '' }).returning();
  return { tenant: { id: tenant!.id, name: tenant!.name, slug: tenant!.slug }, defaultDivisionId: division!.id };
}

/**
 * Built-in roles are read-only copies of `builtInRoles`, made when a tenant is created; a release that adds a
 * permission or a role must reach tenants created before it (otherwise an older tenant's agents lack what the new
 * feature checks). Run at every start: adds missing built-in roles and resets the permissions and names of the
 * built-in ones. A tenant's custom role that happens to use a built-in key is left alone.
 */
export async function syncBuiltInRoles(tx: Tx): Promise<void> {
  for (const [key, role] of Object.entries(builtInRoles)) {
    await tx.execute(sql`
      INSERT INTO roles (tenant_id, key, name, permissions, built_in)
      SELECT t.id, ${key}, ${role.name}, ${`{${role.permissions.join(',')}}`}::text[], true FROM tenants t
      ON CONFLICT (tenant_id, key) DO UPDATE SET permissions = EXCLUDED.permissions, name = EXCLUDED.name
      WHERE roles.built_in AND (roles.permissions IS DISTINCT FROM EXCLUDED.permissions OR roles.name IS DISTINCT FROM EXCLUDED.name)`);
  }
}

export class TenantsService {
  constructor(private readonly database: Database) {}

  async get(tenantId: string): Promise<Tenant | undefined> {
    const [row] = await this.database.withTenant(tenantId, (tx) => tx.select().from(tenants).where(eq(tenants.id, tenantId)));
    return row ? { id: row.id, name: row.name, slug: row.slug } : undefined;
  }

  async findBySlug(slug: string): Promise<Tenant | undefined> {
    const [row] = await this.database.withSystem((tx) => tx.select().from(tenants).where(eq(tenants.slug, slug)));
    return row ? { id: row.id, name: row.name, slug: row.slug } : undefined;
  }

  async count(): Promise<number> {
    const rows = await this.database.withSystem((tx) => tx.select({ id: tenants.id }).from(tenants));
    return rows.length;
  }
}
