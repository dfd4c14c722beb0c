// Division checks shared by the CRM services: a contact, company or import is visible when its division is one
// of the actor's; anything else reads as missing (404, never 403).
import { sql } from 'drizzle-orm';
import { canSeeDivision, type Actor } from '../platform/auth/actor.ts';
import type { Tx } from '../platform/db/database.ts';
import { invalid, notFound } from '../platform/errors.ts';
import { one, type Row } from './crm-sql.ts';

/** The division a new object goes to: the one asked for (if visible), or the actor's only/first division. */
export async function resolveDivision(tx: Tx, actor: Actor, divisionId: string | undefined, field = 'divisionId'): Promise<string> {
  if (divisionId) {
    const row = await one(tx, sql`SELECT id FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${divisionId}`);
    if (!row || !canSeeDivision(actor, divisionId)) throw invalid(field, 'is not a division you can see');
    return divisionId;
  }
  if (actor.divisions !== 'all') {
    if (actor.divisions.length === 1) return actor.divisions[0]!;
    throw invalid(field, 'is required: you work in several divisions');
  }
  const first = await one<{ id: string }>(tx, sql`SELECT id FROM divisions WHERE tenant_id = ${actor.tenantId} ORDER BY created_at, id LIMIT 1`);
  if (!first) throw invalid(field, 'is required');
  return first.id;
}

/** The contact row (not merged away), or 404 when it is missing, in another tenant or in a hidden division. */
export async function visibleContact(tx: Tx, actor: Actor, id: string, { forUpdate = false } = {}): Promise<Row & { id: string; division_id: string }> {
  const row = await one<Row & { id: string; division_id: string }>(
    tx,
    sql`SELECT * FROM crm_contacts WHERE tenant_id = ${actor.tenantId} AND id = ${id} AND merged_into IS NULL ${forUpdate ? sql`FOR UPDATE` : sql``}`,
  );
  if (!row || !canSeeDivision(actor, row.division_id)) throw notFound('contact');
  return row;
}

export async function visibleCompany(tx: Tx, actor: Actor, id: string): Promise<Row & { id: string; division_id: string; name: string }> {
  const row = await one<Row & { id: string; division_id: string; name: string }>(tx, sql`SELECT * FROM crm_companies WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
  if (!row || !canSeeDivision(actor, row.division_id)) throw notFound('company');
  return row;
}

export async function checkOwner(tx: Tx, actor: Actor, ownerId: string | null | undefined): Promise<void> {
  if (!ownerId) return;
  const row = await one(tx, sql`SELECT id FROM users WHERE tenant_id = ${actor.tenantId} AND id = ${ownerId}`);
  if (!row) throw invalid('ownerId', 'is not a user of this tenant');
}
