// CRM end to end through the API: identities and lookup, masking and audited reveal, custom fields, search,
// timeline, consent, duplicates and merge, division scoping and export.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { hasConsent } from '../src/crm/consents.service.ts';
import { addTimelineEntry } from '../src/crm/timeline.service.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
let admin: TestClient;
let agent: TestClient;
let tenantId: string;

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
  tenantId = (await admin.get('/api/v1/me')).body.tenant.id;
});
afterAll(async () => server?.stop());

const newContact = async (body: Record<string, unknown>) => {
  const reply = await admin.post('/api/v1/crm/contacts', body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body;
};

describe('identities and lookup', () => {
  test('a contact is found by its phone written in any common format, with its orders', async () => {
    const c = await newContact({ displayName: '赵敏', identities: [{ kind: 'phone', value: '+86 135 0000 1111' }, { kind: 'email', value: 'Zhao.Min@Example.com' }] });
    await admin.post('/api/v1/crm/orders', { contactId: c.id, externalId: 'SO-LOOKUP-1', status: 'shipped', currency: 'CNY', amount: '88.50' });
    for (const format of ['13500001111', '135-0000-1111', '0086 135 0000 1111', '１３５００００１１１１']) {
      const reply = await admin.get(`/api/v1/crm/lookup?value=${encodeURIComponent(format)}`);
      expect(reply.status, format).toBe(200);
      expect(reply.body.contact.id).toBe(c.id);
      expect(reply.body.orders).toEqual([expect.objectContaining({ externalId: 'SO-LOOKUP-1', status: 'shipped', amount: '88.50', currency: 'CNY' })]);
    }
    expect((await admin.get('/api/v1/crm/lookup?kind=email&value=zhao.min%40example.com')).body.contact.id).toBe(c.id);
  });

  test('a caller from a PBX line is found by the number of a contact stored with an extension', async () => {
    const c = await newContact({ displayName: '钱进', identities: [{ kind: 'phone', value: '021-6234 5678 转 808' }] });
    expect((await admin.get('/api/v1/crm/lookup?value=02162345678')).body.contact.id).toBe(c.id);
  });

  test('an unknown identity is 404, and a malformed phone is a 400 naming the value', async () => {
    expect((await admin.get('/api/v1/crm/lookup?value=13999999990')).status).toBe(404);
    const bad = await admin.get('/api/v1/crm/lookup?value=12345');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('value');
  });

  test('an identity belongs to one contact per tenant', async () => {
    await newContact({ displayName: '孙立', identities: [{ kind: 'phone', value: '13600002222' }] });
    const reply = await admin.post('/api/v1/crm/contacts', { displayName: '孙立 2', identities: [{ kind: 'phone', value: '+8613600002222' }] });
    expect(reply.status).toBe(409);
    expect(reply.body.error.field).toBe('identities[0].value');
  });

  test('identities are added and removed with a change of the contact', async () => {
    const c = await newContact({ displayName: '周一', identities: [{ kind: 'phone', value: '13700003333' }] });
    const reply = await admin.patch(`/api/v1/crm/contacts/${c.id}`, { addIdentities: [{ kind: 'wechat_openid', value: 'oWx123' }], removeIdentities: [{ kind: 'phone', value: '137 0000 3333' }] });
    expect(reply.status).toBe(200);
    expect(reply.body.identities.map((i: { kind: string }) => i.kind)).toEqual(['wechat_openid']);
    expect((await admin.get('/api/v1/crm/lookup?value=13700003333')).status).toBe(404);
    expect((await admin.get('/api/v1/crm/lookup?kind=wechat_openid&value=oWx123')).body.contact.id).toBe(c.id);
  });
});

describe('masking and reveal', () => {
  test('an agent sees masked phones and emails and may not reveal them', async () => {
    const c = await newContact({ displayName: '吴芳', identities: [{ kind: 'phone', value: '13800005555' }, { kind: 'email', value: 'wufang@example.com' }] });
    const seen = await agent.get(`/api/v1/crm/contacts/${c.id}`);
    expect(seen.body.identities.map((i: { value: string; masked: boolean }) => [i.value, i.masked])).toEqual([['+86138****5555', true], ['w***g@example.com', true]]);
    expect((await agent.post(`/api/v1/crm/contacts/${c.id}/reveal`)).status).toBe(403);
  });

  test('a reveal returns the full values and is in the audit log', async () => {
    const supervisor = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
    const c = await newContact({ displayName: '郑强', identities: [{ kind: 'phone', value: '13800006666' }] });
    const revealed = await supervisor.post(`/api/v1/crm/contacts/${c.id}/reveal`);
    expect(revealed.status).toBe(200);
    expect(revealed.body.identities[0]).toMatchObject({ value: '+8613800006666', masked: false });
    const audit = await admin.get('/api/v1/audit?action=contact.revealed');
    expect(audit.body.items.some((e: { targetId: string; actorEmail: string }) => e.targetId === c.id && e.actorEmail === 'supervisor@demo.kefu')).toBe(true);
  });
});

describe('custom fields, search and scoping', () => {
  test('custom field values are validated against the division definitions', async () => {
    expect((await admin.post('/api/v1/crm/fields', { key: 'plan', label: '套餐', type: 'select', options: ['基础', '高级'] })).status).toBe(201);
    const bad = await admin.post('/api/v1/crm/contacts', { displayName: '冯军', customFields: { plan: '至尊' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('customFields.plan');
    const good = await newContact({ displayName: '冯军', customFields: { plan: '高级' } });
    expect(good.customFields).toEqual({ plan: '高级' });
    expect((await admin.post('/api/v1/crm/fields', { key: 'level', label: 'L', type: 'select' })).body.error.field).toBe('options');
  });

  test('fuzzy search finds contacts by name fragment, company name and phone fragment', async () => {
    const company = (await admin.post('/api/v1/crm/companies', { name: '蓝天物流有限公司' })).body;
    const c = await newContact({ displayName: '欧阳娜娜', companyId: company.id, identities: [{ kind: 'phone', value: '0755-8600 4321' }] });
    const ids = async (q: string) => (await admin.get(`/api/v1/crm/contacts?q=${encodeURIComponent(q)}`)).body.items.map((x: { id: string }) => x.id);
    expect(await ids('欧阳')).toContain(c.id);
    expect(await ids('蓝天物流')).toContain(c.id);
    expect(await ids('86004321')).toContain(c.id);
    expect(await ids('Mary Watson')).not.toContain(c.id);
  });

  test('a user of another division does not see the contact (404)', async () => {
    const division = (await admin.post('/api/v1/divisions', { name: '银行项目' })).body;
    const c = await newContact({ divisionId: division.id, displayName: '秘密客户', identities: [{ kind: 'phone', value: '13800007777' }] });
    expect((await agent.get(`/api/v1/crm/contacts/${c.id}`)).status).toBe(404);
    expect((await agent.get('/api/v1/crm/lookup?value=13800007777')).status).toBe(404);
    expect(JSON.stringify((await agent.get('/api/v1/crm/contacts?limit=200')).body)).not.toContain(c.id);
    expect((await admin.get(`/api/v1/crm/contacts/${c.id}`)).status).toBe(200);
  });

  test('the contact list pages newest first with a cursor', async () => {
    const first = await admin.get('/api/v1/crm/contacts?limit=3');
    const second = await admin.get(`/api/v1/crm/contacts?limit=3&cursor=${first.body.nextCursor}`);
    const all = await admin.get('/api/v1/crm/contacts?limit=6');
    expect([...first.body.items, ...second.body.items].map((c: { id: string }) => c.id)).toEqual(all.body.items.map((c: { id: string }) => c.id));
  });
});

describe('timeline and consent', () => {
  test('notes, orders and entries of other modules come newest first, page by page', async () => {
    const c = await newContact({ displayName: '卫东', identities: [{ kind: 'phone', value: '13800008888' }] });
    await admin.post(`/api/v1/crm/contacts/${c.id}/notes`, { text: '第一条备注' });
    await admin.post('/api/v1/crm/orders', { contactId: c.id, status: 'paid', currency: 'CNY', amount: 10 });
    await server.kefu.database.withTenant(tenantId, async (tx) => {
      for (let n = 0; n < 2; n++) {
        // A later module (interactions) adds its entry; delivering it twice adds it once.
        await addTimelineEntry(tx, tenantId, { contactId: c.id, kind: 'interaction', source: { type: 'interaction', id: 'call-1' }, summary: 'inbound call 3:12' });
      }
    });
    await admin.post(`/api/v1/crm/contacts/${c.id}/notes`, { text: '第二条备注' });
    const page1 = await admin.get(`/api/v1/crm/contacts/${c.id}/timeline?limit=2`);
    const page2 = await admin.get(`/api/v1/crm/contacts/${c.id}/timeline?limit=2&cursor=${page1.body.nextCursor}`);
    expect([...page1.body.items, ...page2.body.items].map((e: { kind: string; summary: string }) => `${e.kind}:${e.summary}`)).toEqual([
      'note:第二条备注',
      'interaction:inbound call 3:12',
      expect.stringMatching(/^order:/),
      'note:第一条备注',
    ]);
    expect(page2.body.nextCursor).toBeNull();
    const empty = await admin.post(`/api/v1/crm/contacts/${c.id}/notes`, {});
    expect(empty.body.error.field).toBe('text');
  });

  test('consent is recorded per purpose with its source and can be withdrawn', async () => {
    const c = await newContact({ displayName: '蒋琳', identities: [{ kind: 'phone', value: '13800009999' }] });
    expect((await admin.post(`/api/v1/crm/contacts/${c.id}/consents`, { purpose: 'marketing_calls', granted: true, source: 'web form' })).status).toBe(201);
    const before = (await admin.get(`/api/v1/crm/contacts/${c.id}/consents`)).body;
    expect(before.find((s: { purpose: string }) => s.purpose === 'marketing_calls').granted).toBe(true);
    expect(before.find((s: { purpose: string }) => s.purpose === 'recording').granted).toBe(false);
    expect((await admin.post(`/api/v1/crm/contacts/${c.id}/consents/withdraw`, { purpose: 'marketing_calls', source: 'call' })).status).toBe(200);
    const after = (await admin.get(`/api/v1/crm/contacts/${c.id}/consents`)).body.find((s: { purpose: string }) => s.purpose === 'marketing_calls');
    expect(after.granted).toBe(false);
    expect(after.history[0]).toMatchObject({ granted: true, source: 'web form', withdrawnSource: 'call' });
    expect((await admin.post(`/api/v1/crm/contacts/${c.id}/consents`, { purpose: 'recording' })).body.error.field).toBe('granted');
  });
});

describe('duplicates and merge', () => {
  test('same phone line and similar names are suggested; the merge keeps every identity, note, order and entry', async () => {
    const a = await newContact({ displayName: '王建国', identities: [{ kind: 'phone', value: '010-6666 1234 转 1' }], tags: ['老客户'] });
    const b = await newContact({ displayName: '王建国', identities: [{ kind: 'phone', value: '010-6666 1234 转 2' }, { kind: 'email', value: 'wjg@example.com' }], tags: ['宽带'], vipLevel: 4 });
    await admin.post(`/api/v1/crm/contacts/${b.id}/notes`, { text: 'B 的备注' });
    const order = (await admin.post('/api/v1/crm/orders', { contactId: b.id, status: 'paid', currency: 'CNY', amount: '5' })).body;

    const suggestions = (await admin.get(`/api/v1/crm/contacts/${a.id}/duplicates`)).body;
    const pair = suggestions.find((s: { contacts: { id: string }[] }) => s.contacts.some((x) => x.id === b.id));
    expect(pair.reasons).toEqual(['same_phone', 'similar_name']);

    const preview = await admin.get(`/api/v1/crm/contacts/${a.id}/merge/${b.id}`);
    expect(preview.body.moved).toEqual({ identities: 2, timelineEntries: 2, orders: 1, consents: 0 });
    expect(preview.body.contact.tags).toEqual(['宽带', '老客户']);
    expect((await admin.get(`/api/v1/crm/contacts/${b.id}`)).body.id).toBe(b.id); // the preview wrote nothing

    const merged = await admin.post(`/api/v1/crm/contacts/${a.id}/merge/${b.id}`);
    expect(merged.status).toBe(200);
    expect(merged.body.contact.identities).toHaveLength(3);
    expect(merged.body.contact.vipLevel).toBe(4);
    expect((await admin.get(`/api/v1/crm/contacts/${b.id}`)).body.id).toBe(a.id);
    expect((await admin.get(`/api/v1/crm/orders/${order.id}`)).body.contactId).toBe(a.id);
    expect((await admin.get('/api/v1/crm/lookup?kind=email&value=wjg@example.com')).body.contact.id).toBe(a.id);
    const kinds = (await admin.get(`/api/v1/crm/contacts/${a.id}/timeline`)).body.items.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['merge', 'order', 'note']);
    const audit = (await admin.get('/api/v1/audit?action=contact.merged')).body.items;
    expect(audit[0]).toMatchObject({ targetId: a.id, details: { mergedContactId: b.id } });
    expect((await admin.post(`/api/v1/crm/contacts/${a.id}/merge/${a.id}`)).status).toBe(400);
  });
});

describe('export', () => {
  test('an export is CSV of visible contacts, masked without crm.reveal, and audited', async () => {
    const reply = await agent.get('/api/v1/crm/export');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/csv');
    const text = reply.body as string;
    expect(text).toContain('吴芳');
    expect(text).toContain('+86138****5555');
    expect(text).not.toContain('+8613800005555');
    expect(text).not.toContain('秘密客户');
    const audit = (await admin.get('/api/v1/audit?action=contacts.exported')).body.items;
    expect(audit[0]).toMatchObject({ actorEmail: 'agent1@demo.kefu', details: { masked: true } });
  });

  test('the demo tenant has seeded contacts with Chinese names and orders', async () => {
    const pop = await admin.get('/api/v1/crm/lookup?value=13800138000');
    expect(pop.body.contact.displayName).toBe('王小明');
    expect(pop.body.orders.length).toBe(2);
    const rows = await server.kefu.database.withTenant(tenantId, (tx) => tx.execute(sql`SELECT count(*)::int AS n FROM crm_contacts`));
    expect((rows.rows[0] as { n: number }).n).toBeGreaterThan(3);
  });

});

describe('concurrency, orders and consent on the system path', () => {
  test('a change based on an old version is refused, so two agents cannot overwrite each other', async () => {
    const c = await newContact({ displayName: '韩梅梅', identities: [{ kind: 'phone', value: '13800001212' }] });
    expect((await admin.patch(`/api/v1/crm/contacts/${c.id}`, { vipLevel: 2, version: c.version })).status).toBe(200);
    const stale = await agent.patch(`/api/v1/crm/contacts/${c.id}`, { vipLevel: 7, version: c.version });
    expect(stale.status).toBe(409);
    expect(stale.body.error.field).toBe('version');
    expect((await admin.get(`/api/v1/crm/contacts/${c.id}`)).body.vipLevel).toBe(2);
  });

  test('order status lookups by external id see status changes', async () => {
    const c = await newContact({ displayName: '李雷', identities: [{ kind: 'phone', value: '13800001313' }] });
    const order = (await admin.post('/api/v1/crm/orders', { contactId: c.id, externalId: 'SO-FLOW-7', status: 'paid', currency: 'CNY', amount: '12.30', items: [{ name: '光猫', quantity: 1, unitPrice: '12.30' }] })).body;
    await admin.patch(`/api/v1/crm/orders/${order.id}`, { status: 'shipped', shippedAt: '2026-11-20T08:00:00+08:00' });
    const found = (await admin.get('/api/v1/crm/orders?externalId=SO-FLOW-7')).body;
    expect(found).toEqual([expect.objectContaining({ id: order.id, status: 'shipped', shippedAt: '2026-11-20T00:00:00.000Z', amount: '12.30' })]);
    expect((await admin.post('/api/v1/crm/orders', { contactId: c.id, externalId: 'SO-FLOW-7', status: 'paid', currency: 'CNY', amount: 1 })).status).toBe(409);
    expect((await admin.post('/api/v1/crm/orders', { contactId: c.id, status: 'paid', currency: 'CNY', amount: '1.234' })).body.error.field).toBe('amount');
  });

  test('outbound features read consent on the system path', async () => {
    const c = await newContact({ displayName: '林涛', identities: [{ kind: 'phone', value: '13800001414' }] });
    const check = () => server.kefu.database.withTenant(tenantId, (tx) => hasConsent(tx, tenantId, c.id, 'marketing_calls'));
    expect(await check()).toBe(false);
    await admin.post(`/api/v1/crm/contacts/${c.id}/consents`, { purpose: 'marketing_calls', granted: true, source: 'IVR 按键确认' });
    expect(await check()).toBe(true);
    await admin.post(`/api/v1/crm/contacts/${c.id}/consents`, { purpose: 'marketing_calls', granted: false, source: '客户来电拒绝' });
    expect(await check()).toBe(false);
  });
});
