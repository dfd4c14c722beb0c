// The event catalog: every domain event Kefu publishes, with its zod payload. Services append events to the
// outbox inside their transaction; the dispatcher publishes them on the bus and to webhooks after commit.
// Names are `noun.past_tense` (STYLE.md). Adding an event is adding one entry here.
import { z } from 'zod';

const id = z.uuid();

export const eventCatalog = {
  'user.created': {
    description: 'A user was created',
    payload: z.object({ userId: id, email: z.string(), name: z.string(), roles: z.array(z.string()) }),
  },
  'user.updated': {
    description: 'A user was changed (name, roles, divisions, status or password)',
    payload: z.object({ userId: id, changes: z.array(z.string()) }),
  },
  'division.created': {
    description: 'A division was created',
    payload: z.object({ divisionId: id, name: z.string() }),
  },
  'division.updated': {
    description: 'A division was renamed or described',
    payload: z.object({ divisionId: id, name: z.string() }),
  },
  'division.deleted': {
    description: 'A division was deleted',
    payload: z.object({ divisionId: id }),
  },
  'role.created': { description: 'A custom role was created', payload: z.object({ roleId: id, key: z.string() }) },
  'role.updated': { description: 'A custom role was changed', payload: z.object({ roleId: id, key: z.string() }) },
  'role.deleted': { description: 'A custom role was deleted', payload: z.object({ roleId: id, key: z.string() }) },
  'api_key.created': {
    description: 'An API key was created',
    payload: z.object({ apiKeyId: id, name: z.string(), scopes: z.array(z.string()) }),
  },
  'api_key.revoked': { description: 'An API key was revoked', payload: z.object({ apiKeyId: id }) },
  'kb_article.published': { description: 'A knowledge-base article version went live', payload: z.object({ articleId: id, version: z.number(), language: z.string(), title: z.string() }) },
  'kb_update.published': { description: 'A new-business update was announced', payload: z.object({ updateId: id, divisionId: id, title: z.string(), requiresAck: z.boolean() }) },
  'kb_update.reminded': { description: 'People who had not acknowledged an update were reminded', payload: z.object({ updateId: id, userIds: z.array(id) }) },
  'kb_contact.requested': { description: 'A help-center visitor asked to be contacted', payload: z.object({ requestId: id, articleId: id.nullable(), interactionId: id.nullable() }) },
  'routing_queue.changed': { description: 'A routing queue was created, changed or deleted', payload: z.object({ queueId: id, change: z.enum(['created', 'updated', 'deleted']) }) },
  'routing_task.assigned': { description: 'An agent accepted a routed task', payload: z.object({ taskId: id, queueId: id, agentId: id, channel: z.string(), waitSeconds: z.number(), callbackNumber: z.string().nullable() }) },
  'routing_task.ended': { description: 'A routed task ended (completed, abandoned, cancelled or expired)', payload: z.object({ taskId: id, queueId: id, reason: z.string() }) },
  'agent_state.changed': { description: 'An agent state changed', payload: z.object({ userId: id, state: z.string(), reason: z.string().nullable() }) },
  'webhook.pinged': {
    description: 'A test event sent on request from the admin console',
    payload: z.object({ webhookId: id, message: z.string() }),
  },
  'interaction.created': {
    description: 'A customer contact arrived (a call, a chat, …) and is live',
    payload: z.object({ interactionId: id, divisionId: id, channel: z.string(), direction: z.string() }),
  },
  'interaction.ended': {
    description: 'An interaction ended; its CDR fields are final',
    payload: z.object({ interactionId: id, divisionId: id, channel: z.string(), hangupBy: z.string(), endReason: z.string(), talkMs: z.number().nullable() }),
  },
  'contact.created': { description: 'A contact was created', payload: z.object({ contactId: id, divisionId: id }) },
  'contact.updated': { description: 'A contact was changed (names, identities, fields, tags, owner, …)', payload: z.object({ contactId: id, divisionId: id, changes: z.array(z.string()) }) },
  'contact.deleted': { description: 'A contact was deleted', payload: z.object({ contactId: id, divisionId: id }) },
  'contact.merged': { description: 'A duplicate contact was merged into another (the survivor keeps all history)', payload: z.object({ contactId: id, mergedContactId: id, divisionId: id }) },
  'order.created': { description: 'An order was recorded for a contact', payload: z.object({ orderId: id, contactId: id, externalId: z.string().nullable(), status: z.string() }) },
  'order.updated': { description: "An order's status changed", payload: z.object({ orderId: id, contactId: id, externalId: z.string().nullable(), status: z.string() }) },
  'ticket.created': { description: 'A ticket was created (by an agent, from an interaction, by API or from the help center)', payload: z.object({ ticketId: id, number: z.number(), divisionId: id, source: z.string() }) },
  'ticket.updated': { description: 'A ticket was changed (status, priority, assignee, fields, …)', payload: z.object({ ticketId: id, number: z.number(), divisionId: id, changes: z.array(z.string()) }) },
  'ticket.assigned': { description: 'A ticket was assigned to people (a user, or the members of a team or department); they are notified', payload: z.object({ ticketId: id, number: z.number(), subject: z.string(), userIds: z.array(id) }) },
  'ticket.merged': { description: 'A ticket was merged into another', payload: z.object({ ticketId: id, mergedTicketId: id }) },
  'ticket.sla_warning': { description: 'An SLA target of a ticket will breach soon', payload: z.object({ ticketId: id, number: z.number(), metric: z.string(), dueAt: z.string(), userIds: z.array(id) }) },
  'ticket.sla_breached': { description: 'An SLA target of a ticket breached; escalation actions ran', payload: z.object({ ticketId: id, number: z.number(), metric: z.string(), dueAt: z.string(), userIds: z.array(id) }) },
  'ticket_task.assigned': { description: 'A sub-task of a ticket was assigned to people (a user or a department); they are notified', payload: z.object({ taskId: id, ticketId: id, number: z.number(), title: z.string(), userIds: z.array(id) }) },
  'ticket_task.completed': { description: 'A sub-task was done; the ticket owner is notified', payload: z.object({ taskId: id, ticketId: id, number: z.number(), title: z.string(), userIds: z.array(id) }) },
} as const satisfies Record<string, { description: string; payload: z.ZodType }>;

export type EventType = keyof typeof eventCatalog;
export type EventPayload<T extends EventType> = z.infer<(typeof eventCatalog)[T]['payload']>;
export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventCatalog, value);
}

/** What subscribers and webhook receivers get. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  tenantId: string;
  occurredAt: string;
  data: EventPayload<T>;
}
