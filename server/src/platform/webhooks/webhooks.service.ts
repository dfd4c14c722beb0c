// Outgoing webhooks configured per tenant: which events go to which URL, signed with a per-webhook secret.
import { and, desc, eq } from 'drizzle-orm';
import { eventTypes, isEventType, type Webhook, type WebhookDelivery } from '@kefu/contracts';

export type { Webhook, WebhookDelivery };
import { requirePermission, type Actor } from '../auth/actor.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { randomToken } from '../crypto/tokens.ts';
import type { Database } from '../db/database.ts';
import { webhookDeliveries, webhooks } from '../db/schema.ts';
import { invalid, notFound } from '../errors.ts';
import { appendEvent } from '../events/outbox.ts';



const toWebhook = (r: typeof webhooks.$inferSelect): Webhook => ({
  id: r.id,
  url: r.url,
  events: r.events,
  active: r.active,
  createdAt: r.createdAt.toISOString(),
});

function checkEvents(events: string[]): string[] {
  const unknown = events.filter((e) => e !== '*' && !isEventType(e));
  if (unknown.length) throw invalid('events', `unknown event type: ${unknown.join(', ')} (known: ${eventTypes.join(', ')}, or *)`);
  if (events.length === 0) throw invalid('events', 'choose at least one event type');
  return [...new Set(events)];
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('url', 'url is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid('url', 'url must be http or https');
  if (parsed.username || parsed.password) throw invalid('url', 'url must not contain credentials');
  return parsed.toString();
}

export class WebhooksService {
  constructor(
    private readonly database: Database,
    private readonly secrets: SecretBox,
  ) {}

  async list(actor: Actor): Promise<Webhook[]> {
    requirePermission(actor, 'webhooks.manage');
    const rows = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.select().from(webhooks).where(eq(webhooks.tenantId, actor.tenantId)).orderBy(desc(webhooks.createdAt)),
    );
    return rows.map(toWebhook);
  }

  async get(actor: Actor, id: string): Promise<Webhook> {
    requirePermission(actor, 'webhooks.manage');
    const [row] = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.select().from(webhooks).where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id))),
    );
    if (!row) throw notFound('webhook');
    return toWebhook(row);
  }

  async create(actor: Actor, input: { url: string; events: string[]; active?: boolean | undefined }): Promise<{ webhook: Webhook; secret: string }> {
    requirePermission(actor, 'webhooks.manage');
    const url = checkUrl(input.url);
    const events = checkEvents(input.events);
    const secret = `whsec_${randomToken(32)}`;
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = await tx
        .insert(webhooks)
        .values({ tenantId: actor.tenantId, url, events, secretSealed: this.secrets.seal(secret), active: input.active ?? true })
        .returning();
      await recordAudit(tx, actor, { action: 'webhook.created', targetType: 'webhook', targetId: row!.id, details: { url, events } });
      return { webhook: toWebhook(row!), secret };
    });
  }

  async update(actor: Actor, id: string, patch: { url?: string | undefined; events?: string[] | undefined; active?: boolean | undefined }): Promise<Webhook> {
    requirePermission(actor, 'webhooks.manage');
    const set: Partial<typeof webhooks.$inferInsert> = { updatedAt: new Date() };
    if (patch.url !== undefined) set.url = checkUrl(patch.url);
    if (patch.events !== undefined) set.events = checkEvents(patch.events);
    if (patch.active !== undefined) set.active = patch.active;
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = await tx.update(webhooks).set(set).where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id))).returning();
      if (!row) throw notFound('webhook');
      await recordAudit(tx, actor, { action: 'webhook.updated', targetType: 'webhook', targetId: id, details: { ...patch } });
      return toWebhook(row);
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'webhooks.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = await tx.delete(webhooks).where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id))).returning();
      if (!row) throw notFound('webhook');
      await recordAudit(tx, actor, { action: 'webhook.deleted', targetType: 'webhook', targetId: id, details: { url: row.url } });
    });
  }

  /** Sends a `webhook.pinged` event through the normal path (outbox → delivery job), to test a receiver. */
  async ping(actor: Actor, id: string): Promise<{ eventId: string }> {
    requirePermission(actor, 'webhooks.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = await tx.select().from(webhooks).where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id)));
      if (!row) throw notFound('webhook');
      const eventId = await appendEvent(tx, actor.tenantId, 'webhook.pinged', { webhookId: id, message: 'ping from Kefu' });
      return { eventId };
    });
  }

  async deliveries(actor: Actor, id: string, limit: number): Promise<WebhookDelivery[]> {
    requirePermission(actor, 'webhooks.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [hook] = await tx.select({ id: webhooks.id }).from(webhooks).where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id)));
      if (!hook) throw notFound('webhook');
      const rows = await tx
        .select()
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.tenantId, actor.tenantId), eq(webhookDeliveries.webhookId, id)))
        .orderBy(desc(webhookDeliveries.createdAt))
        .limit(limit);
      return rows.map((r) => ({
        id: r.id,
        eventId: r.eventId,
        eventType: r.eventType,
        status: r.status,
        attempts: r.attempts,
        responseStatus: r.responseStatus,
        lastError: r.lastError,
        createdAt: r.createdAt.toISOString(),
        deliveredAt: r.deliveredAt?.toISOString() ?? null,
      }));
    });
  }
}
