// The outbox end to end: an event committed with its transaction reaches a webhook receiver on a real socket,
// signed; a failing receiver gets it again; an event whose transaction rolled back never leaves.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appendEvent } from '../src/platform/events/outbox.ts';
import { verifyWebhookSignature } from '../src/platform/webhooks/signature.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A webhook receiver on loopback that answers with the statuses it is told, then 200. */
class Receiver {
  readonly received: Received[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.statusCode = this.statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  constructor(private readonly statuses: number[] = []) {}
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  async waitFor(count: number, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > until) throw new Error(`receiver got ${this.received.length} of ${count} requests`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let server: TestKefu;
let admin: TestClient;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // Fast retries so that the retry test takes well under a second of backoff.
  server = await startKefu({ jobs: { pollMs: 100, backoffBaseMs: 100, backoffMaxMs: 400 }, webhookTimeoutMs: 2000 });
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
});
afterAll(async () => {
  await server?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiverWebhook(events: string[], statuses: number[] = []) {
  const receiver = new Receiver(statuses);
  receivers.push(receiver);
  const url = await receiver.listen();
  const created = await admin.post('/api/v1/webhooks', { url, events });
  expect(created.status).toBe(201);
  return { receiver, webhookId: created.body.webhook.id as string, secret: created.body.secret as string };
}

describe('outbox → webhooks', () => {
  test('an event committed with its change is delivered to the receiver exactly as signed', async () => {
    const { receiver, secret, webhookId } = await receiverWebhook(['user.created']);
    const created = await admin.post('/api/v1/users', { email: 'hooked@demo.kefu', name: '钩子 Hook', password: 'hooked-pass-1', roles: ['agent'], divisionIds: [] });
    expect(created.status).toBe(201);
    await receiver.waitFor(1);

    const [request] = receiver.received;
    const event = JSON.parse(request!.body);
    expect(event.type).toBe('user.created');
    expect(event.data).toEqual({ userId: created.body.id, email: 'hooked@demo.kefu', name: '钩子 Hook', roles: ['agent'] });
    expect(request!.headers['kefu-event-id']).toBe(event.id);
    expect(request!.headers['content-type']).toBe('application/json');
    const signature = String(request!.headers['kefu-signature']);
    expect(verifyWebhookSignature(secret, request!.body, signature, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyWebhookSignature(secret, request!.body.replace('hooked', 'hacked'), signature, Math.floor(Date.now() / 1000))).toBe(false);
    expect(verifyWebhookSignature('whsec_other', request!.body, signature, Math.floor(Date.now() / 1000))).toBe(false);

    const deliveries = await waitForDelivery(webhookId, 'delivered');
    expect(deliveries[0]).toMatchObject({ eventId: event.id, eventType: 'user.created', attempts: 1, responseStatus: 200 });
  });

  test('a receiver that fails is retried with backoff until it accepts, with the same event id', async () => {
    const { receiver, webhookId } = await receiverWebhook(['division.created'], [500, 503]);
    expect((await admin.post('/api/v1/divisions', { name: '重试 Retry' })).status).toBe(201);
    await receiver.waitFor(3);
    const ids = receiver.received.map((r) => JSON.parse(r.body).id);
    expect(new Set(ids).size).toBe(1);
    const [delivery] = await waitForDelivery(webhookId, 'delivered');
    expect(delivery).toMatchObject({ attempts: 3, responseStatus: 200, lastError: null });
  });

  test('an event whose transaction rolled back is never delivered', async () => {
    const { receiver } = await receiverWebhook(['division.deleted', 'division.updated']);
    const tenantId = (await admin.get('/api/v1/me')).body.tenant.id as string;
    const db = server.kefu.database;
    await expect(
      db.withTenant(tenantId, async (tx) => {
        await appendEvent(tx, tenantId, 'division.deleted', { divisionId: '11111111-1111-4111-8111-111111111111' });
        throw new Error('the change failed after the event was written');
      }),
    ).rejects.toThrow(/change failed/);
    // A committed event written after it is delivered; the rolled-back one must not arrive before or after it.
    const divisions = (await admin.get('/api/v1/divisions')).body as { id: string }[];
    await admin.patch(`/api/v1/divisions/${divisions[0]!.id}`, { description: 'after the rollback' });
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['division.updated']);
    const pending = await db.withSystem((tx) => tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM outbox WHERE type = 'division.deleted'`));
    expect(pending.rows[0]!.n).toBe(0);
  });

  test('events reach bus subscribers after commit', async () => {
    const seen: string[] = [];
    const unsubscribe = server.kefu.bus.subscribe('role.*', (event) => {
      seen.push(event.type);
    });
    await admin.post('/api/v1/roles', { key: 'night_shift', name: '夜班 Night shift', permissions: ['agent.desktop'] });
    const until = Date.now() + 10_000;
    while (!seen.includes('role.created') && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    unsubscribe();
    expect(seen).toContain('role.created');
  });

  test('the ping endpoint sends a test event to one webhook only', async () => {
    const a = await receiverWebhook(['user.updated']);
    const b = await receiverWebhook(['user.updated']);
    const reply = await admin.post(`/api/v1/webhooks/${a.webhookId}/ping`);
    expect(reply.status).toBe(202);
    await a.receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.parse(a.receiver.received[0]!.body).type).toBe('webhook.pinged');
    expect(b.receiver.received).toHaveLength(0);
  });
});

async function waitForDelivery(webhookId: string, status: string) {
  const until = Date.now() + 15_000;
  for (;;) {
    const reply = await admin.get(`/api/v1/webhooks/${webhookId}/deliveries`);
    if (reply.body.length && reply.body[0].status === status) return reply.body;
    if (Date.now() > until) throw new Error(`delivery did not become ${status}: ${JSON.stringify(reply.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
