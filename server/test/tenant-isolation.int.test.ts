// Tenant isolation, generated from the route table: every route registered now or later is covered.
//
// Tenant A (the demo tenant) owns one object of every resource kind. An admin of tenant B then calls every
// route that takes an id with A's ids and must get 404 (never 403, which would confirm the object exists),
// and every list route must not show any of A's ids. Afterwards A's objects must be unchanged. A route whose
// path parameter declares no resource kind, or a kind without a fixture here, fails the suite.
import { sql } from 'drizzle-orm';
import type { ZodType } from 'zod';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemActor } from '../src/platform/auth/actor.ts';
import type { ResourceKind, RouteTableEntry } from '../src/platform/http/access.ts';
import { Database } from '../src/platform/db/database.ts';
import { createTenant } from '../src/platform/tenancy/tenants.service.ts';
import { UsersService } from '../src/platform/tenancy/users.service.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { storedTestRecording, type VoiceModule } from './voice-fixtures.ts';
import { attachmentInteractions, storedTestAttachment } from './webchat-fixtures.ts';
import { soxTone, uploadPrompt } from './flow-prompt-fixtures.ts';

/** How to make one object of each kind in a tenant, through the API, and how to read it back. */
const fixtures = {
  user: {
    create: async (c: TestClient) =>
      (await c.post('/api/v1/users', { email: 'iso-user@demo.kefu', name: '隔离 User', password: 'isolation-pw-1', roles: ['agent'], divisionIds: [] })).body.id,
    read: (id: string) => `/api/v1/users/${id}`,
  },
  division: {
    create: async (c: TestClient) => (await c.post('/api/v1/divisions', { name: 'Isolation division' })).body.id,
    read: (id: string) => `/api/v1/divisions/${id}`,
  },
  role: {
    create: async (c: TestClient) => (await c.post('/api/v1/roles', { key: 'iso_role', name: 'Isolation role', permissions: ['users.read'] })).body.id,
    read: (id: string) => `/api/v1/roles/${id}`,
  },
  api_key: {
    create: async (c: TestClient) => (await c.post('/api/v1/api-keys', { name: 'Isolation key', scopes: ['users.read'] })).body.apiKey.id,
    read: () => `/api/v1/api-keys`,
  },
  webhook: {
    create: async (c: TestClient) => (await c.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['user.created'] })).body.webhook.id,
    read: (id: string) => `/api/v1/webhooks/${id}`,
  },
  voice_trunk: { create: async (c: TestClient) => (await c.post('/api/v1/voice/trunks', { divisionId: (await c.get('/api/v1/divisions')).body[0].id, name: 'Isolation trunk', kind: 'inbound_ip', inboundAddresses: ['192.0.2.10'] })).body.id, read: (id: string) => `/api/v1/voice/trunks/${id}` },
  voice_number: { create: async (c: TestClient) => (await c.post('/api/v1/voice/numbers', { divisionId: (await c.get('/api/v1/divisions')).body[0].id, number: '+861012345' })).body.id, read: (id: string) => `/api/v1/voice/numbers/${id}` },
  voice_extension: { create: async (c: TestClient) => (await c.post('/api/v1/voice/extensions', { divisionId: (await c.get('/api/v1/divisions')).body[0].id, extension: '7777' })).body.id, read: (id: string) => `/api/v1/voice/extensions/${id}` },
  voice_outbound_rule: { create: async (c: TestClient) => (await c.post('/api/v1/voice/outbound-rules', { divisionId: (await c.get('/api/v1/divisions')).body[0].id, trunkId: (await c.get('/api/v1/voice/trunks')).body[0].id, allowedPrefixes: ['+86'] })).body.id, read: () => `/api/v1/voice/outbound-rules` },
  interaction: { create: async (c: TestClient) => (await (server.kefu.modules.voice as VoiceModule).interactions.open((await c.get('/api/v1/me')).body.tenant.id, { divisionId: (await c.get('/api/v1/divisions')).body[0].id, channel: 'voice', direction: 'inbound', from: '13800000000', to: '4000' })).id, read: (id: string) => `/api/v1/interactions/${id}` },
  recording: { create: async (c: TestClient) => storedTestRecording(server.kefu.modules.voice as VoiceModule, (await c.get('/api/v1/me')).body.tenant.id, (await c.get('/api/v1/divisions')).body[0].id), read: (id: string) => `/api/v1/recordings/${id}` },
  kb_space: { create: async (c: TestClient) => (await c.post('/api/v1/kb/spaces', { divisionId: (await c.get('/api/v1/divisions')).body[0].id, name: 'Isolation space', visibility: 'both' })).body.id, read: (id: string) => `/api/v1/kb/spaces/${id}` },
  kb_category: { create: async (c: TestClient) => (await c.post('/api/v1/kb/categories', { spaceId: (await c.get('/api/v1/kb/spaces')).body[0].id, name: 'Isolation category' })).body.id, read: (id: string) => `/api/v1/kb/categories/${id}` },
  kb_article: { create: async (c: TestClient) => (await c.post('/api/v1/kb/articles', { spaceId: (await c.get('/api/v1/kb/spaces')).body[0].id, language: 'en', title: 'Isolation article', body: 'isolation' })).body.id, read: (id: string) => `/api/v1/kb/articles/${id}` },
  kb_update: { create: async (c: TestClient) => (await c.post('/api/v1/kb/updates', { divisionId: (await c.get('/api/v1/divisions')).body[0].id, title: 'Isolation update', body: 'isolation' })).body.id, read: (id: string) => `/api/v1/kb/updates/${id}` },
  kb_attachment: { create: async (c: TestClient) => (await c.request('POST', `/api/v1/kb/articles/${(await c.get('/api/v1/kb/articles')).body[0].id}/attachments?name=isolation.txt`, 'isolation', { 'content-type': 'text/plain' })).body.id, read: (id: string) => `/api/v1/kb/attachments/${id}/info` },
  kb_synonym: { create: async (c: TestClient) => (await c.post('/api/v1/kb/synonyms', { terms: ['isolation', 'separation'] })).body.id, read: () => `/api/v1/kb/synonyms` },
  company: { create: async (c: TestClient) => (await c.post('/api/v1/crm/companies', { name: 'Isolation company' })).body.id, read: (id: string) => `/api/v1/crm/companies/${id}` },
  contact: { create: async (c: TestClient) => (await c.post('/api/v1/crm/contacts', { displayName: '隔离 Contact', identities: [{ kind: 'phone', value: '13900000099' }] })).body.id, read: (id: string) => `/api/v1/crm/contacts/${id}` },
  crm_field: { create: async (c: TestClient) => (await c.post('/api/v1/crm/fields', { key: 'iso_field', label: 'Isolation field', type: 'text' })).body.id, read: () => `/api/v1/crm/fields` },
  order: { create: async (c: TestClient) => (await c.post('/api/v1/crm/orders', { contactId: (await c.get('/api/v1/crm/lookup?value=13900000099')).body.contact.id, externalId: 'ISO-1', status: 'paid', currency: 'CNY', amount: '1.00' })).body.id, read: (id: string) => `/api/v1/crm/orders/${id}` },
  crm_import: { create: async (c: TestClient) => (await c.post('/api/v1/crm/imports', { content: 'name,phone\nIso,13900000098\n', dryRun: true })).body.id, read: (id: string) => `/api/v1/crm/imports/${id}` },
  routing_queue: { create: async (c: TestClient) => (await c.post('/api/v1/routing/queues', { name: 'Isolation queue', divisionId: (await c.get('/api/v1/divisions')).body[0].id })).body.id, read: (id: string) => `/api/v1/routing/queues/${id}` },
  routing_skill: { create: async (c: TestClient) => (await c.post('/api/v1/routing/skills', { name: 'isolation' })).body.id, read: (id: string) => `/api/v1/routing/skills/${id}` },
  routing_away_reason: { create: async (c: TestClient) => (await c.post('/api/v1/routing/away-reasons', { name: 'Isolation' })).body.id, read: (id: string) => `/api/v1/routing/away-reasons/${id}` },
  routing_task: { create: async (c: TestClient) => (await c.post('/api/v1/routing/tasks', { queueId: (await c.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'General').id, channel: 'voice' })).body.taskId, read: (id: string) => `/api/v1/routing/tasks/${id}` },
  chat_widget: { create: async (c: TestClient) => (await c.post('/api/v1/webchat/widgets', { name: 'Isolation widget', divisionId: (await c.get('/api/v1/divisions')).body[0].id, allowedOrigins: ['https://iso.example'] })).body.id, read: (id: string) => `/api/v1/webchat/widgets/${id}` },
  chat_attachment: { create: async (c: TestClient) => storedTestAttachment(server.kefu, (await c.get('/api/v1/me')).body.tenant.id, (await c.get('/api/v1/divisions')).body[0].id), read: (id: string) => `/api/v1/interactions/${attachmentInteractions.get(id)}/messages` },
  flow: { create: async (c: TestClient) => (await c.post('/api/v1/flows', { divisionId: (await c.get('/api/v1/divisions')).body[0].id, name: 'Isolation flow', channel: 'chat' })).body.id, read: (id: string) => `/api/v1/flows/${id}` },
  flow_secret: { create: async (c: TestClient) => (await c.post('/api/v1/flow-secrets', { name: 'iso_secret', value: 'isolation' })).body.id, read: () => `/api/v1/flow-secrets` },
  flow_session: { create: async (c: TestClient) => (await c.post(`/api/v1/flows/${(await c.get('/api/v1/flows')).body.find((f: { name: string }) => f.name === 'Isolation flow').id}/simulations`, {})).body.id, read: (id: string) => `/api/v1/flow-simulations/${id}` },
  flow_prompt: { create: async (c: TestClient) => (await uploadPrompt(c, 'Isolation prompt', soxTone('wav', 0.5, ['-r', '8000', '-c', '1']))).body.id, read: (id: string) => `/api/v1/flow-prompts/${id}` },
  ticket_group: { create: async (c: TestClient) => (await c.post('/api/v1/ticket-groups', { name: 'Isolation department' })).body.id, read: (id: string) => `/api/v1/ticket-groups/${id}` },
  ticket: { create: async (c: TestClient) => (await c.post('/api/v1/tickets', { subject: 'Isolation ticket' })).body.id, read: (id: string) => `/api/v1/tickets/${id}` },
  ticket_task: { create: async (c: TestClient) => (await c.post(`/api/v1/tickets/${(await c.get('/api/v1/tickets?q=Isolation')).body.items[0].id}/tasks`, { title: 'Isolation task', assigneeUserId: (await c.get('/api/v1/me')).body.user.id })).body.id, read: () => `/api/v1/ticket-tasks` },
  ticket_calendar: { create: async (c: TestClient) => (await c.post('/api/v1/ticket-calendars', { name: 'Isolation hours', hours: [[], [[540, 1080]], [[540, 1080]], [[540, 1080]], [[540, 1080]], [[540, 1080]], []] })).body.id, read: (id: string) => `/api/v1/ticket-calendars/${id}` },
  ticket_sla_policy: { create: async (c: TestClient) => (await c.post('/api/v1/ticket-sla-policies', { divisionId: (await c.get('/api/v1/divisions')).body.find((d: { name: string }) => d.name === 'Isolation division').id, priority: 'urgent', firstResponseMinutes: 60 })).body.id, read: (id: string) => `/api/v1/ticket-sla-policies/${id}` },
  ticket_macro: { create: async (c: TestClient) => (await c.post('/api/v1/ticket-macros', { name: 'Isolation macro', actions: { set: { priority: 'high' } } })).body.id, read: (id: string) => `/api/v1/ticket-macros/${id}` },
} satisfies Record<ResourceKind, { create: (c: TestClient) => Promise<string>; read: (id: string) => string }>;

let server: TestKefu;
let adminA: TestClient;
let adminB: TestClient;
let tenantA: string;
let tenantB: string;
const idsA = {} as Record<ResourceKind, string>;

beforeAll(async () => {
  server = await startKefu();
  adminA = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  tenantA = (await adminA.get('/api/v1/me')).body.tenant.id;
  tenantB = await server.kefu.database.withSystem(async (tx) => {
    const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Tenant B', slug: 'tenant-b' });
    await UsersService.insert(tx, systemActor(tenant.id), { email: 'admin@b.example', name: 'B Admin', password: 'tenant-b-pw-1', roles: ['admin'], divisionIds: [defaultDivisionId] });
    return tenant.id;
  });
  adminB = await TestClient.login(server.baseUrl, 'admin@b.example', 'tenant-b-pw-1');
  for (const [kind, fixture] of Object.entries(fixtures) as [ResourceKind, (typeof fixtures)[ResourceKind]][]) {
    idsA[kind] = await fixture.create(adminA);
    expect(idsA[kind], `fixture ${kind}`).toMatch(/^[0-9a-f-]{36}$/);
  }
});
afterAll(async () => server?.stop());

const paramNames = (url: string) => [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
const withIds = (route: RouteTableEntry) => paramNames(route.url).length > 0;

/**
 * Valid bodies for id-taking write routes whose schema needs more than `{}`, keyed by "METHOD url", so that
 * validation cannot answer before the tenant check does. Add one when a route requires fields.
 */
const sampleBodies: Record<string, unknown> = {
  'POST /api/v1/flows/:id/rollback': { version: 1 },
  'PATCH /api/v1/flow-prompts/:id': { name: 'isolation' },
  'POST /api/v1/tickets/:id/comments': { body: 'isolation' },
  'POST /api/v1/tickets/:id/tasks': { title: 'isolation', assigneeGroupId: null },
  'POST /api/v1/interactions/:id/voice/dtmf': { digits: '1' },
  'POST /api/v1/interactions/:id/voice/transfer': { target: { kind: 'extension', extension: '1001' } },
  'POST /api/v1/interactions/:id/voice/consult': { target: { kind: 'extension', extension: '1001' } },
  'POST /api/v1/interactions/:id/voice/monitor': { mode: 'listen' },
  'POST /api/v1/chats/:id/messages': { clientMessageId: 'iso-1', text: 'isolation' },
  'POST /api/v1/chats/:id/read': { seq: 1 },
  'POST /api/v1/chats/:id/typing': { on: true },
};

/** A body the route's schema accepts, so that validation cannot answer before the tenant check does. */
function bodyFor(route: RouteTableEntry): unknown {
  if (route.method === 'GET' || route.method === 'DELETE') return undefined;
  const schema = route.bodySchema as ZodType | undefined;
  if (!schema) return undefined;
  const key = `${route.method} ${route.url}`;
  if (key in sampleBodies) {
    const sample = schema.safeParse(sampleBodies[key]);
    if (!sample.success) throw new Error(`the isolation suite's sample body for ${key} no longer fits its schema`);
    return sampleBodies[key];
  }
  if (schema.safeParse({}).success) return {};
  throw new Error(`route ${key}: add a valid body for it to sampleBodies in the isolation suite`);
}

describe('tenant isolation over every route', () => {
  test('every id-taking route declares the resource kind of each parameter', () => {
    const missing = server.kefu.routeTable
      .filter(withIds)
      // Public routes (the help center, by tenant slug) carry no tenant's private objects; their own tests check that.
      .filter((r) => !('public' in r.access) && paramNames(r.url).some((p) => !('resources' in r.access) || !r.access.resources?.[p]));
    expect(missing.map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  test('the route table has routes to check', () => {
    expect(server.kefu.routeTable.filter(withIds).length).toBeGreaterThanOrEqual(14);
  });

  test("tenant B gets 404 for tenant A's objects on every route that takes an id", async () => {
    const answers: string[] = [];
    for (const route of server.kefu.routeTable.filter(withIds)) {
      if ('public' in route.access) continue;
      let url = route.url;
      for (const param of paramNames(route.url)) url = url.replace(`:${param}`, idsA[route.access.resources![param]!]);
      const reply = await adminB.request(route.method, url, bodyFor(route));
      answers.push(`${route.method} ${route.url} → ${reply.status} ${reply.body?.error?.code ?? ''}`.trim());
    }
    expect(answers.filter((a) => !a.endsWith('→ 404 NOT_FOUND'))).toEqual([]);
  });

  test("no list route shows tenant B any of tenant A's ids", async () => {
    const leaks: string[] = [];
    for (const route of server.kefu.routeTable) {
      if (route.method !== 'GET' || withIds(route) || 'public' in route.access) continue;
      const reply = await adminB.get(route.url);
      const text = JSON.stringify(reply.body);
      for (const [kind, id] of Object.entries(idsA)) if (text.includes(id)) leaks.push(`${route.url} shows ${kind} ${id}`);
      if (text.includes(tenantA)) leaks.push(`${route.url} shows tenant A's id`);
    }
    expect(leaks).toEqual([]);
  });

  test("tenant A's objects are untouched after tenant B's attempts", async () => {
    for (const [kind, fixture] of Object.entries(fixtures) as [ResourceKind, (typeof fixtures)[ResourceKind]][]) {
      const reply = await adminA.get(fixture.read(idsA[kind]));
      expect(reply.status, kind).toBe(200);
      expect(JSON.stringify(reply.body)).toContain(idsA[kind]);
    }
    const key = (await adminA.get('/api/v1/api-keys')).body.find((k: { id: string }) => k.id === idsA.api_key);
    expect(key.revokedAt).toBeNull();
  });
});

/** Drizzle wraps driver errors; PostgreSQL's own message is on the cause. */
const causeMessage = (value: unknown): string => {
  const err = value as { message?: string; cause?: { message?: string } } | undefined;
  return err?.cause?.message ?? err?.message ?? 'no error';
};

describe('row-level security in SQL', () => {
  const tenantTables = async (db: Database) =>
    (
      await db.withSystem((tx) =>
        tx.execute<{ table_name: string }>(sql`
          SELECT table_name FROM information_schema.columns
          WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name`),
      )
    ).rows.map((r) => r.table_name);

  test('the application role without a tenant setting sees no rows of any tenant table', async () => {
    const db = server.kefu.database;
    const tables = await tenantTables(db);
    expect(tables.length).toBeGreaterThanOrEqual(12);
    const client = await db.pool.connect();
    try {
      // The application logs in as kefu_app itself: no superuser session it could RESET ROLE back to.
      expect((await client.query('SELECT current_user AS u, session_user AS s')).rows[0]).toEqual({ u: 'kefu_app', s: 'kefu_app' });
      for (const table of [...tables, 'tenants']) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(0);
      }
    } finally {
      client.release();
    }
  });

  test("a transaction scoped to tenant B sees none of tenant A's rows, and cannot write them", async () => {
    const db = server.kefu.database;
    for (const table of await tenantTables(db)) {
      const rows = await db.withTenant(tenantB, (tx) => tx.execute<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id <> '${tenantB}'`)));
      expect(rows.rows[0]!.n, table).toBe(0);
    }
    const smuggle = await db
      .withTenant(tenantB, (tx) => tx.execute(sql`INSERT INTO divisions (tenant_id, name) VALUES (${tenantA}, 'smuggled')`))
      .catch((err: Error) => err);
    expect(causeMessage(smuggle)).toMatch(/row-level security/);
    const updated = await db.withTenant(tenantB, (tx) => tx.execute(sql`UPDATE users SET name = 'hijacked' WHERE tenant_id = ${tenantA}`));
    expect(updated.rowCount).toBe(0);
  });

  test('the application role cannot rewrite or delete the audit log', async () => {
    const attempt = await server.kefu.database
      .withTenant(tenantA, (tx) => tx.execute(sql`DELETE FROM audit_log WHERE tenant_id = ${tenantA}`))
      .catch((err: Error) => err);
    expect(causeMessage(attempt)).toMatch(/permission denied/);
  });
});
