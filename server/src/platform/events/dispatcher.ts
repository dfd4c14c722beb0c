// Moves committed outbox events onward: publishes each on the bus and turns it into one webhook delivery job
// per subscribed webhook, then marks it dispatched, all in one transaction. A crash before the commit
// dispatches the event again (at least once); receivers deduplicate by event id.
import { sql } from 'drizzle-orm';
import type { EventEnvelope, EventType } from '@kefu/contracts';
import type { Database } from '../db/database.ts';
import type { Notifier } from '../db/notifier.ts';
import { enqueueJob } from '../jobs/job-runner.ts';
import type { EventBus } from './bus.ts';

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private busy: Promise<void> = Promise.resolve();
  private again = false;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly log: (line: string, fields?: Record<string, unknown>) => void,
    private readonly options: { pollMs: number; batch: number; webhookMaxAttempts: number } = { pollMs: 1000, batch: 100, webhookMaxAttempts: 8 },
  ) {}

  start(notifier?: Notifier): void {
    this.stopped = false;
    notifier?.on('kefu_outbox', () => this.wake());
    this.schedule(0);
  }

  wake(): void {
    this.again = true;
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.busy;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.busy = this.busy.then(() => this.tick());
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.again = false;
    let count = 0;
    try {
      count = await this.dispatchBatch();
    } catch (err) {
      this.log('outbox dispatch failed', { err: String(err) });
    }
    if (!this.stopped) this.schedule(count === this.options.batch || this.again ? 0 : this.options.pollMs);
  }

  /** Dispatches up to one batch of pending events; returns how many. */
  async dispatchBatch(): Promise<number> {
    return this.database.withSystem(async (tx) => {
      const pending = await tx.execute<{ id: string; tenant_id: string; type: string; payload: unknown; occurred_at: Date }>(sql`
        SELECT id, tenant_id, type, payload, occurred_at FROM outbox
        WHERE dispatched_at IS NULL ORDER BY occurred_at, id LIMIT ${this.options.batch} FOR UPDATE SKIP LOCKED`);
      for (const row of pending.rows) {
        const event: EventEnvelope = {
          id: row.id,
          type: row.type as EventType,
          tenantId: row.tenant_id,
          occurredAt: new Date(row.occurred_at).toISOString(),
          data: row.payload as EventEnvelope['data'],
        };
        const targetWebhook = event.type === 'webhook.pinged' ? (event.data as { webhookId: string }).webhookId : null;
        const hooks = await tx.execute<{ id: string }>(sql`
          SELECT id FROM webhooks WHERE tenant_id = ${row.tenant_id} AND active
            AND ${targetWebhook === null ? sql`(${row.type} = ANY(events) OR '*' = ANY(events))` : sql`id = ${targetWebhook}`}`);
        for (const hook of hooks.rows) {
          const inserted = await tx.execute<{ id: string }>(sql`
            INSERT INTO webhook_deliveries (tenant_id, webhook_id, event_id, event_type)
            VALUES (${row.tenant_id}, ${hook.id}, ${row.id}, ${row.type})
            ON CONFLICT (webhook_id, event_id) DO NOTHING RETURNING id`);
          const deliveryId = inserted.rows[0]?.id;
          if (deliveryId) {
            await enqueueJob(tx, {
              type: WEBHOOK_DELIVER_JOB,
              tenantId: row.tenant_id,
              payload: { deliveryId },
              idempotencyKey: `webhook-delivery:${deliveryId}`,
              maxAttempts: this.options.webhookMaxAttempts,
            });
          }
        }
        await this.bus.publish(event);
      }
      if (pending.rows.length) {
        await tx.execute(sql`UPDATE outbox SET dispatched_at = now() WHERE id IN (${sql.join(pending.rows.map((r) => sql`${r.id}`), sql`, `)})`);
      }
      return pending.rows.length;
    });
  }
}
