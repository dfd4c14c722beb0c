// Routing configuration: queues (per division, with wrap-up codes), skills, away reasons, memberships and
// agent profiles (capacity, skills). Each change is audited, announced, and makes the router re-read the
// tenant's configuration.
import { sql } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import type { RoutingService } from './routing.service.ts';
import type { QueueRow } from './routing.store.ts';
import { DEFAULT_CAPACITY } from './routing.store.ts';
import type { CreateQueueInput, UpdateQueueInput } from './routing.schemas.ts';

const toQueue = (q: QueueRow, wrapupCodes: { code: string; label: string }[]) => ({
  id: q.id,
  divisionId: q.division_id,
  name: q.name,
  channels: q.channels,
  strategy: q.strategy,
  serviceLevelSeconds: q.service_level_seconds,
  serviceLevelTarget: q.service_level_target,
  maxWaitSeconds: q.max_wait_seconds,
  overflow: q.overflow,
  priorityRules: q.priority_rules,
  agingPerMinute: q.aging_per_minute,
  acwSeconds: q.acw_seconds,
  offerTimeoutSeconds: q.offer_timeout_seconds,
  announcements: q.announcements,
  callbacksOffered: q.callbacks_offered,
  wrapupCodes,
  createdAt: new Date(q.created_at).toISOString(),
});
export type Queue = ReturnType<typeof toQueue>;

const columns = {
  channels: 'channels',
  strategy: 'strategy',
  serviceLevelSeconds: 'service_level_seconds',
  serviceLevelTarget: 'service_level_target',
  maxWaitSeconds: 'max_wait_seconds',
  overflow: 'overflow',
  priorityRules: 'priority_rules',
  agingPerMinute: 'aging_per_minute',
  acwSeconds: 'acw_seconds',
  offerTimeoutSeconds: 'offer_timeout_seconds',
  announcements: 'announcements',
  callbacksOffered: 'callbacks_offered',
} as const satisfies Partial<Record<keyof UpdateQueueInput, string>>;
const jsonColumns = new Set(['overflow', 'priority_rules', 'announcements']);

export class RoutingAdminService {
  constructor(
    private readonly database: Database,
    private readonly engine: Pick<RoutingService, 'reloadConfig' | 'agentView'>,
  ) {}

  private async queueRow(tx: Tx, actor: Actor, id: string): Promise<QueueRow> {
    const [row] = (await tx.execute<QueueRow>(sql`SELECT * FROM routing_queues WHERE tenant_id = ${actor.tenantId} AND id = ${id}`)).rows;
    if (!row || !canSeeDivision(actor, row.division_id)) throw notFound('queue');
    return row;
  }

  private async wrapups(tx: Tx, tenantId: string, queueIds: string[]) {
    if (queueIds.length === 0) return new Map<string, { code: string; label: string }[]>();
    const rows = (
      await tx.execute<{ queue_id: string; code: string; label: string }>(sql`
        SELECT queue_id, code, label FROM routing_wrapup_codes WHERE tenant_id = ${tenantId}
        AND queue_id IN (${sql.join(queueIds.map((id) => sql`${id}`), sql`, `)}) ORDER BY created_at, code`)
    ).rows;
    const map = new Map<string, { code: string; label: string }[]>();
    for (const r of rows) map.set(r.queue_id, [...(map.get(r.queue_id) ?? []), { code: r.code, label: r.label }]);
    return map;
  }

  async listQueues(actor: Actor): Promise<Queue[]> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const rows = (await tx.execute<QueueRow>(sql`SELECT * FROM routing_queues WHERE tenant_id = ${actor.tenantId} ORDER BY created_at, id`)).rows.filter((q) =>
        canSeeDivision(actor, q.division_id),
      );
      const codes = await this.wrapups(tx, actor.tenantId, rows.map((r) => r.id));
      return rows.map((r) => toQueue(r, codes.get(r.id) ?? []));
    });
  }

  async getQueue(actor: Actor, id: string): Promise<Queue> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const row = await this.queueRow(tx, actor, id);
      return toQueue(row, (await this.wrapups(tx, actor.tenantId, [id])).get(id) ?? []);
    });
  }

  /** Checks that overflow targets are queues of the same tenant that the actor can see. */
  private async checkOverflow(tx: Tx, actor: Actor, input: UpdateQueueInput, selfId?: string): Promise<void> {
    for (const [i, rule] of (input.overflow ?? []).entries()) {
      if (rule.action !== 'queue') continue;
      if (rule.queueId === selfId) throw invalid(`overflow.${i}.queueId`, 'a queue cannot overflow to itself');
      await this.queueRow(tx, actor, rule.queueId).catch(() => {
        throw invalid(`overflow.${i}.queueId`, 'no such queue');
      });
    }
  }

  private async saveWrapups(tx: Tx, tenantId: string, queueId: string, codes: { code: string; label: string }[] | undefined): Promise<void> {
    if (!codes) return;
    await tx.execute(sql`DELETE FROM routing_wrapup_codes WHERE tenant_id = ${tenantId} AND queue_id = ${queueId}`);
    for (const c of codes) await tx.execute(sql`INSERT INTO routing_wrapup_codes (tenant_id, queue_id, code, label) VALUES (${tenantId}, ${queueId}, ${c.code}, ${c.label})`);
  }

  private setList(input: UpdateQueueInput) {
    const parts = [];
    for (const [key, column] of Object.entries(columns) as [keyof typeof columns, string][]) {
      const value = input[key];
      if (value === undefined) continue;
      const v = jsonColumns.has(column) ? sql`${JSON.stringify(value)}::jsonb` : column === 'channels' ? sql`${`{${(value as string[]).join(',')}}`}::text[]` : sql`${value}`;
      parts.push(sql`${sql.identifier(column)} = ${v}`);
    }
    return parts;
  }

  async createQueue(actor: Actor, input: CreateQueueInput): Promise<Queue> {
    requirePermission(actor, 'routing.manage');
    try {
      const id = await this.database.withTenant(actor.tenantId, async (tx) => {
        const [division] = (await tx.execute(sql`SELECT 1 FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${input.divisionId}`)).rows;
        if (!division || !canSeeDivision(actor, input.divisionId)) throw invalid('divisionId', 'no such division');
        await this.checkOverflow(tx, actor, input);
        const [row] = (await tx.execute<{ id: string }>(sql`INSERT INTO routing_queues (tenant_id, division_id, name) VALUES (${actor.tenantId}, ${input.divisionId}, ${input.name}) RETURNING id`)).rows;
        const set = this.setList(input);
        if (set.length) await tx.execute(sql`UPDATE routing_queues SET ${sql.join(set, sql`, `)} WHERE id = ${row!.id}`);
        await this.saveWrapups(tx, actor.tenantId, row!.id, input.wrapupCodes);
        await recordAudit(tx, actor, { action: 'routing_queue.created', targetType: 'routing_queue', targetId: row!.id, details: { name: input.name } });
        await appendEvent(tx, actor.tenantId, 'routing_queue.changed', { queueId: row!.id, change: 'created' });
        return row!.id;
      });
      await this.engine.reloadConfig(actor.tenantId);
      return this.getQueue(actor, id);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`a queue named ${input.name} exists`, 'name');
      throw err;
    }
  }

  async updateQueue(actor: Actor, id: string, input: UpdateQueueInput): Promise<Queue> {
    requirePermission(actor, 'routing.manage');
    try {
      await this.database.withTenant(actor.tenantId, async (tx) => {
        await this.queueRow(tx, actor, id);
        await this.checkOverflow(tx, actor, input, id);
        const set = this.setList(input);
        if (input.name !== undefined) set.push(sql`name = ${input.name}`);
        set.push(sql`updated_at = now()`);
        await tx.execute(sql`UPDATE routing_queues SET ${sql.join(set, sql`, `)} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
        await this.saveWrapups(tx, actor.tenantId, id, input.wrapupCodes);
        await recordAudit(tx, actor, { action: 'routing_queue.updated', targetType: 'routing_queue', targetId: id, details: { fields: Object.keys(input) } });
        await appendEvent(tx, actor.tenantId, 'routing_queue.changed', { queueId: id, change: 'updated' });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`a queue named ${input.name} exists`, 'name');
      throw err;
    }
    await this.engine.reloadConfig(actor.tenantId);
    return this.getQueue(actor, id);
  }

  async deleteQueue(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'routing.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.queueRow(tx, actor, id);
      const [open] = (await tx.execute(sql`SELECT 1 FROM routing_tasks WHERE tenant_id = ${actor.tenantId} AND queue_id = ${id} AND status IN ('queued', 'offered', 'assigned') LIMIT 1`)).rows;
      if (open) throw conflict('the queue has open tasks');
      await tx.execute(sql`DELETE FROM routing_queues WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'routing_queue.deleted', targetType: 'routing_queue', targetId: id });
      await appendEvent(tx, actor.tenantId, 'routing_queue.changed', { queueId: id, change: 'deleted' });
    });
    await this.engine.reloadConfig(actor.tenantId);
  }

  // Memberships

  async listMembers(actor: Actor, queueId: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.queueRow(tx, actor, queueId);
      return (
        await tx.execute<{ userId: string; name: string; email: string; skillLevel: number; priority: number }>(sql`
          SELECT m.user_id AS "userId", u.name, u.email, m.skill_level AS "skillLevel", m.priority
          FROM routing_memberships m JOIN users u ON u.id = m.user_id
          WHERE m.tenant_id = ${actor.tenantId} AND m.queue_id = ${queueId} ORDER BY u.name, u.id`)
      ).rows;
    });
  }

  private async userExists(tx: Tx, tenantId: string, userId: string): Promise<void> {
    const [row] = (await tx.execute(sql`SELECT 1 FROM users WHERE tenant_id = ${tenantId} AND id = ${userId}`)).rows;
    if (!row) throw notFound('user');
  }

  async putMember(actor: Actor, queueId: string, userId: string, input: { skillLevel?: number | undefined; priority?: number | undefined }) {
    requirePermission(actor, 'routing.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.queueRow(tx, actor, queueId);
      await this.userExists(tx, actor.tenantId, userId);
      await tx.execute(sql`
        INSERT INTO routing_memberships (tenant_id, queue_id, user_id, skill_level, priority) VALUES (${actor.tenantId}, ${queueId}, ${userId}, ${input.skillLevel ?? 3}, ${input.priority ?? 1})
        ON CONFLICT (queue_id, user_id) DO UPDATE SET skill_level = coalesce(${input.skillLevel ?? null}::int, routing_memberships.skill_level),
          priority = coalesce(${input.priority ?? null}::int, routing_memberships.priority)`);
      await recordAudit(tx, actor, { action: 'routing_membership.saved', targetType: 'routing_queue', targetId: queueId, details: { userId, ...input } });
    });
    await this.engine.reloadConfig(actor.tenantId);
    return (await this.listMembers(actor, queueId)).find((m) => m.userId === userId)!;
  }

  async removeMember(actor: Actor, queueId: string, userId: string): Promise<void> {
    requirePermission(actor, 'routing.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.queueRow(tx, actor, queueId);
      await this.userExists(tx, actor.tenantId, userId);
      const r = await tx.execute(sql`DELETE FROM routing_memberships WHERE tenant_id = ${actor.tenantId} AND queue_id = ${queueId} AND user_id = ${userId}`);
      if (r.rowCount === 0) throw notFound('membership');
      await recordAudit(tx, actor, { action: 'routing_membership.removed', targetType: 'routing_queue', targetId: queueId, details: { userId } });
    });
    await this.engine.reloadConfig(actor.tenantId);
  }

  // Agent profiles

  async listAgents(actor: Actor) {
    const rows = await this.database.withTenant(actor.tenantId, async (tx) =>
      (
        await tx.execute<{ user_id: string; name: string; email: string }>(sql`
          SELECT u.id AS user_id, u.name, u.email FROM users u
          WHERE u.tenant_id = ${actor.tenantId} AND (EXISTS (SELECT 1 FROM routing_agents a WHERE a.user_id = u.id)
                OR EXISTS (SELECT 1 FROM routing_memberships m WHERE m.user_id = u.id)) ORDER BY u.name, u.id`)
      ).rows,
    );
    return Promise.all(rows.map(async (r) => ({ name: r.name, email: r.email, ...(await this.getAgent(actor, r.user_id)) })));
  }

  async getAgent(actor: Actor, userId: string) {
    const profile = await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.userExists(tx, actor.tenantId, userId);
      const [row] = (
        await tx.execute<{ capacity: Record<string, number>; call_blocks_chats: boolean; skills: Record<string, number> }>(sql`
          SELECT capacity, call_blocks_chats, skills FROM routing_agents WHERE tenant_id = ${actor.tenantId} AND user_id = ${userId}`)
      ).rows;
      const queues = (await tx.execute<{ queueId: string; skillLevel: number; priority: number }>(sql`
        SELECT queue_id AS "queueId", skill_level AS "skillLevel", priority FROM routing_memberships WHERE tenant_id = ${actor.tenantId} AND user_id = ${userId}`)).rows;
      return { capacity: row?.capacity ?? DEFAULT_CAPACITY, callBlocksChats: row?.call_blocks_chats ?? true, skills: row?.skills ?? {}, queues };
    });
    return { ...(await this.engine.agentView(actor.tenantId, userId)), ...profile };
  }

  async updateAgent(actor: Actor, userId: string, input: { capacity?: Record<string, number> | undefined; callBlocksChats?: boolean | undefined; skills?: Record<string, number> | undefined }) {
    requirePermission(actor, 'routing.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.userExists(tx, actor.tenantId, userId);
      await tx.execute(sql`
        INSERT INTO routing_agents (user_id, tenant_id, capacity, call_blocks_chats, skills)
        VALUES (${userId}, ${actor.tenantId}, ${JSON.stringify(input.capacity ?? DEFAULT_CAPACITY)}::jsonb, ${input.callBlocksChats ?? true}, ${JSON.stringify(input.skills ?? {})}::jsonb)
        ON CONFLICT (user_id) DO UPDATE SET
          capacity = coalesce(${input.capacity ? JSON.stringify(input.capacity) : null}::jsonb, routing_agents.capacity),
          call_blocks_chats = coalesce(${input.callBlocksChats ?? null}::boolean, routing_agents.call_blocks_chats),
          skills = coalesce(${input.skills ? JSON.stringify(input.skills) : null}::jsonb, routing_agents.skills)`);
      await recordAudit(tx, actor, { action: 'routing_agent.updated', targetType: 'user', targetId: userId, details: { fields: Object.keys(input) } });
    });
    await this.engine.reloadConfig(actor.tenantId);
    return this.getAgent(actor, userId);
  }

  async stateHistory(actor: Actor, userId: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.userExists(tx, actor.tenantId, userId);
      return (
        await tx.execute(sql`
          SELECT state, reason, changed_by AS "changedBy", started_at AS "startedAt", ended_at AS "endedAt"
          FROM routing_agent_state_history WHERE tenant_id = ${actor.tenantId} AND user_id = ${userId} ORDER BY started_at DESC LIMIT 200`)
      ).rows;
    });
  }

  // Named lists: skills and away reasons

  async list(actor: Actor, table: 'routing_skills' | 'routing_away_reasons') {
    return this.database.withTenant(actor.tenantId, async (tx) =>
      (await tx.execute(sql`SELECT * FROM ${sql.identifier(table)} WHERE tenant_id = ${actor.tenantId} ORDER BY name`)).rows.map(({ tenant_id: _t, ...r }) => r),
    );
  }

  async get(actor: Actor, table: 'routing_skills' | 'routing_away_reasons', id: string) {
    const [row] = await this.database.withTenant(actor.tenantId, async (tx) =>
      (await tx.execute(sql`SELECT * FROM ${sql.identifier(table)} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`)).rows.map(({ tenant_id: _t, ...r }) => r),
    );
    if (!row) throw notFound(table === 'routing_skills' ? 'skill' : 'away reason');
    return row;
  }

  async save(actor: Actor, table: 'routing_skills' | 'routing_away_reasons', id: string | null, values: Record<string, unknown>) {
    requirePermission(actor, 'routing.manage');
    const entries = Object.entries(values).filter(([, v]) => v !== undefined);
    try {
      const savedId = await this.database.withTenant(actor.tenantId, async (tx) => {
        let rowId = id;
        if (rowId === null) {
          const cols = entries.map(([k]) => sql.identifier(k));
          const [row] = (await tx.execute<{ id: string }>(sql`INSERT INTO ${sql.identifier(table)} (tenant_id, ${sql.join(cols, sql`, `)}) VALUES (${actor.tenantId}, ${sql.join(entries.map(([, v]) => sql`${v}`), sql`, `)}) RETURNING id`)).rows;
          rowId = row!.id;
        } else {
          await this.get(actor, table, rowId);
          if (entries.length) await tx.execute(sql`UPDATE ${sql.identifier(table)} SET ${sql.join(entries.map(([k, v]) => sql`${sql.identifier(k)} = ${v}`), sql`, `)} WHERE tenant_id = ${actor.tenantId} AND id = ${rowId}`);
        }
        await recordAudit(tx, actor, { action: `${table}.saved`, targetType: table, targetId: rowId, details: values });
        return rowId;
      });
      return this.get(actor, table, savedId);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`${String(values.name)} exists`, 'name');
      throw err;
    }
  }

  async remove(actor: Actor, table: 'routing_skills' | 'routing_away_reasons', id: string): Promise<void> {
    requirePermission(actor, 'routing.manage');
    await this.get(actor, table, id);
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await tx.execute(sql`DELETE FROM ${sql.identifier(table)} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: `${table}.deleted`, targetType: table, targetId: id });
    });
  }
}
