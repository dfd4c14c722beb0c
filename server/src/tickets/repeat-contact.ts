// Repeat-contact detection for first-contact resolution (FCR). When an interaction is linked to a ticket, earlier
// interactions of the same contact within the division's window (ticket_division_settings.repeat_window_days,
// default 7) about the same matter did not resolve it on first contact: they and their tickets are marked so.
// "The same matter" is the same ticket, or a ticket of the same requester with the same type and a tag in common
// (tag tickets by matter, e.g. `refund`, `delivery`); an untagged ticket matches only itself.
import { sql } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import { one, rows } from '../crm/crm-sql.ts';
import { activity } from './sla.engine.ts';

export const DEFAULT_REPEAT_WINDOW_DAYS = 7;

export async function repeatWindowDays(tx: Tx, tenantId: string, divisionId: string): Promise<number> {
  const row = await one<{ repeat_window_days: number }>(tx, sql`SELECT repeat_window_days FROM ticket_division_settings WHERE tenant_id = ${tenantId} AND division_id = ${divisionId}`);
  return row?.repeat_window_days ?? DEFAULT_REPEAT_WINDOW_DAYS;
}

/** Returns the ids of the earlier interactions it marked as not resolved on first contact. */
export async function detectRepeatContact(tx: Tx, tenantId: string, ticketId: string, interactionId: string, actorId: string | null): Promise<string[]> {
  const ticket = await one<{ id: string; division_id: string; requester_id: string | null; type: string; tags: string[] }>(
    tx,
    sql`SELECT id, division_id, requester_id, type, tags FROM tickets WHERE tenant_id = ${tenantId} AND id = ${ticketId}`,
  );
  const current = await one<{ id: string; contact_id: string | null; arrived_at: Date }>(tx, sql`SELECT id, contact_id, arrived_at FROM interactions WHERE tenant_id = ${tenantId} AND id = ${interactionId}`);
  if (!ticket || !current) return [];
  const contactId = current.contact_id ?? ticket.requester_id;
  if (!contactId) return [];
  if (!current.contact_id) await tx.execute(sql`UPDATE interactions SET contact_id = ${contactId} WHERE id = ${interactionId}`);
  const days = await repeatWindowDays(tx, tenantId, ticket.division_id);
  const tags = `{${ticket.tags.map((t) => `"${t.replace(/["\\]/g, '')}"`).join(',')}}`;
  const earlier = await rows<{ id: string; ticket_id: string }>(
    tx,
    sql`SELECT DISTINCT ON (i.id) i.id, ti.ticket_id FROM interactions i
        JOIN ticket_interactions ti ON ti.interaction_id = i.id
        JOIN tickets o ON o.id = ti.ticket_id
        WHERE i.tenant_id = ${tenantId} AND i.id <> ${interactionId}
          AND coalesce(i.contact_id, o.requester_id) = ${contactId}
          AND i.arrived_at < ${new Date(current.arrived_at).toISOString()}
          AND i.arrived_at >= ${new Date(current.arrived_at).toISOString()}::timestamptz - make_interval(days => ${days})
          AND (o.id = ${ticketId} OR (o.type = ${ticket.type} AND o.tags && ${tags}::text[]))
          AND i.resolved_first_contact IS DISTINCT FROM false`,
  );
  for (const e of earlier) {
    await tx.execute(sql`UPDATE interactions SET resolved_first_contact = false WHERE id = ${e.id}`);
    await tx.execute(sql`UPDATE tickets SET resolved_first_contact = false WHERE id = ${e.ticket_id} AND resolved_first_contact IS DISTINCT FROM false`);
    await activity(tx, tenantId, e.ticket_id, actorId, 'fcr.repeat_contact', { interactionId: e.id, repeatInteractionId: interactionId, windowDays: days });
  }
  return earlier.map((e) => e.id);
}
