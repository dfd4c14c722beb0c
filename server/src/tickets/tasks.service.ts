// Sub-tasks: a piece of a ticket's work for a person or a department, often outside the contact center (finance
// checks a refund, logistics traces a parcel). The assignee sees it in "my tasks", completes it with a result, and
// the result returns to the ticket: an internal note, and under first-contact ownership the ticket goes back to
// its owner once no sub-task is open, with a notice.
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { notice } from './notices.ts';
import { AppError, conflict, invalid, notFound } from '../platform/errors.ts';
import { divisionScope, iso, one, rows, type Row } from '../crm/crm-sql.ts';
import { activity, type SlaEngine } from './sla.engine.ts';
import { groupsOf, seesAll, visibleTicket } from './ticket-access.ts';
import { checkAssignableUser, checkGroup, ownershipModel, peopleOf } from './tickets.service.ts';

export interface TaskInput {
  title: string;
  description?: string | undefined;
  assigneeUserId?: string | null | undefined;
  assigneeGroupId?: string | null | undefined;
  dueAt?: string | null | undefined;
}

const select = sql`SELECT k.*, t.number, t.subject AS ticket_subject, t.division_id, t.status AS ticket_status, u.name AS assignee_user_name, g.name AS assignee_group_name,
  cu.name AS created_by_name, du.name AS done_by_name
  FROM ticket_tasks k JOIN tickets t ON t.id = k.ticket_id
  LEFT JOIN users u ON u.id = k.assignee_user_id LEFT JOIN ticket_groups g ON g.id = k.assignee_group_id
  LEFT JOIN users cu ON cu.id = k.created_by LEFT JOIN users du ON du.id = k.done_by`;

export const toTask = (r: Row) => ({
  id: r.id as string,
  ticketId: r.ticket_id as string,
  ticketNumber: Number(r.number),
  ticketSubject: r.ticket_subject as string,
  ticketStatus: r.ticket_status as string,
  title: r.title as string,
  description: r.description as string,
  assigneeUserId: (r.assignee_user_id as string | null) ?? null,
  assigneeUserName: (r.assignee_user_name as string | null) ?? null,
  assigneeGroupId: (r.assignee_group_id as string | null) ?? null,
  assigneeGroupName: (r.assignee_group_name as string | null) ?? null,
  status: r.status as 'open' | 'done' | 'cancelled',
  result: r.result as string,
  dueAt: iso(r.due_at),
  createdBy: (r.created_by as string | null) ?? null,
  createdByName: (r.created_by_name as string | null) ?? null,
  doneBy: (r.done_by as string | null) ?? null,
  doneByName: (r.done_by_name as string | null) ?? null,
  createdAt: iso(r.created_at)!,
  doneAt: iso(r.done_at),
});
export type Task = ReturnType<typeof toTask>;

export class TasksService {
  constructor(
    private readonly database: Database,
    private readonly sla: SlaEngine,
  ) {}

  private async read(tx: Tx, tenantId: string, id: string): Promise<Task> {
    const row = await one(tx, sql`${select} WHERE k.tenant_id = ${tenantId} AND k.id = ${id}`);
    if (!row) throw notFound('sub-task');
    return toTask(row);
  }

  async list(actor: Actor, ticketId: string): Promise<Task[]> {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleTicket(tx, actor, ticketId);
      return (await rows(tx, sql`${select} WHERE k.ticket_id = ${ticketId} ORDER BY k.created_at, k.id`)).map(toTask);
    });
  }

  /** "My tasks": open sub-tasks assigned to me or to one of my departments/teams (any status with `all`). */
  async mine(actor: Actor, options: { status?: 'open' | 'done' | 'cancelled' | undefined }): Promise<Task[]> {
    requirePermission(actor, 'tickets.work');
    if (!actor.userId) throw new AppError('FORBIDDEN', 'my tasks are for people, not API keys');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const groups = await groupsOf(tx, actor.tenantId, actor.userId);
      const list = await rows(
        tx,
        sql`${select} WHERE k.tenant_id = ${actor.tenantId} AND ${divisionScope(actor, sql`t.division_id`)}
            AND (k.assignee_user_id = ${actor.userId} OR (k.assignee_user_id IS NULL AND k.assignee_group_id = ANY(${`{${groups.join(',')}}`}::uuid[])))
            AND k.status = ${options.status ?? 'open'}
            ORDER BY k.due_at NULLS LAST, k.created_at LIMIT 200`,
      );
      return list.map(toTask);
    });
  }

  async create(actor: Actor, ticketId: string, input: TaskInput): Promise<Task> {
    requirePermission(actor, 'tickets.work');
    if (!seesAll(actor)) throw new AppError('FORBIDDEN', 'this needs the permission tickets.all');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const t = await visibleTicket(tx, actor, ticketId, { forUpdate: true });
      if (t.status === 'closed' || t.merged_into) throw conflict('the ticket is closed', 'ticketId');
      const title = input.title.trim();
      if (!title) throw invalid('title', 'must not be empty');
      if (!input.assigneeUserId && !input.assigneeGroupId) throw invalid('assigneeUserId', 'a sub-task needs a person or a department (assigneeGroupId)');
      if (input.assigneeUserId) await checkAssignableUser(tx, actor.tenantId, t.division_id, input.assigneeUserId, 'assigneeUserId');
      if (input.assigneeGroupId) await checkGroup(tx, actor.tenantId, input.assigneeGroupId, 'assigneeGroupId');
      const row = await one<{ id: string }>(
        tx,
        sql`INSERT INTO ticket_tasks (tenant_id, ticket_id, title, description, assignee_user_id, assignee_group_id, due_at, created_by)
            VALUES (${actor.tenantId}, ${ticketId}, ${title}, ${input.description ?? ''}, ${input.assigneeUserId ?? null}, ${input.assigneeGroupId ?? null}, ${input.dueAt ?? null}, ${actor.userId})
            RETURNING id`,
      );
      await activity(tx, actor.tenantId, ticketId, actor.userId, 'task.created', { taskId: row!.id, title, assigneeUserId: input.assigneeUserId ?? null, assigneeGroupId: input.assigneeGroupId ?? null });
      await tx.execute(sql`UPDATE tickets SET updated_at = clock_timestamp() WHERE id = ${ticketId}`);
      const userIds = (await peopleOf(tx, actor.tenantId, input.assigneeUserId ?? null, input.assigneeGroupId ?? null)).filter((u) => u !== actor.userId);
      if (userIds.length) await notice(tx, actor.tenantId, 'ticket_task.assigned', { taskId: row!.id, ticketId, number: Number(t.number), title, userIds });
      return this.read(tx, actor.tenantId, row!.id);
    });
  }

  /** Complete, cancel or reopen a sub-task. Its assignee (or a member of its department) and agents may. */
  async update(actor: Actor, id: string, input: { status?: 'open' | 'done' | 'cancelled' | undefined; result?: string | undefined; assigneeUserId?: string | null | undefined }): Promise<Task> {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const task = await one<Row & { id: string; ticket_id: string; status: string; assignee_user_id: string | null; assignee_group_id: string | null; title: string }>(
        tx,
        sql`SELECT * FROM ticket_tasks WHERE tenant_id = ${actor.tenantId} AND id = ${id} FOR UPDATE`,
      );
      if (!task) throw notFound('sub-task');
      const t = await visibleTicket(tx, actor, task.ticket_id, { forUpdate: true }).catch(() => {
        throw notFound('sub-task');
      });
      if (!seesAll(actor)) {
        const groups = await groupsOf(tx, actor.tenantId, actor.userId);
        const mine = task.assignee_user_id === actor.userId || (task.assignee_user_id === null && task.assignee_group_id !== null && groups.includes(task.assignee_group_id));
        if (!mine) throw new AppError('FORBIDDEN', 'only the sub-task’s assignee (or its department) and agents may change it');
        if (input.assigneeUserId !== undefined && input.assigneeUserId !== actor.userId) throw new AppError('FORBIDDEN', 'staff may take a department’s sub-task for themselves only');
      }
      const changes: Record<string, [unknown, unknown]> = {};
      if (input.assigneeUserId !== undefined && input.assigneeUserId !== task.assignee_user_id) {
        if (input.assigneeUserId) await checkAssignableUser(tx, actor.tenantId, t.division_id, input.assigneeUserId, 'assigneeUserId');
        await tx.execute(sql`UPDATE ticket_tasks SET assignee_user_id = ${input.assigneeUserId} WHERE id = ${id}`);
        changes.assigneeUserId = [task.assignee_user_id, input.assigneeUserId];
      }
      if (input.status && input.status !== task.status) {
        const result = input.result?.trim() ?? '';
        if (input.status === 'done' && !result) throw invalid('result', 'say what was done: the result returns to the ticket owner');
        await tx.execute(sql`UPDATE ticket_tasks SET status = ${input.status}, result = ${result || task.result}, done_at = ${input.status === 'open' ? null : sql`clock_timestamp()`}, done_by = ${input.status === 'open' ? null : actor.userId} WHERE id = ${id}`);
        changes.status = [task.status, input.status];
        if (input.status === 'done') await this.returnToOwner(tx, actor, t, task, result);
      } else if (input.result !== undefined) {
        await tx.execute(sql`UPDATE ticket_tasks SET result = ${input.result} WHERE id = ${id}`);
        changes.result = [task.result, input.result];
      }
      if (Object.keys(changes).length) {
        await activity(tx, actor.tenantId, task.ticket_id, actor.userId, 'task.updated', { taskId: id, title: task.title, ...changes });
        await tx.execute(sql`UPDATE tickets SET updated_at = clock_timestamp() WHERE id = ${task.ticket_id}`);
      }
      return this.read(tx, actor.tenantId, id);
    });
  }

  private async returnToOwner(tx: Tx, actor: Actor, t: Row & { id: string; number: string | number; division_id: string; owner_id: string | null; assignee_user_id: string | null; status: string }, task: Row & { id: string; title: string }, result: string): Promise<void> {
    await tx.execute(sql`INSERT INTO ticket_comments (tenant_id, ticket_id, author_id, author_kind, visibility, body)
      VALUES (${actor.tenantId}, ${t.id}, ${actor.userId}, 'agent', 'internal', ${`✓ ${task.title}\n${result}`})`);
    const open = await one<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM ticket_tasks WHERE ticket_id = ${t.id} AND status = 'open'`);
    const model = await ownershipModel(tx, actor.tenantId, t.division_id);
    if (model === 'first_contact' && t.owner_id && open?.n === 0 && (t.assignee_user_id !== t.owner_id || t.status === 'on_hold')) {
      // The work comes back to the first agent, who stays the customer's single contact.
      await tx.execute(sql`UPDATE tickets SET assignee_user_id = ${t.owner_id}, status = CASE WHEN status IN ('on_hold', 'new') THEN 'open' ELSE status END, version = version + 1 WHERE id = ${t.id}`);
      await activity(tx, actor.tenantId, t.id, actor.userId, 'returned_to_owner', { assigneeUserId: [t.assignee_user_id, t.owner_id] });
      // Waiting on the department paused the SLA clock (on hold); the work is back, so it runs again.
      if (t.status === 'on_hold') await this.sla.apply(tx, actor.tenantId, { ...t, priority: t.priority as string, status: 'open' }, { kind: 'status', from: 'on_hold', to: 'open' });
    }
    const notify = [...new Set([t.owner_id, (task.created_by as string | null) ?? null].filter((u): u is string => u !== null && u !== actor.userId))];
    if (notify.length) await notice(tx, actor.tenantId, 'ticket_task.completed', { taskId: task.id, ticketId: t.id, number: Number(t.number), title: task.title, userIds: notify });
  }
}
