// Administration routes: users, divisions, roles, API keys, webhooks and the audit log (docs/api.md).
import { z } from 'zod';
import {
  apiKeySchema,
  auditEntrySchema,
  createdApiKeySchema,
  createdWebhookSchema,
  divisionSchema,
  eventCatalog,
  eventCatalogEntrySchema,
  pageOf,
  permissionInfoSchema,
  roleSchema,
  userSchema,
  webhookDeliverySchema,
  webhookSchema,
} from '@kefu/contracts';
import type { ApiKeysService } from '../auth/api-keys.service.ts';
import { permissions } from '../auth/permissions.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { actorOf } from '../http/access.ts';
import type { App } from '../http/server.ts';
import { displayName, email, idParams, locale, pageQuery, password } from '../http/schemas.ts';
import type { DivisionsService } from '../tenancy/divisions.service.ts';
import type { RolesService } from '../tenancy/roles.service.ts';
import type { UsersService } from '../tenancy/users.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';

export interface AdminRoutesDeps {
  users: UsersService;
  divisions: DivisionsService;
  roles: RolesService;
  apiKeys: ApiKeysService;
  webhooks: WebhooksService;
  audit: AuditService;
}

const roleKeys = z.array(z.string().min(1).max(64)).max(20);
const divisionIds = z.array(z.uuid({ message: 'must be a list of division ids' })).max(500);
const roleKey = z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, 'must be lowercase letters, digits and _ (2-41 characters)');
const permissionList = z.array(z.string().max(64)).max(100);
const eventList = z.array(z.string().max(64)).max(100);
const url = z.string().max(2000);

export function adminRoutes(app: App, d: AdminRoutesDeps): void {
  // Users
  app.get('/api/v1/users', {
    config: { access: { permission: 'users.read' } },
    schema: { tags: ['users'], querystring: z.object({ q: z.string().max(200).optional(), ...pageQuery }), response: { 200: pageOf(userSchema) } },
  }, async (request) => d.users.list(actorOf(request), request.query));

  app.post('/api/v1/users', {
    config: { access: { permission: 'users.manage' } },
    schema: {
      tags: ['users'],
      body: z.strictObject({ email, name: displayName, password, roles: roleKeys, divisionIds, locale: locale.optional() }),
      response: { 201: userSchema },
    },
  }, async (request, reply) => reply.status(201).send(await d.users.create(actorOf(request), request.body)));

  app.get('/api/v1/users/:id', {
    config: { access: { permission: 'users.read', resources: { id: 'user' } } },
    schema: { tags: ['users'], params: idParams, response: { 200: userSchema } },
  }, async (request) => d.users.get(actorOf(request), request.params.id));

  app.patch('/api/v1/users/:id', {
    config: { access: { permission: 'users.manage', resources: { id: 'user' } } },
    schema: {
      tags: ['users'],
      params: idParams,
      body: z.strictObject({
        name: displayName.optional(),
        roles: roleKeys.optional(),
        divisionIds: divisionIds.optional(),
        status: z.enum(['active', 'disabled']).optional(),
        password: password.optional(),
        locale: locale.optional(),
      }),
      response: { 200: userSchema },
    },
  }, async (request) => d.users.update(actorOf(request), request.params.id, request.body));

  // Divisions
  app.get('/api/v1/divisions', { config: { access: { permission: 'divisions.read' } }, schema: { tags: ['divisions'], response: { 200: z.array(divisionSchema) } } }, async (request) =>
    d.divisions.list(actorOf(request)),
  );
  app.post('/api/v1/divisions', {
    config: { access: { permission: 'divisions.manage' } },
    schema: { tags: ['divisions'], body: z.strictObject({ name: displayName, description: z.string().max(2000).optional() }), response: { 201: divisionSchema } },
  }, async (request, reply) => reply.status(201).send(await d.divisions.create(actorOf(request), request.body)));
  app.get('/api/v1/divisions/:id', {
    config: { access: { permission: 'divisions.read', resources: { id: 'division' } } },
    schema: { tags: ['divisions'], params: idParams, response: { 200: divisionSchema } },
  }, async (request) => d.divisions.get(actorOf(request), request.params.id));
  app.patch('/api/v1/divisions/:id', {
    config: { access: { permission: 'divisions.manage', resources: { id: 'division' } } },
    schema: { tags: ['divisions'], params: idParams, body: z.strictObject({ name: displayName.optional(), description: z.string().max(2000).optional() }), response: { 200: divisionSchema } },
  }, async (request) => d.divisions.update(actorOf(request), request.params.id, request.body));
  app.delete('/api/v1/divisions/:id', {
    config: { access: { permission: 'divisions.manage', resources: { id: 'division' } } },
    schema: { tags: ['divisions'], params: idParams },
  }, async (request, reply) => {
    await d.divisions.remove(actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  // Roles and permissions
  app.get('/api/v1/permissions', { config: { access: { permission: 'roles.read' } }, schema: { tags: ['roles'], response: { 200: z.array(permissionInfoSchema) } } }, async () =>
    Object.entries(permissions).map(([key, description]) => ({ key, description })),
  );
  app.get('/api/v1/roles', { config: { access: { permission: 'roles.read' } }, schema: { tags: ['roles'], response: { 200: z.array(roleSchema) } } }, async (request) =>
    d.roles.list(actorOf(request)),
  );
  app.post('/api/v1/roles', {
    config: { access: { permission: 'roles.manage' } },
    schema: { tags: ['roles'], body: z.strictObject({ key: roleKey, name: displayName, permissions: permissionList }), response: { 201: roleSchema } },
  }, async (request, reply) => reply.status(201).send(await d.roles.create(actorOf(request), request.body)));
  app.get('/api/v1/roles/:id', {
    config: { access: { permission: 'roles.read', resources: { id: 'role' } } },
    schema: { tags: ['roles'], params: idParams, response: { 200: roleSchema } },
  }, async (request) => d.roles.get(actorOf(request), request.params.id));
  app.patch('/api/v1/roles/:id', {
    config: { access: { permission: 'roles.manage', resources: { id: 'role' } } },
    schema: { tags: ['roles'], params: idParams, body: z.strictObject({ name: displayName.optional(), permissions: permissionList.optional() }), response: { 200: roleSchema } },
  }, async (request) => d.roles.update(actorOf(request), request.params.id, request.body));
  app.delete('/api/v1/roles/:id', {
    config: { access: { permission: 'roles.manage', resources: { id: 'role' } } },
    schema: { tags: ['roles'], params: idParams },
  }, async (request, reply) => {
    await d.roles.remove(actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  // API keys
  app.get('/api/v1/api-keys', { config: { access: { permission: 'apikeys.manage' } }, schema: { tags: ['api-keys'], response: { 200: z.array(apiKeySchema) } } }, async (request) =>
    d.apiKeys.list(actorOf(request)),
  );
  app.post('/api/v1/api-keys', {
    config: { access: { permission: 'apikeys.manage' } },
    schema: { tags: ['api-keys'], body: z.strictObject({ name: displayName, scopes: permissionList.min(1, 'choose at least one scope') }), response: { 201: createdApiKeySchema } },
  }, async (request, reply) => reply.status(201).send(await d.apiKeys.create(actorOf(request), request.body)));
  app.delete('/api/v1/api-keys/:id', {
    config: { access: { permission: 'apikeys.manage', resources: { id: 'api_key' } } },
    schema: { tags: ['api-keys'], params: idParams },
  }, async (request, reply) => {
    await d.apiKeys.revoke(actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  // Webhooks
  app.get('/api/v1/events/catalog', { config: { access: { permission: 'webhooks.manage' } }, schema: { tags: ['webhooks'], response: { 200: z.array(eventCatalogEntrySchema) } } }, async () =>
    Object.entries(eventCatalog).map(([type, entry]) => ({ type, description: entry.description })),
  );
  app.get('/api/v1/webhooks', { config: { access: { permission: 'webhooks.manage' } }, schema: { tags: ['webhooks'], response: { 200: z.array(webhookSchema) } } }, async (request) =>
    d.webhooks.list(actorOf(request)),
  );
  app.post('/api/v1/webhooks', {
    config: { access: { permission: 'webhooks.manage' } },
    schema: { tags: ['webhooks'], body: z.strictObject({ url, events: eventList, active: z.boolean().optional() }), response: { 201: createdWebhookSchema } },
  }, async (request, reply) => reply.status(201).send(await d.webhooks.create(actorOf(request), request.body)));
  app.get('/api/v1/webhooks/:id', {
    config: { access: { permission: 'webhooks.manage', resources: { id: 'webhook' } } },
    schema: { tags: ['webhooks'], params: idParams, response: { 200: webhookSchema } },
  }, async (request) => d.webhooks.get(actorOf(request), request.params.id));
  app.patch('/api/v1/webhooks/:id', {
    config: { access: { permission: 'webhooks.manage', resources: { id: 'webhook' } } },
    schema: { tags: ['webhooks'], params: idParams, body: z.strictObject({ url: url.optional(), events: eventList.optional(), active: z.boolean().optional() }), response: { 200: webhookSchema } },
  }, async (request) => d.webhooks.update(actorOf(request), request.params.id, request.body));
  app.delete('/api/v1/webhooks/:id', {
    config: { access: { permission: 'webhooks.manage', resources: { id: 'webhook' } } },
    schema: { tags: ['webhooks'], params: idParams },
  }, async (request, reply) => {
    await d.webhooks.remove(actorOf(request), request.params.id);
    return reply.status(204).send();
  });
  app.post('/api/v1/webhooks/:id/ping', {
    config: { access: { permission: 'webhooks.manage', resources: { id: 'webhook' } } },
    schema: { tags: ['webhooks'], summary: 'Send a test event to this webhook', params: idParams },
  }, async (request, reply) => reply.status(202).send(await d.webhooks.ping(actorOf(request), request.params.id)));
  app.get('/api/v1/webhooks/:id/deliveries', {
    config: { access: { permission: 'webhooks.manage', resources: { id: 'webhook' } } },
    schema: { tags: ['webhooks'], params: idParams, querystring: z.object({ limit: pageQuery.limit }), response: { 200: z.array(webhookDeliverySchema) } },
  }, async (request) => d.webhooks.deliveries(actorOf(request), request.params.id, request.query.limit));

  // Audit log
  app.get('/api/v1/audit', {
    config: { access: { permission: 'audit.read' } },
    schema: {
      tags: ['audit'],
      querystring: z.object({
        action: z.string().max(100).optional(),
        actorId: z.uuid().optional(),
        from: z.coerce.date().optional(),
        to: z.coerce.date().optional(),
        ...pageQuery,
      }),
      response: { 200: pageOf(auditEntrySchema) },
    },
  }, async (request) => d.audit.list(actorOf(request), request.query));
}
