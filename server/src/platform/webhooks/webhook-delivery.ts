// The job that POSTs one event to one webhook. Failures throw, so the job runner retries with backoff; the
// delivery row keeps the attempt count, the last status and error for the admin console's delivery log.
import { sql } from 'drizzle-orm';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Database } from '../db/database.ts';
import type { Job } from '../jobs/job-runner.ts';
import { signWebhook } from './signature.ts';

export interface DeliveryOptions {
  timeoutMs: number;
  now?: () => number;
}

export function webhookDeliveryHandler(database: Database, secrets: SecretBox, options: DeliveryOptions = { timeoutMs: 10_000 }) {
  return async (job: Job<{ deliveryId: string }>): Promise<void> => {
    const found = await database.withSystem(async (tx) => {
      const result = await tx.execute<{
        url: string;
        secret_sealed: string;
        active: boolean;
        status: string;
        event_id: string;
        type: string;
        tenant_id: string;
        payload: unknown;
        occurred_at: Date;
      }>(sql`
        SELECT w.url, w.secret_sealed, w.active, d.status, o.id AS event_id, o.type, o.tenant_id, o.payload, o.occurred_at
        FROM webhook_deliveries d
        JOIN webhooks w ON w.id = d.webhook_id
        JOIN outbox o ON o.id = d.event_id
        WHERE d.id = ${job.payload.deliveryId}`);
      return result.rows[0];
    });
    if (!found || found.status === 'delivered' || !found.active) return; // deleted, done already, or switched off

    const body = JSON.stringify({
      id: found.event_id,
      type: found.type,
      tenantId: found.tenant_id,
      occurredAt: new Date(found.occurred_at).toISOString(),
      data: found.payload,
    });
    const timestamp = Math.floor((options.now?.() ?? Date.now()) / 1000);
    let responseStatus: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(found.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Kefu-Webhooks/1',
          'kefu-event-id': found.event_id,
          'kefu-event-type': found.type,
          'kefu-signature': signWebhook(secrets.open(found.secret_sealed), body, timestamp),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      responseStatus = response.status;
      await response.body?.cancel().catch(() => {});
      if (response.status < 200 || response.status >= 300) error = `receiver answered ${response.status}`;
    } catch (err) {
      error = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : err.message) : String(err);
    }
    const final = error !== null && job.attempt >= job.maxAttempts;
    await database.withSystem((tx) =>
      tx.execute(sql`
        UPDATE webhook_deliveries SET attempts = ${job.attempt}, response_status = ${responseStatus}, last_error = ${error},
          status = ${error === null ? 'delivered' : final ? 'failed' : 'pending'},
          delivered_at = ${error === null ? sql`now()` : sql`NULL`}
        WHERE id = ${job.payload.deliveryId}`),
    );
    if (error !== null) throw new Error(error);
  };
}
