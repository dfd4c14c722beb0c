// Tenants: the isolation boundary. A new tenant gets the built-in roles and a "Default" division.
import { eq } from 'drizzle-orm';
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
