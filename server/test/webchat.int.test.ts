// Web chat through the real server: widget administration, origin checks, a visitor's chat handed to an agent
// through routing, messages both ways with receipts and idempotent resends, resume after a dropped connection
// without loss or duplicates, attachments checked by their bytes, verified identities linked to CRM contacts,
// rate limits, and the transcript on the interaction.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { signIdentity } from '../src/channels/webchat/visitor-identity.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';
import { chatQueueForAgent1 } from './webchat-fixtures.ts';
import { VisitorClient } from './webchat-visitor.ts';

const SITE = 'https://shop.example';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAFklEQVR4nGP8z8DwnwEIGBkZGRgAAB4LAgFDdI5fAAAAAElFTkSuQmCC',
  'base64',
);

let server: TestKefu;
let admin: TestClient;
let agent: TestClient;
let agentId: string;
let widget: { id: string; identitySecret: string };
let divisionId: string;
let chatQueueId: string;
const open: { close(): Promise<void> }[] = [];
const track = <T extends { close(): Promise<void> }>(c: T): T => {
  open.push(c);
  return c;
};

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  ({ agent, agentId, divisionId, queueId: chatQueueId } = await chatQueueForAgent1(server, admin, 'Web chat'));
  const created = await admin.post('/api/v1/webchat/widgets', { name: 'Shop', divisionId, queueId: chatQueueId, allowedOrigins: [SITE] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  widget = created.body;
});
const started: string[] = [];
afterEach(async () => {
  // Agents hold few chats at once: every chat a test started ends, so the next test's offer can come.
  for (const id of started.splice(0)) await agent.post(`/api/v1/chats/${id}/end`, {});
  for (const c of open.splice(0)) await c.close();
  for (let i = 0; i < 100 && (await agent.get('/api/v1/routing/me')).body.state !== 'offline'; i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => server?.stop());

/** A visitor who starts a chat and the available agent who accepts it. */
async function chatWithAgent(prechat: Record<string, string> = { name: 'Li Lei', question: 'My router blinks red' }) {
  const rt = track(await RealtimeClient.connect(server.baseUrl, { cookie: agent.cookie! }));
  expect(await rt.request('agent.set_state', { state: 'available' })).toMatchObject({ ok: true });
  const visitor = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE }));
  visitor.send({ type: 'start', prechat, clientMessageId: 'q-1' });
  const offer = await rt.nextEvent('offer', (o) => o.channel === 'chat');
  expect(offer.attributes).toMatchObject({ visitorName: prechat.name ?? 'Web visitor', page: 'https://shop.example/pricing' });
  expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
  const assigned = await rt.nextEvent('chat.assigned');
  started.push(assigned.interactionId);
  expect(await rt.subscribe(`chat:${assigned.interactionId}`)).toMatchObject({ ok: true });
  await visitor.next('status', (m) => m.status === 'assigned');
  return { rt, visitor, interactionId: assigned.interactionId as string, assigned };
}

describe('widget administration', () => {
  test('an admin creates a widget and reads its identity secret; a bad origin is refused naming the field', async () => {
    const got = await admin.get(`/api/v1/webchat/widgets/${widget.id}`);
    expect(got.body).toMatchObject({ name: 'Shop', allowedOrigins: [SITE] });
    expect(got.body.identitySecret).toMatch(/^[0-9a-f]{64}$/);
    const bad = await admin.patch(`/api/v1/webchat/widgets/${widget.id}`, { allowedOrigins: ['https://shop.example/path'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toMatch(/allowedOrigins/);
    expect((await agent.get('/api/v1/webchat/widgets')).status).toBe(403);
  });
});

describe('origins', () => {
  test('a WebSocket from a disallowed origin is refused at the upgrade', async () => {
    await expect(VisitorClient.open(server.baseUrl, widget.id, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const ok = track(await VisitorClient.open(server.baseUrl, widget.id, { origin: SITE }));
    expect(ok.closed).toBeUndefined();
  });

  test('a hello naming a disallowed embedding page is closed with 4403', async () => {
    const visitor = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: 'https://evil.example' }));
    await visitor.until(() => visitor.closed !== undefined);
    expect(visitor.closed!.code).toBe(4403);
    expect(visitor.welcome).toBeUndefined();
  });

  test('the chat page may only be framed by allowed origins (frame-ancestors)', async () => {
    const page = await fetch(`${server.baseUrl}/widget/chat?widget=${widget.id}`);
    if (page.status === 404) throw new Error('build the widget first: npm run build -w @kefu/widget');
    expect(page.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${SITE}`);
  });
});

describe('a chat from the widget to an agent', () => {
  test('pre-chat, hand-off through routing, messages both ways with delivery and read receipts, end and transcript', async () => {
    const { rt, visitor, interactionId, assigned } = await chatWithAgent();
    expect(assigned).toMatchObject({ visitorName: 'Li Lei', prechat: { question: 'My router blinks red' }, page: 'https://shop.example/pricing', referrer: 'https://search.example/' });
    // The pre-chat question is the first message.
    await visitor.until(() => visitor.messages.some((m) => m.body === 'My router blinks red'));

    visitor.send({ type: 'send', clientMessageId: 'c-1', text: 'Hello <b>there</b>' });
    const sent = await visitor.next('sent', (m) => m.clientMessageId === 'c-1');
    const atAgent = await rt.nextEvent('chat.message', (m) => m.clientMessageId === 'c-1');
    expect(atAgent).toMatchObject({ sender: 'customer', body: 'Hello <b>there</b>', seq: sent.seq });

    const reply = await agent.post(`/api/v1/chats/${interactionId}/messages`, { clientMessageId: 'a-1', text: 'Hi, I can help' });
    expect(reply.status).toBe(201);
    const atVisitor = await visitor.next('message', (m) => m.message.clientMessageId === 'a-1');
    expect(atVisitor.message).toMatchObject({ sender: 'agent', body: 'Hi, I can help' });

    visitor.send({ type: 'ack', seq: atVisitor.message.seq });
    expect(await rt.nextEvent('chat.receipt', (r) => r.by === 'customer' && r.kind === 'delivered')).toMatchObject({ seq: atVisitor.message.seq });
    visitor.send({ type: 'read', seq: atVisitor.message.seq });
    await rt.nextEvent('chat.receipt', (r) => r.by === 'customer' && r.kind === 'read');
    expect((await agent.post(`/api/v1/chats/${interactionId}/read`, { seq: sent.seq })).status).toBe(200);
    expect(await visitor.next('receipt', (r) => r.kind === 'read')).toMatchObject({ by: 'agent', seq: sent.seq });

    // Typing reaches the other side.
    visitor.send({ type: 'typing', on: true });
    await rt.nextEvent('chat.typing', (e) => e.by === 'customer' && e.on === true);
    expect(await rt.request('chat.typing', { interactionId, on: true })).toMatchObject({ ok: true });
    await visitor.next('typing', (m) => m.on);

    expect((await agent.post(`/api/v1/chats/${interactionId}/end`, {})).status).toBe(200);
    await visitor.next('status', (m) => m.status === 'ended');
    const interaction = await admin.get(`/api/v1/interactions/${interactionId}`);
    expect(interaction.body).toMatchObject({ channel: 'chat', state: 'ended', hangupBy: 'agent', agentId });
    const transcript = (await admin.get(`/api/v1/interactions/${interactionId}/messages`)).body.items as { seq: number; sender: string; body: string; readAt: string | null }[];
    expect(transcript.map((m) => m.seq)).toEqual(transcript.map((_, i) => i + 1));
    expect(transcript.map((m) => [m.sender, m.body]).slice(0, 3)).toEqual([
      ['customer', 'My router blinks red'],
      ['customer', 'Hello <b>there</b>'],
      ['agent', 'Hi, I can help'],
    ]);
    expect(transcript[2]!.readAt).not.toBeNull();
    expect(transcript.at(-1)).toMatchObject({ sender: 'system' });
  });

  test('a resend with the same client message id is stored once', async () => {
    const { rt, visitor, interactionId } = await chatWithAgent();
    visitor.send({ type: 'send', clientMessageId: 'dup-1', text: 'once' });
    visitor.send({ type: 'send', clientMessageId: 'dup-1', text: 'once' });
    await visitor.until(() => visitor.received.filter((m) => m.type === 'sent' && m.clientMessageId === 'dup-1').length === 2);
    const items = (await agent.get(`/api/v1/chats/${interactionId}/messages`)).body.items as { clientMessageId: string }[];
    expect(items.filter((m) => m.clientMessageId === 'dup-1')).toHaveLength(1);
    await rt.nextEvent('chat.message', (m) => m.clientMessageId === 'dup-1');
    await new Promise((r) => setTimeout(r, 300));
    expect(rt.events.filter((e) => e.name === 'chat.message' && (e.data as { clientMessageId: string }).clientMessageId === 'dup-1')).toHaveLength(0);
  });

  test('after a dropped connection the visitor gets the three messages sent meanwhile, once each, in order', async () => {
    const { visitor, interactionId } = await chatWithAgent();
    await visitor.until(() => visitor.messages.length >= 1);
    const token = visitor.welcome!.token;
    const lastSeq = Math.max(...visitor.messages.map((m) => m.seq));
    visitor.socket.terminate();
    for (const n of [1, 2, 3]) expect((await agent.post(`/api/v1/chats/${interactionId}/messages`, { clientMessageId: `off-${n}`, text: `while away ${n}` })).status).toBe(201);
    const back = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE, token, lastSeq }));
    expect(back.welcome!.conversation).toMatchObject({ interactionId, status: 'assigned' });
    await back.until(() => back.messages.length >= 3);
    // One more live message after the replay arrives once, after the three.
    await agent.post(`/api/v1/chats/${interactionId}/messages`, { clientMessageId: 'after', text: 'and now live' });
    await back.until(() => back.messages.some((m) => m.body === 'and now live'));
    await new Promise((r) => setTimeout(r, 300));
    expect(back.messages.map((m) => m.body)).toEqual(['while away 1', 'while away 2', 'while away 3', 'and now live']);
    expect(back.messages.map((m) => m.seq)).toEqual([lastSeq + 1, lastSeq + 2, lastSeq + 3, lastSeq + 4]);
  });

  test('a reload (lastSeq 0) shows the whole history', async () => {
    const { visitor, interactionId } = await chatWithAgent();
    await agent.post(`/api/v1/chats/${interactionId}/messages`, { clientMessageId: 'h-1', text: 'history' });
    await visitor.next('message', (m) => m.message.body === 'history');
    const again = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE, token: visitor.welcome!.token }));
    await again.until(() => again.messages.some((m) => m.body === 'history'));
    expect(again.messages.map((m) => m.body)).toEqual(['My router blinks red', 'history']);
  });
});

describe('attachments', () => {
  test('a screenshot is stored by its bytes and served to the agent as an image that cannot be sniffed; disguised HTML is refused', async () => {
    const { rt, visitor, interactionId } = await chatWithAgent();
    const upload = (body: Buffer, name: string, token = visitor.welcome!.token) =>
      fetch(`${server.baseUrl}/api/v1/webchat/attachments?widget=${widget.id}&name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'x-visitor-token': token, 'content-type': 'image/png' }, body });
    const stored = await upload(PNG, '<img src=x onerror=alert(1)>.png');
    expect(stored.status).toBe(201);
    const attachment = (await stored.json()) as { id: string; contentType: string; imageWidth: number };
    expect(attachment).toMatchObject({ contentType: 'image/png', imageWidth: 2 });

    const html = await upload(Buffer.from('<html><script>alert(1)</script></html>'), 'shot.png');
    expect(html.status).toBe(415);
    expect(((await html.json()) as { error: { field: string } }).error.field).toBe('file');
    expect((await upload(PNG, 'x.png', 'forged.token')).status).toBe(403);

    visitor.send({ type: 'send', clientMessageId: 'shot', text: '', attachmentId: attachment.id });
    const message = await rt.nextEvent('chat.message', (m) => m.clientMessageId === 'shot');
    expect(message.attachment).toMatchObject({ id: attachment.id, fileName: '<img src=x onerror=alert(1)>.png' });

    const got = await fetch(`${server.baseUrl}/api/v1/chats/${interactionId}/attachments/${attachment.id}`, { headers: { cookie: agent.cookie! } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toMatch(/^inline; filename="_img src=x onerror=alert\(1\)_.png"/);
    expect(got.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true);
    // Another agent (not assigned) cannot read it.
    const other = await TestClient.login(server.baseUrl, 'agent2@demo.kefu', server.password);
    expect((await fetch(`${server.baseUrl}/api/v1/chats/${interactionId}/attachments/${attachment.id}`, { headers: { cookie: other.cookie! } })).status).toBe(404);
  });
});

describe('identity', () => {
  test('a verified identity links the chat to the CRM contact of that user; a forged one is ignored', async () => {
    const signed = signIdentity(widget.identitySecret, { userId: 'shop-user-42', name: 'Han Meimei', email: 'meimei@shop.example' });
    const visitor = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE, identity: signed }));
    expect(visitor.welcome!.verified).toBe(true);
    visitor.send({ type: 'start', prechat: { question: 'Where is my order?' } });
    await visitor.next('status');
    const contact = await admin.get('/api/v1/crm/lookup?kind=external&value=shop-user-42');
    expect(contact.status).toBe(200);
    expect(contact.body.contact.displayName).toBe('Han Meimei');
    visitor.send({ type: 'end' });
    await visitor.next('status', (m) => m.status === 'ended');

    const forged = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE, identity: { ...signed, signature: 'f'.repeat(64) } }));
    expect(forged.welcome!.verified).toBe(false);
    await forged.next('error', (m) => m.code === 'IDENTITY_INVALID');
  });

  test('a forged visitor token starts a new visitor instead of opening someone else’s chat', async () => {
    const first = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE }));
    const id = first.welcome!.visitorId;
    const forged = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE, token: `${id}.AAAA` }));
    expect(forged.welcome!.visitorId).not.toBe(id);
  });
});

describe('limits', () => {
  test('a visitor who sends faster than the limit is told so', async () => {
    const { visitor } = await chatWithAgent();
    for (let i = 0; i < 40; i++) visitor.send({ type: 'send', clientMessageId: `flood-${i}`, text: `flood ${i}` });
    await visitor.next('error', (m) => m.code === 'RATE_LIMITED');
  });
});

describe('chat flows', () => {
  test('the widget’s chat flow greets with buttons, the visitor’s choice hands the chat to routing and an agent', async () => {
    const graph = {
      start: 'ask',
      nodes: [
        { id: 'ask', type: 'buttons', config: { text: 'How can we help?', buttons: [{ id: 'faq', label: 'Opening hours' }, { id: 'human', label: 'Talk to a person' }] }, next: { faq: 'hours', human: 'agent' } },
        { id: 'hours', type: 'message', config: { text: 'We are open 9-18.' }, next: { next: 'ask' } },
        { id: 'agent', type: 'hand_off', config: { queueId: chatQueueId, text: 'Connecting you to a person' } },
      ],
    };
    const flow = await admin.post('/api/v1/flows', { divisionId, name: `Shop bot ${Date.now()}`, channel: 'chat', graph });
    expect(flow.body.problems, JSON.stringify(flow.body)).toEqual([]);
    expect((await admin.post(`/api/v1/flows/${flow.body.id}/publish`, {})).status).toBe(200);
    const bot = await admin.post('/api/v1/webchat/widgets', { name: `Shop with bot ${Date.now()}`, divisionId, queueId: chatQueueId, allowedOrigins: [SITE], settings: { chatFlowId: flow.body.id } });
    expect(bot.status, JSON.stringify(bot.body)).toBe(201);

    const rt = track(await RealtimeClient.connect(server.baseUrl, { cookie: agent.cookie! }));
    expect(await rt.request('agent.set_state', { state: 'available' })).toMatchObject({ ok: true });
    const visitor = track(await VisitorClient.connect(server.baseUrl, bot.body.id, { hostOrigin: SITE }));
    visitor.send({ type: 'start', prechat: { name: 'Bot visitor' } });
    await visitor.next('status', (m) => m.status === 'bot');
    const ask = await visitor.next('message', (m) => m.message.sender === 'bot');
    expect(ask.message.buttons).toEqual(graph.nodes[0]!.config.buttons);

    visitor.send({ type: 'send', clientMessageId: 'b-1', text: 'Opening hours' });
    const hours = await visitor.next('message', (m) => m.message.body === 'We are open 9-18.');
    // Answered once the flow asks again, as a person would (sent earlier, it may be stored before the bot's prompt).
    await visitor.next('message', (m) => m.message.sender === 'bot' && m.message.seq > hours.message.seq);
    visitor.send({ type: 'send', clientMessageId: 'b-2', text: 'Talk to a person' });
    await visitor.next('message', (m) => m.message.body === 'Connecting you to a person');
    await visitor.next('status', (m) => m.status === 'queued');
    const offer = await rt.nextEvent('offer', (o) => o.channel === 'chat');
    expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
    const assigned = await rt.nextEvent('chat.assigned');
    started.push(assigned.interactionId);
    await visitor.next('status', (m) => m.status === 'assigned');
    const transcript = (await admin.get(`/api/v1/interactions/${assigned.interactionId}/messages`)).body.items as { sender: string; body: string }[];
    expect(transcript.map((m) => `${m.sender}: ${m.body}`).slice(0, 5)).toEqual([
      'bot: How can we help?\n• Opening hours\n• Talk to a person',
      'customer: Opening hours',
      'bot: We are open 9-18.',
      'bot: How can we help?\n• Opening hours\n• Talk to a person',
      'customer: Talk to a person',
    ]);
  });
});
