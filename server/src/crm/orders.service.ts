// Orders linked to contacts (external id, items, amount, currency, status, dates), written by API or import,
// shown in the screen pop and read by flows (order status lookups by external id).
import { sql, type SQL } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { visibleContact } from './crm-access.ts';
import { divisionScope, iso, one, rows, type Row } from './crm-sql.ts';
import { addTimelineEntry } from './timeline.service.ts';

export interface OrderItem {
  sku?: string | undefined;
  name: string;
  quantity: number;
  unitPrice: string;
}

export interface Order {
  id: string;
  contactId: string;
  externalId: string | null;
  status: string;
  currency: string;
  amount: string;
  items: OrderItem[];
  orderedAt: string;
  shippedAt: string | null;
  deliveredAt: string | null;
  updatedAt: string;
}

export interface OrderInput {
  contactId?: string | undefined;
  externalId?: string | null | undefined;
  status?: string | undefined;
  currency?: string | undefined;
  amount?: string | number | undefined;
  items?: OrderItem[] | undefined;
  orderedAt?: string | undefined;
  shippedAt?: string | null | undefined;
  deliveredAt?: string | null | undefined;
}

export const toOrder = (r: Row): Order => ({
  id: r.id as string,
  contactId: r.contact_id as string,
  externalId: (r.external_id as string | null) ?? null,
  status: r.status as string,
  currency: r.currency as string,
  amount: String(r.amount),
  items: r.items as OrderItem[],
  orderedAt: iso(r.ordered_at)!,
  shippedAt: iso(r.shipped_at),
  deliveredAt: iso(r.delivered_at),
  updatedAt: iso(r.updated_at)!,
});

const select = sql`SELECT o.*, o.amount::text AS amount, c.division_id FROM crm_orders o JOIN crm_contacts c ON c.id = o.contact_id`;

function amountOf(value: string | number | undefined): string {
  const text = String(value ?? '').trim();
  if (!/^-?\d{1,12}(\.\d{1,2})?$/.test(text)) throw invalid('amount', 'must be a decimal amount with at most 2 decimals');
  return text;
}

export class OrdersService {
  constructor(private readonly database: Database) {}

  private async visibleOrder(tx: Tx, actor: Actor, id: string): Promise<Row> {
    const row = await one(tx, sql`${select} WHERE o.tenant_id = ${actor.tenantId} AND o.id = ${id}`);
    if (!row || !canSeeDivision(actor, row.division_id as string)) throw notFound('order');
    return row;
  }

  async create(actor: Actor, input: OrderInput): Promise<Order> {
    requirePermission(actor, 'crm.manage');
    if (!input.contactId) throw invalid('contactId', 'is required');
    if (!input.status?.trim()) throw invalid('status', 'is required');
    if (!input.currency) throw invalid('currency', 'is required');
    const amount = amountOf(input.amount);
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const contact = await visibleContact(tx, actor, input.contactId!).catch(() => null);
        if (!contact) throw invalid('contactId', 'is not a contact you can see');
        const row = await one<{ id: string }>(
          tx,
          sql`INSERT INTO crm_orders (tenant_id, contact_id, external_id, status, currency, amount, items, ordered_at, shipped_at, delivered_at)
              VALUES (${actor.tenantId}, ${contact.id}, ${input.externalId ?? null}, ${input.status!.trim()}, ${input.currency}, ${amount}::numeric,
                      ${JSON.stringify(input.items ?? [])}::jsonb, ${input.orderedAt ?? sql`clock_timestamp()`}, ${input.shippedAt ?? null}, ${input.deliveredAt ?? null})
              RETURNING id`,
        );
        const order = toOrder((await one(tx, sql`${select} WHERE o.id = ${row!.id}`))!);
        await addTimelineEntry(tx, actor.tenantId, {
          contactId: contact.id,
          kind: 'order',
          at: new Date(order.orderedAt),
          source: { type: 'order', id: order.id },
          actorId: actor.userId,
          summary: `${order.externalId ?? order.id.slice(0, 8)} · ${order.amount} ${order.currency} · ${order.status}`,
          data: { orderId: order.id, externalId: order.externalId, amount: order.amount, currency: order.currency, status: order.status },
        });
        await appendEvent(tx, actor.tenantId, 'order.created', { orderId: order.id, contactId: contact.id, externalId: order.externalId, status: order.status });
        return order;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('an order with this external id exists', 'externalId');
      throw err;
    }
  }

  async get(actor: Actor, id: string): Promise<Order> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) => toOrder(await this.visibleOrder(tx, actor, id)));
  }

  async update(actor: Actor, id: string, patch: Omit<OrderInput, 'contactId'>): Promise<Order> {
    requirePermission(actor, 'crm.manage');
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const current = await this.visibleOrder(tx, actor, id);
        const sets: SQL[] = [sql`updated_at = clock_timestamp()`];
        if (patch.status !== undefined) {
          if (!patch.status.trim()) throw invalid('status', 'must not be empty');
          sets.push(sql`status = ${patch.status.trim()}`);
        }
        if (patch.externalId !== undefined) sets.push(sql`external_id = ${patch.externalId}`);
        if (patch.currency !== undefined) sets.push(sql`currency = ${patch.currency}`);
        if (patch.amount !== undefined) sets.push(sql`amount = ${amountOf(patch.amount)}::numeric`);
        if (patch.items !== undefined) sets.push(sql`items = ${JSON.stringify(patch.items)}::jsonb`);
        if (patch.orderedAt !== undefined) sets.push(sql`ordered_at = ${patch.orderedAt}`);
        if (patch.shippedAt !== undefined) sets.push(sql`shipped_at = ${patch.shippedAt}`);
        if (patch.deliveredAt !== undefined) sets.push(sql`delivered_at = ${patch.deliveredAt}`);
        await tx.execute(sql`UPDATE crm_orders SET ${sql.join(sets, sql`, `)} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
        const order = toOrder((await one(tx, sql`${select} WHERE o.id = ${id}`))!);
        if (patch.status !== undefined && patch.status.trim() !== current.status) {
          await appendEvent(tx, actor.tenantId, 'order.updated', { orderId: id, contactId: order.contactId, externalId: order.externalId, status: order.status });
        }
        return order;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('an order with this external id exists', 'externalId');
      throw err;
    }
  }

  /** A contact's orders, or (with externalId) the order status lookup flows use. */
  async list(actor: Actor, query: { contactId?: string | undefined; externalId?: string | undefined; limit: number }): Promise<Order[]> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      if (query.contactId) await visibleContact(tx, actor, query.contactId);
      const where: SQL[] = [sql`o.tenant_id = ${actor.tenantId}`, divisionScope(actor, sql`c.division_id`)];
      if (query.contactId) where.push(sql`o.contact_id = ${query.contactId}`);
      if (query.externalId) where.push(sql`o.external_id = ${query.externalId}`);
      return (await rows(tx, sql`${select} WHERE ${sql.join(where, sql` AND `)} ORDER BY o.ordered_at DESC, o.id DESC LIMIT ${query.limit}`)).map(toOrder);
    });
  }
}
