// Callback requests: a caller who would rather not wait leaves a number and a preferred time (from a flow, or when
// no agent is free). The request is stored; when its time comes it becomes a routing callback task of the queue
// (routing offers it like a call); when an agent takes that task, the voice service calls the agent's phone and
// then the customer through a trunk (click-to-dial), and the task completes when that call ends.
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import type { Logger } from '../platform/logger.ts';
import type { RoutingService } from '../routing/routing.service.ts';

export interface CallbackRequestInput {
  tenantId: string;
  divisionId: string;
  interactionId: string | null;
  queueId: string;
  number: string;
  preferredAt: Date;
  /** When the caller joined the queue (a callback offered while waiting): the callback task keeps that place. */
  queuedSince?: Date | undefined;
}

/** Places the call for an assigned callback task; resolves with the new interaction (or undefined when it cannot). */
export type CallbackDialer = (task: { tenantId: string; taskId: string; agentId: string; number: string }) => Promise<string | undefined>;

export class CallbackRequests {
  private timer: NodeJS.Timeout | undefined;
  private routing: RoutingService | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly database: Database, private readonly logger: Logger, private readonly pollMs = 5000) {}

  async request(input: CallbackRequestInput): Promise<string> {
    const [row] = (await this.database.withTenant(input.tenantId, (tx) =>
      tx.execute<{ id: string }>(sql`INSERT INTO voice_callback_requests (tenant_id, division_id, interaction_id, queue_id, number, preferred_at, queued_since)
        VALUES (${input.tenantId}, ${input.divisionId}, ${input.interactionId}, ${input.queueId}, ${input.number}, ${input.preferredAt}, ${input.queuedSince ?? null})
        RETURNING id`))).rows;
    if (input.preferredAt.getTime() <= Date.now()) void this.tick();
    return row!.id;
  }

  /** Starts handing due requests to routing, and dialling the callback tasks agents take. */
  start(routing: RoutingService, dial: CallbackDialer): void {
    this.routing = routing;
    routing.events.on('task.assigned', ({ tenantId, taskId, agentId, channel, callbackNumber }) => {
      if (channel !== 'callback' || !callbackNumber) return;
      void this.dialled(tenantId, taskId, dial({ tenantId, taskId, agentId, number: callbackNumber }))
        .catch((err: unknown) => this.logger.error({ err, taskId }, 'voice: dialling a callback failed'));
    });
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
    void this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async dialled(tenantId: string, taskId: string, placing: Promise<string | undefined>): Promise<void> {
    const interactionId = await placing;
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`UPDATE voice_callback_requests SET state = ${interactionId ? 'dialled' : 'failed'}, callback_interaction_id = ${interactionId ?? null},
        updated_at = clock_timestamp() WHERE tenant_id = ${tenantId} AND task_id = ${taskId}`));
  }

  /** Due requests (system path: every tenant) become routing callback tasks. One pass at a time. */
  tick(): Promise<void> {
    this.ticking ??= this.handDue().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async handDue(): Promise<void> {
    const routing = this.routing;
    if (!routing) return;
    const due = (await this.database.withSystem((tx) =>
      tx.execute<{ id: string; tenant_id: string; queue_id: string; number: string; interaction_id: string | null; created_at: Date; queued_since: Date | null }>(sql`
        SELECT id, tenant_id, queue_id, number, interaction_id, created_at, queued_since FROM voice_callback_requests
        WHERE state = 'pending' AND preferred_at <= clock_timestamp() ORDER BY preferred_at LIMIT 100`))).rows;
    for (const r of due) {
      try {
        const { taskId } = await routing.enqueue(r.tenant_id, {
          queueId: r.queue_id, channel: 'callback', callbackNumber: r.number,
          attributes: { callbackRequestId: r.id, ...(r.interaction_id ? { interactionId: r.interaction_id } : {}) },
          // The caller keeps the place they had when they asked, or in the queue they left (routing orders by enqueue time).
          enqueuedAt: new Date(r.queued_since ?? r.created_at),
        });
        await this.database.withTenant(r.tenant_id, (tx) =>
          tx.execute(sql`UPDATE voice_callback_requests SET state = 'queued', task_id = ${taskId}, updated_at = clock_timestamp()
            WHERE tenant_id = ${r.tenant_id} AND id = ${r.id}`));
      } catch (err) {
        this.logger.warn({ err, requestId: r.id }, 'voice: a callback request could not be queued');
        await this.database.withTenant(r.tenant_id, (tx) =>
          tx.execute(sql`UPDATE voice_callback_requests SET state = 'failed', updated_at = clock_timestamp() WHERE tenant_id = ${r.tenant_id} AND id = ${r.id}`));
      }
    }
  }
}
