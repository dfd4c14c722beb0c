// Tickets from conversations nobody could answer (web chat offline messages, chats that waited too long): the
// channel hands in the interaction, its contact and what the customer wrote; the ticket is created in the
// interaction's division as any ticket is (SLA policy applied, activity, outbox event, contact timeline) and linked
// to the interaction, so that the agent reads the whole conversation from the ticket. The ticket's
// (source, source_ref = interaction id) is unique: handing the same conversation in twice answers the first ticket.
import { sql } from 'drizzle-orm';
import type { ConversationTicket, TicketIntake } from '../channels/conversation-intake.ts';
import { systemActor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { one } from '../crm/crm-sql.ts';
import type { TicketsService } from './tickets.service.ts';

export function conversationTicketIntake(database: Database, tickets: TicketsService): TicketIntake {
  const existing = (input: ConversationTicket) =>
    database.withTenant(input.tenantId, (tx) =>
      one<{ id: string; number: string }>(tx, sql`SELECT id, number FROM tickets WHERE tenant_id = ${input.tenantId} AND source = ${input.source} AND source_ref = ${input.interactionId}`),
    );
  return {
    async fromConversation(input) {
      const found = await existing(input);
      if (found) return { ticketId: found.id, number: Number(found.number) };
      try {
        const ticket = await database.withTenant(input.tenantId, (tx) =>
          tickets.createIn(
            tx,
            systemActor(input.tenantId),
            {
              subject: input.subject,
              description: input.description,
              divisionId: input.divisionId,
              interactionId: input.interactionId,
              requesterId: input.contactId ?? undefined,
              assigneeUserId: null,
              tags: input.tags,
            },
            { source: input.source, sourceRef: input.interactionId },
          ),
        );
        return { ticketId: ticket.id, number: ticket.number };
      } catch (err) {
        // Two nodes handed in the same conversation at once: the other one's ticket stands.
        const again = isUniqueViolation(err) ? await existing(input) : undefined;
        if (again) return { ticketId: again.id, number: Number(again.number) };
        throw err;
      }
    },
  };
}
