// Who sees which knowledge-base space: people see the spaces of their divisions (internal, public or both);
// the public sees only published public articles of public spaces (help-center.service.ts).
import { sql, type SQL } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Tx } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { one, rows, uuidArray } from './kb-sql.ts';

export interface SpaceRow {
  id: string;
  division_id: string;
  name: string;
  description: string;
  visibility: 'internal' | 'public' | 'both';
  created_at: Date;
}

export async function visibleSpaces(tx: Tx, actor: Actor): Promise<SpaceRow[]> {
  return rows<SpaceRow>(
    tx,
    actor.divisions === 'all'
      ? sql`SELECT * FROM kb_spaces WHERE tenant_id = ${actor.tenantId} ORDER BY created_at, id`
      : sql`SELECT * FROM kb_spaces WHERE tenant_id = ${actor.tenantId} AND division_id = ANY(${uuidArray(actor.divisions)}) ORDER BY created_at, id`,
  );
}

/** The ids of the spaces the actor may see, as a subquery (saves a round trip in search). */
export function visibleSpaceIds(actor: Actor): SQL {
  return actor.divisions === 'all'
    ? sql`(SELECT id FROM kb_spaces WHERE tenant_id = ${actor.tenantId})`
    : sql`(SELECT id FROM kb_spaces WHERE tenant_id = ${actor.tenantId} AND division_id = ANY(${uuidArray(actor.divisions)}))`;
}

/** The ids of a tenant's spaces for the public, as a subquery. */
export const publicSpaceIds = (tenantId: string): SQL =>
  sql`(SELECT id FROM kb_spaces WHERE tenant_id = ${tenantId} AND visibility IN ('public', 'both'))`;

/** A space the actor may see, or 404. */
export async function spaceFor(tx: Tx, actor: Actor, spaceId: string): Promise<SpaceRow> {
  const space = await one<SpaceRow>(tx, sql`SELECT * FROM kb_spaces WHERE tenant_id = ${actor.tenantId} AND id = ${spaceId}`);
  if (!space || !canSeeDivision(actor, space.division_id)) throw notFound('space');
  return space;
}

export const canEdit = (actor: Actor): boolean => actor.kind === 'system' || actor.permissions.has('kb.edit');
export const requireEdit = (actor: Actor): void => requirePermission(actor, 'kb.edit');
