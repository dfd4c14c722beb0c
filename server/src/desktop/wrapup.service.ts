// The agent's side of a piece of work after routing assigned it: what is on the agent's desk now, and the wrap-up
// (disposition code, notes, first-contact resolution) that closes it. Routing owns tasks and states; this service
// reads tasks as stored and asks routing to complete a task that is still open when its wrap-up is saved.
import type { DeskTask } from '@kefu/contracts';
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { AppError, conflict, invalid, notFound } from '../platform/errors.ts';

export interface WrapupInput {
  code?: string | undefined;
  notes?: string | undefined;
  resolvedFirstContact?: boolean | undefined;
}


/** What the service needs from routing: completing a task ends the agent's work on it (after-call work starts). */
export interface TaskCompleter {
  complete(tenantId: string, taskId: string): Promise<unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Work that ended more than this long ago no longer waits on the desk for its wrap-up. */
const PENDING_WRAPUP_HOURS = 12;

interface TaskRow extends Record<string, unknown> {
  id: string;
  queue_id: string;
  queue_name: string;
  channel: string;
  status: string;
  attributes: Record<string, unknown>;
  contact_id: string | null;
  external_ref: string | null;
  assigned_agent_id: string | null;
  assigned_at: Date | null;
  ended_at: Date | null;
  codes: { code: string; label: string }[] | null;
  from_address: string | null;
  w_code: string | null;
  w_notes: string | null;
  w_fcr: boolean | null;
  w_at: Date | null;
}

const SELECT_TASKS = sql`
  SELECT t.id, t.queue_id, q.name AS queue_name, t.channel, t.status, t.attributes, t.contact_id, t.external_ref,
    t.assigned_agent_id, t.assigned_at, t.ended_at,
    (SELECT json_agg(json_build_object('code', c.code, 'label', c.label) ORDER BY c.code)
       FROM routing_wrapup_codes c WHERE c.tenant_id = t.tenant_id AND c.queue_id = t.queue_id) AS codes,
    (SELECT i.from_address FROM interactions i WHERE i.tenant_id = t.tenant_id
       AND i.id = CASE WHEN t.attributes->>'interactionId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                       THEN (t.attributes->>'interactionId')::uuid END) AS from_address,
    w.code AS w_code, w.notes AS w_notes, w.resolved_first_contact AS w_fcr, w.created_at AS w_at
  FROM routing_tasks t
  JOIN routing_queues q ON q.id = t.queue_id AND q.tenant_id = t.tenant_id
  LEFT JOIN desktop_wrapups w ON w.task_id = t.id AND w.tenant_id = t.tenant_id`;

function interactionOf(attributes: Record<string, unknown>): string | null {
  const id = attributes.interactionId;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

/** The task's own `from` (channels that set it), else the address the interaction was opened from. */
function customerAddressOf(r: TaskRow): string | null {
  const from = r.attributes.from;
  if (typeof from === 'string' && from.trim() !== '') return from;
  return r.from_address && r.from_address !== '' ? r.from_address : null;
}

function toDeskTask(r: TaskRow): DeskTask {
  return {
    id: r.id,
    queueId: r.queue_id,
    queueName: r.queue_name,
    channel: r.channel,
    status: r.status,
    attributes: r.attributes,
    contactId: r.contact_id,
    interactionId: interactionOf(r.attributes),
    externalRef: r.external_ref,
    customerAddress: customerAddressOf(r),
    assignedAt: r.assigned_at ? new Date(r.assigned_at).toISOString() : null,
    endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
    wrapupCodes: r.codes ?? [],
    wrapup: r.w_at
      ? { code: r.w_code, notes: r.w_notes ?? '', resolvedFirstContact: r.w_fcr, createdAt: new Date(r.w_at).toISOString() }
      : null,
  };
}

function needPerson(actor: Actor): string {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'only a signed-in agent has a desk');
  return actor.userId;
}

export class WrapupService {
  constructor(
    private readonly database: Database,
    private readonly routing: () => Promise<TaskCompleter>,
  ) {}

  /** The agent's open work and the work that ended without a wrap-up yet (newest first). */
  async desk(actor: Actor): Promise<DeskTask[]> {
    const userId = needPerson(actor);
    const rows = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.execute<TaskRow>(sql`${SELECT_TASKS}
        WHERE t.tenant_id = ${actor.tenantId} AND t.assigned_agent_id = ${userId}
          AND (t.status = 'assigned'
               OR (w.id IS NULL AND t.ended_at > now() - make_interval(hours => ${PENDING_WRAPUP_HOURS})))
        ORDER BY coalesce(t.assigned_at, t.enqueued_at) DESC
        LIMIT 50`),
    );
    return rows.rows.map(toDeskTask);
  }

  /** One task, for the agent it was assigned to (or offered to: the screen pop comes before answering). */
  async task(actor: Actor, taskId: string): Promise<DeskTask> {
    const userId = needPerson(actor);
    const row = await this.row(actor.tenantId, taskId);
    if (!row) throw notFound('task');
    const offeredTo = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.execute<{ offered: boolean }>(sql`SELECT ${userId}::uuid = ANY(offered_to) AS offered FROM routing_tasks WHERE id = ${taskId}`),
    );
    if (row.assigned_agent_id !== userId && !offeredTo.rows[0]?.offered && !actor.permissions.has('supervisor.console')) {
      throw new AppError('FORBIDDEN', 'this task was neither offered nor assigned to you');
    }
    return toDeskTask(row);
  }

  /**
   * Saves the wrap-up of a task the agent handled, once. The code must be one of the queue's wrap-up codes, and is
   * required when the queue has any. A task still open is completed, which starts the queue's after-call work.
   */
  async wrapUp(actor: Actor, taskId: string, input: WrapupInput): Promise<DeskTask> {
    const userId = needPerson(actor);
    const row = await this.row(actor.tenantId, taskId);
    if (!row) throw notFound('task');
    if (row.assigned_agent_id !== userId) throw new AppError('FORBIDDEN', 'only the agent who handled the task can wrap it up');
    if (row.status !== 'assigned' && row.status !== 'completed') throw conflict(`a ${row.status} task cannot be wrapped up`);
    if (row.w_at) throw conflict('this task is already wrapped up');
    const codes = row.codes ?? [];
    const code = input.code?.trim() || null;
    if (code === null && codes.length > 0) throw invalid('code', "choose one of the queue's wrap-up codes");
    if (code !== null && !codes.some((c) => c.code === code)) {
      throw invalid('code', codes.length ? `not a wrap-up code of this queue (${codes.map((c) => c.code).join(', ')})` : 'this queue has no wrap-up codes');
    }
    const interactionId = interactionOf(row.attributes);
    const inserted = await this.database.withTenant(actor.tenantId, async (tx) => {
      const known = interactionId
        ? (await tx.execute(sql`SELECT 1 FROM interactions WHERE id = ${interactionId}`)).rows.length > 0
        : false;
      return tx.execute(sql`
        INSERT INTO desktop_wrapups (tenant_id, task_id, queue_id, interaction_id, user_id, code, notes, resolved_first_contact)
        VALUES (${actor.tenantId}, ${taskId}, ${row.queue_id}, ${known ? interactionId : null}, ${userId}, ${code},
                ${input.notes?.trim() ?? ''}, ${input.resolvedFirstContact ?? null})
        ON CONFLICT (tenant_id, task_id) DO NOTHING
        RETURNING id`);
    });
    // Two tabs saving at once: exactly one insert wins, the other is told so.
    if (inserted.rows.length === 0) throw conflict('this task is already wrapped up');
    if (row.status === 'assigned') await (await this.routing()).complete(actor.tenantId, taskId);
    return toDeskTask((await this.row(actor.tenantId, taskId))!);
  }

  private async row(tenantId: string, taskId: string): Promise<TaskRow | undefined> {
    const rows = await this.database.withTenant(tenantId, (tx) =>
      tx.execute<TaskRow>(sql`${SELECT_TASKS} WHERE t.tenant_id = ${tenantId} AND t.id = ${taskId}`),
    );
    return rows.rows[0];
  }
}
