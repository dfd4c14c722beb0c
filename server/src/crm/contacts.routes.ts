// Contact routes (docs/crm.md): contacts, lookup by identity, reveal, timeline and notes, consent, duplicates
// and merge.
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams, pageQuery } from '../platform/http/schemas.ts';
import type { ConsentsService } from './consents.service.ts';
import type { ContactsService } from './contacts.service.ts';
import { consentBody, contactCreateBody, contactPatchBody, noteBody, withdrawBody } from './crm-schemas.ts';
import type { DuplicatesService } from './duplicates.service.ts';
import { identityKinds } from './identities.ts';
import type { TimelineService } from './timeline.service.ts';
import type { OrdersService } from './orders.service.ts';

export interface ContactRoutesDeps {
  contacts: ContactsService;
  timeline: TimelineService;
  consents: ConsentsService;
  duplicates: DuplicatesService;
  orders: OrdersService;
}

const contact = { id: 'contact' } as const;
const pairParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), otherId: z.uuid({ message: 'must be a UUID' }) });

export function contactRoutes(app: App, d: ContactRoutesDeps): void {
  app.get('/api/v1/crm/contacts', {
    config: { access: { permission: 'crm.read' } },
    schema: {
      tags: ['crm'],
      summary: 'List contacts newest first, or search by name, company or phone/email fragment (q)',
      querystring: z.object({ q: z.string().max(200).optional(), tag: z.string().max(40).optional(), companyId: z.uuid().optional(), divisionId: z.uuid().optional(), ...pageQuery }),
    },
  }, async (request) => d.contacts.list(actorOf(request), request.query));

  app.post('/api/v1/crm/contacts', {
    config: { access: { permission: 'crm.manage' } },
    schema: { tags: ['crm'], body: contactCreateBody },
  }, async (request, reply) => reply.status(201).send(await d.contacts.create(actorOf(request), request.body)));

  app.get('/api/v1/crm/lookup', {
    config: { access: { permission: 'crm.read' } },
    schema: {
      tags: ['crm'],
      summary: 'Find the contact with an identity (screen pop, IVR); the phone may be in any common format',
      querystring: z.object({ kind: z.enum(identityKinds).default('phone'), value: z.string().min(1).max(300) }),
    },
  }, async (request) => {
    const found = await d.contacts.lookup(actorOf(request), request.query.kind, request.query.value);
    return { contact: found.contact, orders: found.orders.map((o) => ({ id: o.id, externalId: o.external_id, status: o.status, currency: o.currency, amount: o.amount, orderedAt: new Date(o.ordered_at as string).toISOString() })) };
  });

  app.get('/api/v1/crm/duplicates', {
    config: { access: { permission: 'crm.read' } },
    schema: { tags: ['crm'], summary: 'Suggested duplicate contacts (same phone line or mailbox, similar names)', querystring: z.object({ limit: pageQuery.limit }) },
  }, async (request) => d.duplicates.suggestions(actorOf(request), { limit: request.query.limit }));

  app.get('/api/v1/crm/contacts/:id', {
    config: { access: { permission: 'crm.read', resources: contact } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request) => d.contacts.get(actorOf(request), request.params.id));

  app.patch('/api/v1/crm/contacts/:id', {
    config: { access: { permission: 'crm.manage', resources: contact } },
    schema: { tags: ['crm'], params: idParams, body: contactPatchBody },
  }, async (request) => d.contacts.update(actorOf(request), request.params.id, request.body));

  app.delete('/api/v1/crm/contacts/:id', {
    config: { access: { permission: 'crm.manage', resources: contact } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request, reply) => {
    await d.contacts.remove(actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.post('/api/v1/crm/contacts/:id/reveal', {
    config: { access: { permission: 'crm.reveal', resources: contact } },
    schema: { tags: ['crm'], summary: 'The contact with unmasked phones and emails (audited)', params: idParams },
  }, async (request) => d.contacts.reveal(actorOf(request), request.params.id));

  app.get('/api/v1/crm/contacts/:id/timeline', {
    config: { access: { permission: 'crm.read', resources: contact } },
    schema: { tags: ['crm'], params: idParams, querystring: z.object({ kinds: z.string().max(300).optional(), ...pageQuery }) },
  }, async (request) =>
    d.timeline.list(actorOf(request), request.params.id, { limit: request.query.limit, cursor: request.query.cursor, kinds: request.query.kinds?.split(',').filter(Boolean) }),
  );

  app.post('/api/v1/crm/contacts/:id/notes', {
    config: { access: { permission: 'crm.manage', resources: contact } },
    schema: { tags: ['crm'], params: idParams, body: noteBody },
  }, async (request, reply) => reply.status(201).send(await d.timeline.addNote(actorOf(request), request.params.id, request.body.text)));

  app.get('/api/v1/crm/contacts/:id/orders', {
    config: { access: { permission: 'crm.read', resources: contact } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request) => d.orders.list(actorOf(request), { contactId: request.params.id, limit: 200 }));

  app.get('/api/v1/crm/contacts/:id/consents', {
    config: { access: { permission: 'crm.read', resources: contact } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request) => d.consents.list(actorOf(request), request.params.id));

  app.post('/api/v1/crm/contacts/:id/consents', {
    config: { access: { permission: 'crm.manage', resources: contact } },
    schema: { tags: ['crm'], summary: 'Record a consent answer (purpose, granted, source)', params: idParams, body: consentBody },
  }, async (request, reply) => reply.status(201).send(await d.consents.record(actorOf(request), request.params.id, request.body)));

  app.post('/api/v1/crm/contacts/:id/consents/withdraw', {
    config: { access: { permission: 'crm.manage', resources: contact } },
    schema: { tags: ['crm'], params: idParams, body: withdrawBody },
  }, async (request) => d.consents.withdraw(actorOf(request), request.params.id, request.body));

  app.get('/api/v1/crm/contacts/:id/duplicates', {
    config: { access: { permission: 'crm.read', resources: contact } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request) => d.duplicates.suggestions(actorOf(request), { contactId: request.params.id, limit: 20 }));

  app.get('/api/v1/crm/contacts/:id/merge/:otherId', {
    config: { access: { permission: 'crm.manage', resources: { id: 'contact', otherId: 'contact' } } },
    schema: { tags: ['crm'], summary: 'Preview merging otherId into id (nothing is written)', params: pairParams },
  }, async (request) => d.duplicates.preview(actorOf(request), request.params.id, request.params.otherId));

  app.post('/api/v1/crm/contacts/:id/merge/:otherId', {
    config: { access: { permission: 'crm.manage', resources: { id: 'contact', otherId: 'contact' } } },
    schema: { tags: ['crm'], summary: 'Merge otherId into id, keeping every identity, note, order and timeline entry (audited)', params: pairParams },
  }, async (request) => d.duplicates.merge(actorOf(request), request.params.id, request.params.otherId));
}
