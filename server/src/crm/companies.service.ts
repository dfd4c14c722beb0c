// Companies that contacts belong to, per division.
import { sql, type SQL } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { conflict, invalid } from '../platform/errors.ts';
import { resolveDivision, visibleCompany } from './crm-access.ts';
import { divisionScope, iso, one, rows, type Row } from './crm-sql.ts';

export interface Company {
  id: string;
  divisionId: string;
  name: string;
  externalId: string | null;
  notes: string;
  contactCount: number;
  createdAt: string;
}

const toCompany = (r: Row): Company => ({
  id: r.id as string,
  divisionId: r.division_id as string,
  name: r.name as string,
  externalId: (r.external_id as string | null) ?? null,
  notes: r.notes as string,
  contactCount: Number(r.contact_count ?? 0),
  createdAt: iso(r.created_at)!,
});

const select = sql`SELECT co.*, (SELECT count(*) FROM crm_contacts c WHERE c.company_id = co.id AND c.merged_into IS NULL) AS contact_count FROM crm_companies co`;

export class CompaniesService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor, query: { q?: string | undefined; limit: number }): Promise<Company[]> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const where: SQL[] = [sql`co.tenant_id = ${actor.tenantId}`, divisionScope(actor, sql`co.division_id`)];
      const q = query.q?.trim().toLowerCase();
      if (q) where.push(sql`(lower(co.name) LIKE ${`%${q}%`} OR lower(co.name) % ${q})`);
      return (await rows(tx, sql`${select} WHERE ${sql.join(where, sql` AND `)} ORDER BY co.name, co.id LIMIT ${query.limit}`)).map(toCompany);
    });
  }

  async get(actor: Actor, id: string): Promise<Company> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleCompany(tx, actor, id);
      return toCompany((await one(tx, sql`${select} WHERE co.id = ${id}`))!);
    });
  }

  async create(actor: Actor, input: { divisionId?: string | undefined; name: string; externalId?: string | null | undefined; notes?: string | undefined }): Promise<Company> {
    requirePermission(actor, 'crm.manage');
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const divisionId = await resolveDivision(tx, actor, input.divisionId);
        const row = await one<{ id: string }>(
          tx,
          sql`INSERT INTO crm_companies (tenant_id, division_id, name, external_id, notes)
              VALUES (${actor.tenantId}, ${divisionId}, ${input.name.trim()}, ${input.externalId ?? null}, ${input.notes ?? ''}) RETURNING id`,
        );
        return toCompany((await one(tx, sql`${select} WHERE co.id = ${row!.id}`))!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('a company with this external id exists', 'externalId');
      throw err;
    }
  }

  async update(actor: Actor, id: string, patch: { name?: string | undefined; externalId?: string | null | undefined; notes?: string | undefined }): Promise<Company> {
    requirePermission(actor, 'crm.manage');
    if (patch.name !== undefined && !patch.name.trim()) throw invalid('name', 'must not be empty');
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        await visibleCompany(tx, actor, id);
        const sets: SQL[] = [sql`updated_at = clock_timestamp()`];
        if (patch.name !== undefined) sets.push(sql`name = ${patch.name.trim()}`);
        if (patch.externalId !== undefined) sets.push(sql`external_id = ${patch.externalId}`);
        if (patch.notes !== undefined) sets.push(sql`notes = ${patch.notes}`);
        await tx.execute(sql`UPDATE crm_companies SET ${sql.join(sets, sql`, `)} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
        return toCompany((await one(tx, sql`${select} WHERE co.id = ${id}`))!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('a company with this external id exists', 'externalId');
      throw err;
    }
  }
}
