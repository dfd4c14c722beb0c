// Every interaction on its customer's timeline: a call from a known number ends and the contact's timeline gets one
// entry for it (once, whatever redelivers the event), the interaction remembers its contact, and a call from an
// unknown number or an extension touches no contact.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConversationsModule } from '../src/conversations/conversations.module.ts';
import { recordInteractionOnTimeline } from '../src/crm/interaction-timeline.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { until } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let tenantId: string;
let divisionId: string;

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  const me = (await admin.get('/api/v1/me')).body;
  tenantId = me.tenant.id;
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
});
afterAll(async () => server?.stop());

const interactions = () => (server.kefu.modules.conversations as ConversationsModule).interactions;

async function call(from: string) {
  const opened = await interactions().open(tenantId, { divisionId, channel: 'voice', direction: 'inbound', from, to: '4000' });
  await interactions().close(tenantId, opened.id, { hangupBy: 'customer', endReason: 'normal' });
  return opened.id;
}

describe('interactions on the contact timeline', () => {
  test("a call from a known number lands on the contact's timeline once and is linked to the contact", async () => {
    const contact = (await admin.get('/api/v1/crm/lookup?kind=phone&value=13800138000')).body.contact;
    // The caller's number as a trunk sends it: national format with the trunk prefix stripped, no +86.
    const id = await call('13800138000');
    const entry = await until(async () => {
      const items = (await admin.get(`/api/v1/crm/contacts/${contact.id}/timeline`)).body.items as { kind: string; source: { id: string } | null }[];
      return items.find((e) => e.kind === 'interaction' && e.source?.id === id);
    }, 'the timeline entry');
    expect(entry).toMatchObject({ kind: 'interaction', summary: expect.stringMatching(/^voice inbound · /), data: { interactionId: id, channel: 'voice' } });
    const linked = await server.kefu.database.withTenant(tenantId, (tx) => tx.execute<{ contact_id: string }>(sql`SELECT contact_id FROM interactions WHERE id = ${id}`));
    expect(linked.rows[0]!.contact_id).toBe(contact.id);
    // Redelivery (another node, a retry) adds nothing.
    expect(await recordInteractionOnTimeline(server.kefu.database, tenantId, id)).toBe(contact.id);
    const items = (await admin.get(`/api/v1/crm/contacts/${contact.id}/timeline`)).body.items as { source: { id: string } | null }[];
    expect(items.filter((e) => e.source?.id === id)).toHaveLength(1);
  });

  test('a call from an unknown number or an extension touches no contact', async () => {
    expect(await recordInteractionOnTimeline(server.kefu.database, tenantId, await call('13900000000'))).toBeNull();
    expect(await recordInteractionOnTimeline(server.kefu.database, tenantId, await call('1001'))).toBeNull();
    expect(await recordInteractionOnTimeline(server.kefu.database, tenantId, await call('anonymous'))).toBeNull();
  });
});
