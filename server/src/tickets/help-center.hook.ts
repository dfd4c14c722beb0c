// Tickets from the help-center contact form. The kb module records the request and announces it
// (`kb_contact.requested`); this turns it into a ticket in the division of the article's space (or the tenant's
// first division), with the requester found by the phone or email they typed when it is a known contact.
// The bus may deliver an event more than once: the ticket's (source, source_ref) is unique, so a second delivery
// finds the first ticket and does nothing.
import { sql } from 'drizzle-orm';
import type { EventEnvelope } from '@kefu/contracts';
import { systemActor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { one } from '../crm/crm-sql.ts';
import { normalizeIdentity } from '../crm/identities.ts';
import type { TicketsService } from './tickets.service.ts';

export async function ticketFromHelpCenter(database: Database, tickets: TicketsService, event: EventEnvelope<'kb_contact.requested'>): Promise<string | null> {
  const tenantId = event.tenantId;
  try {
    return await database.withTenant(tenantId, async (tx) => {
      const existing = await one<{ id: string }>(tx, sql`SELECT id FROM tickets WHERE tenant_id = ${tenantId} AND source = 'help_center' AND source_ref = ${event.data.requestId}`);
      if (existing) return existing.id;
      const request = await one<{ id: string; article_id: string | null; article_title: string; name: string; contact: string; message: string }>(
        tx,
        sql`SELECT * FROM kb_contact_requests WHERE tenant_id = ${tenantId} AND id = ${event.data.requestId}`,
      );
      if (!request) return null;
      // The kb module also records the request as an interaction (channel chat); the ticket is linked to it.
      const interactionId = (event.data as { interactionId?: string | null }).interactionId ?? null;
      const division = await one<{ id: string }>(
        tx,
        sql`SELECT coalesce(
              (SELECT division_id FROM interactions WHERE tenant_id = ${tenantId} AND id = ${interactionId}),
              (SELECT s.division_id FROM kb_articles a JOIN kb_spaces s ON s.id = a.space_id WHERE a.id = ${request.article_id}),
              (SELECT id FROM divisions WHERE tenant_id = ${tenantId} ORDER BY created_at, id LIMIT 1)) AS id`,
      );
      const identity = normalizeIdentity(request.contact.includes('@') ? 'email' : 'phone', request.contact);
      const contact = identity.ok
        ? await one<{ contact_id: string }>(
            tx,
            sql`SELECT i.contact_id FROM crm_identities i JOIN crm_contacts c ON c.id = i.contact_id
                WHERE i.tenant_id = ${tenantId} AND i.kind = ${identity.identity.kind} AND i.value = ${identity.identity.value} AND c.merged_into IS NULL AND c.division_id = ${division!.id}`,
          )
        : undefined;
      const about = request.article_title ? `\n\n(From the help-center article “${request.article_title}”)` : '';
      const ticket = await tickets.createIn(
        tx,
        systemActor(tenantId),
        {
          subject: request.message.split('\n')[0]!.slice(0, 120) || request.article_title || 'Help-center contact request',
          description: `${request.message}\n\n— ${request.name} · ${request.contact}${about}`,
          divisionId: division!.id,
          interactionId: interactionId ?? undefined,
          requesterId: contact?.contact_id,
          assigneeUserId: null,
          tags: ['help-center'],
        },
        { source: 'help_center', sourceRef: request.id },
      );
      return ticket.id;
    });
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}
