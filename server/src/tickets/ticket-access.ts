// Who sees which ticket. Everyone is limited to their divisions. Holders of `tickets.all` (agents, supervisors)
// and API keys see every ticket there; anyone else with `tickets.work` (role `staff`) sees only tickets they own,
// follow or are assigned, or that have a sub-task assigned to them or to one of their departments/teams. A ticket
// outside that reads as missing (404, never 403).
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import type { Tx } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { divisionScope, one, rows, type Row } from '../crm/crm-sql.ts';

/** Sees the whole division, not only assigned work. */
export const seesAll = (actor: Actor): boolean => actor.kind !== 'user' || actor.permissions.has('tickets.all');

/** The ids of the groups (departments, teams) the user belongs to. */
export async function groupsOf(tx: Tx, tenantId: string, userId: string | null): Promise<string[]> {
  if (!userId) return [];
  return (await rows<{ group_id: string }>(tx, sql`SELECT group_id FROM ticket_group_members WHERE tenant_id = ${tenantId} AND user_id = ${userId}`)).map((r) => r.group_id);
}

const uuids = (values: readonly string[]): SQL => sql`${`{${values.join(',')}}`}::uuid[]`;

/** The condition on ticket alias `t` that limits rows to what the actor may see. */
export async function ticketScope(tx: Tx, actor: Actor): Promise<SQL> {
  const division = divisionScope(actor, sql`t.division_id`);
  if (seesAll(actor)) return sql`${division}`;
  const me = actor.userId;
  const groups = uuids(await groupsOf(tx, actor.tenantId, me));
  return sql`${division} AND (t.assignee_user_id = ${me} OR t.owner_id = ${me} OR ${me}::uuid = ANY(t.followers)
    OR t.assignee_group_id = ANY(${groups})
    OR EXISTS (SELECT 1 FROM ticket_tasks k WHERE k.ticket_id = t.id AND (k.assignee_user_id = ${me} OR k.assignee_group_id = ANY(${groups}))))`;
}

export type TicketRow = Row & {
  id: string;
  number: string | number;
  division_id: string;
  status: string;
  priority: string;
  owner_id: string | null;
  assignee_user_id: string | null;
  assignee_group_id: string | null;
  requester_id: string | null;
  tier: number;
  version: number;
  merged_into: string | null;
};

/** The ticket row if the actor may see it (merged tickets included: they redirect), or 404. */
export async function visibleTicket(tx: Tx, actor: Actor, id: string, { forUpdate = false } = {}): Promise<TicketRow> {
  const scope = await ticketScope(tx, actor);
  const row = await one<TicketRow>(tx, sql`SELECT t.* FROM tickets t WHERE t.tenant_id = ${actor.tenantId} AND t.id = ${id} AND ${scope} ${forUpdate ? sql`FOR UPDATE OF t` : sql``}`);
  if (!row) throw notFound('ticket');
  return row;
}
