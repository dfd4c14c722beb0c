// CRM routes besides contacts (docs/crm.md): companies, custom field definitions, orders, imports and export.
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams, pageQuery } from '../platform/http/schemas.ts';
import type { CompaniesService } from './companies.service.ts';
import { companyCreateBody, companyPatchBody, fieldCreateBody, fieldPatchBody, importBody, orderCreateBody, orderPatchBody } from './crm-schemas.ts';
import type { ExportService } from './export.service.ts';
import type { FieldsService } from './fields.service.ts';
import type { ImportService } from './import/import.service.ts';
import type { OrdersService } from './orders.service.ts';

export interface CrmRoutesDeps {
  companies: CompaniesService;
  fields: FieldsService;
  orders: OrdersService;
  imports: ImportService;
  exports: ExportService;
}

/** Imports carry the whole file: 100k rows of CSV are about 10 MB. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

export function crmRoutes(app: App, d: CrmRoutesDeps): void {
  app.get('/api/v1/crm/companies', {
    config: { access: { permission: 'crm.read' } },
    schema: { tags: ['crm'], querystring: z.object({ q: z.string().max(200).optional(), limit: pageQuery.limit }) },
  }, async (request) => d.companies.list(actorOf(request), request.query));
  app.post('/api/v1/crm/companies', {
    config: { access: { permission: 'crm.manage' } },
    schema: { tags: ['crm'], body: companyCreateBody },
  }, async (request, reply) => reply.status(201).send(await d.companies.create(actorOf(request), request.body)));
  app.get('/api/v1/crm/companies/:id', {
    config: { access: { permission: 'crm.read', resources: { id: 'company' } } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request) => d.companies.get(actorOf(request), request.params.id));
  app.patch('/api/v1/crm/companies/:id', {
    config: { access: { permission: 'crm.manage', resources: { id: 'company' } } },
    schema: { tags: ['crm'], params: idParams, body: companyPatchBody },
  }, async (request) => d.companies.update(actorOf(request), request.params.id, request.body));

  app.get('/api/v1/crm/fields', {
    config: { access: { permission: 'crm.read' } },
    schema: { tags: ['crm'], querystring: z.object({ divisionId: z.uuid().optional() }) },
  }, async (request) => d.fields.list(actorOf(request), request.query.divisionId));
  app.post('/api/v1/crm/fields', {
    config: { access: { permission: 'crm.manage' } },
    schema: { tags: ['crm'], body: fieldCreateBody },
  }, async (request, reply) => reply.status(201).send(await d.fields.create(actorOf(request), request.body)));
  app.patch('/api/v1/crm/fields/:id', {
    config: { access: { permission: 'crm.manage', resources: { id: 'crm_field' } } },
    schema: { tags: ['crm'], params: idParams, body: fieldPatchBody },
  }, async (request) => d.fields.update(actorOf(request), request.params.id, request.body));
  app.delete('/api/v1/crm/fields/:id', {
    config: { access: { permission: 'crm.manage', resources: { id: 'crm_field' } } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request, reply) => {
    await d.fields.remove(actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.get('/api/v1/crm/orders', {
    config: { access: { permission: 'crm.read' } },
    schema: { tags: ['crm'], summary: 'Orders, e.g. the status lookup by external id that flows use', querystring: z.object({ externalId: z.string().max(200).optional(), limit: pageQuery.limit }) },
  }, async (request) => d.orders.list(actorOf(request), request.query));
  app.post('/api/v1/crm/orders', {
    config: { access: { permission: 'crm.manage' } },
    schema: { tags: ['crm'], body: orderCreateBody },
  }, async (request, reply) => reply.status(201).send(await d.orders.create(actorOf(request), request.body)));
  app.get('/api/v1/crm/orders/:id', {
    config: { access: { permission: 'crm.read', resources: { id: 'order' } } },
    schema: { tags: ['crm'], params: idParams },
  }, async (request) => d.orders.get(actorOf(request), request.params.id));
  app.patch('/api/v1/crm/orders/:id', {
    config: { access: { permission: 'crm.manage', resources: { id: 'order' } } },
    schema: { tags: ['crm'], params: idParams, body: orderPatchBody },
  }, async (request) => d.orders.update(actorOf(request), request.params.id, request.body));

  app.get('/api/v1/crm/imports', {
    config: { access: { permission: 'crm.manage' } },
    schema: { tags: ['crm'], querystring: z.object({ limit: pageQuery.limit }) },
  }, async (request) => d.imports.list(actorOf(request), request.query.limit));
  app.post('/api/v1/crm/imports', {
    bodyLimit: IMPORT_BODY_LIMIT,
    config: { access: { permission: 'crm.manage' } },
    schema: { tags: ['crm'], summary: 'Start a CSV import (or a dry run) as a background job', body: importBody },
  }, async (request, reply) => reply.status(202).send(await d.imports.create(actorOf(request), request.body)));
  app.get('/api/v1/crm/imports/:id', {
    config: { access: { permission: 'crm.manage', resources: { id: 'crm_import' } } },
    schema: { tags: ['crm'], summary: 'Import status and progress', params: idParams },
  }, async (request) => d.imports.get(actorOf(request), request.params.id));
  app.get('/api/v1/crm/imports/:id/errors', {
    config: { access: { permission: 'crm.manage', resources: { id: 'crm_import' } } },
    schema: { tags: ['crm'], summary: 'The per-row validation report', params: idParams, querystring: z.object(pageQuery) },
  }, async (request) => d.imports.errors(actorOf(request), request.params.id, request.query));

  app.get('/api/v1/crm/export', {
    config: { access: { permission: 'crm.manage' } },
    schema: { tags: ['crm'], summary: 'CSV of the contacts you see (masked without crm.reveal; audited)', querystring: z.object({ divisionId: z.uuid().optional(), tag: z.string().max(40).optional() }) },
  }, async (request, reply) =>
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="contacts.csv"')
      .send(await d.exports.csv(actorOf(request), request.query)),
  );
}
