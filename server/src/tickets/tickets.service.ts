// Tickets: create (by agents, from an interaction, by API, from the help center), read, list by view and filter,
// change with an activity line per change, comment (public reply or internal note), link interactions, escalate
// (tiered divisions), merge, and record who resolved what. The SLA engine follows every change in the same
// transaction; assignment announces itself on the outbox so that the people assigned are notified.
import { sql, type SQL } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { notice } from './notices.ts';
import { AppError, conflict, invalid, notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/pagination.ts';
import { resolveDivision, visibleContact } from '../crm/crm-access.ts';
import { divisionScope, iso, one, rows, textArray, type Row } from '../crm/crm-sql.ts';
import { maskPhone } from '../crm/masking.ts';
import { addTimelineEntry } from '../crm/timeline.service.ts';
import { detectRepeatContact } from './repeat-contact.ts';
import type { MacroActions } from './config.service.ts';
import { activity, type SlaEngine, type SlaEvent } from './sla.engine.ts';
import { groupsOf, seesAll, ticketScope, visibleTicket, type TicketRow } from './ticket-access.ts';

export const statuses = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const priorities = ['low', 'normal', 'high', 'urgent'] as const;
export const types = ['question', 'incident', 'problem', 'task', 'complaint'] as const;
export const views = ['all', 'mine', 'my_team', 'unassigned', 'breaching_soon'] as const;
export type Status = (typeof statuses)[number];

export interface TicketFields {
  subject?: string | undefined;
  description?: string | undefined;
  status?: Status | undefined;
  priority?: (typeof priorities)[number] | undefined;
  type?: (typeof types)[number] | undefined;
  requesterId?: string | null | undefined;
  assigneeUserId?: string | null | undefined;
  assigneeGroupId?: string | null | undefined;
  followers?: string[] | undefined;
  tags?: string[] | undefined;
  customFields?: Record<string, unknown> | undefined;
}

export interface CreateInput extends TicketFields {
  subject: string;
  divisionId?: string | undefined;
  interactionId?: string | undefined;
}

export interface PatchInput extends TicketFields {
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
  /** Optimistic concurrency: the version the client saw. */
  version?: number | undefined;
}

export interface ListQuery {
  view?: (typeof views)[number] | undefined;
  status?: string | undefined;
  priority?: string | undefined;
  type?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  requesterId?: string | undefined;
  assigneeUserId?: string | undefined;
  assigneeGroupId?: string | undefined;
  divisionId?: string | undefined;
  /** For breaching_soon: how far ahead, in minutes (default 120). */
  withinMinutes?: number | undefined;
  limit: number;
  cursor?: string | undefined;
}

const DONE = new Set(['solved', 'closed']);

export function toTicket(r: Row) {
  return {
    id: r.id as string,
    number: Number(r.number),
    divisionId: r.division_id as string,
    subject: r.subject as string,
    description: r.description as string,
    status: r.status as Status,
    priority: r.priority as string,
    type: r.type as string,
    requesterId: (r.requester_id as string | null) ?? null,
    requesterName: (r.requester_name as string | null | undefined) ?? null,
    assigneeUserId: (r.assignee_user_id as string | null) ?? null,
    assigneeUserName: (r.assignee_user_name as string | null | undefined) ?? null,
    assigneeGroupId: (r.assignee_group_id as string | null) ?? null,
    assigneeGroupName: (r.assignee_group_name as string | null | undefined) ?? null,
    ownerId: (r.owner_id as string | null) ?? null,
    ownerName: (r.owner_name as string | null | undefined) ?? null,
    tier: Number(r.tier),
    followers: (r.followers as string[]) ?? [],
    tags: (r.tags as string[]) ?? [],
    customFields: (r.custom_fields as Record<string, unknown>) ?? {},
    source: r.source as string,
    mergedInto: (r.merged_into as string | null) ?? null,
    firstResponseAt: iso(r.first_response_at),
    solvedAt: iso(r.solved_at),
    closedAt: iso(r.closed_at),
    resolvedBy: (r.resolved_by as string | null) ?? null,
    resolvedGroupId: (r.resolved_group_id as string | null) ?? null,
    resolvedTier: r.resolved_tier === null || r.resolved_tier === undefined ? null : Number(r.resolved_tier),
    resolvedFirstContact: (r.resolved_first_contact as boolean | null) ?? null,
    createdBy: (r.created_by as string | null) ?? null,
    version: Number(r.version),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    sla: ((r.sla as Row[] | null) ?? []).map((s) => ({
      metric: s.metric as string,
      state: s.state as string,
      dueAt: iso(s.due_at),
      remainingMs: s.remaining_ms === null || s.remaining_ms === undefined ? null : Number(s.remaining_ms),
      warnedAt: iso(s.warned_at),
      breachedAt: iso(s.breached_at),
      metAt: iso(s.met_at),
    })),
  };
}
export type Ticket = ReturnType<typeof toTicket>;

/** The ticket with names and SLA targets, for answers. */
const selectTicket = sql`SELECT t.*, c.display_name AS requester_name, au.name AS assignee_user_name, g.name AS assignee_group_name, ow.name AS owner_name,
  (SELECT coalesce(json_agg(s ORDER BY s.metric), '[]') FROM ticket_sla_targets s WHERE s.ticket_id = t.id) AS sla
  FROM tickets t
  LEFT JOIN crm_contacts c ON c.id = t.requester_id
  LEFT JOIN users au ON au.id = t.assignee_user_id
  LEFT JOIN ticket_groups g ON g.id = t.assignee_group_id
  LEFT JOIN users ow ON ow.id = t.owner_id`;

const cleanTags = (tags: readonly string[], field = 'tags'): string[] => {
  const out = [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
  for (const t of out) if (t.length > 40 || /[,{}"\\]/.test(t)) throw invalid(field, `"${t}" must be at most 40 characters without , { } " or \\`);
  return out;
};

/** A user who may be assigned work in a division: in the tenant, active, and granted the division (or all). */
export async function checkAssignableUser(tx: Tx, tenantId: string, divisionId: string, userId: string, field: string): Promise<void> {
  const row = await one(
    tx,
    sql`SELECT u.id FROM users u WHERE u.tenant_id = ${tenantId} AND u.id = ${userId} AND u.status = 'active' AND (
          EXISTS (SELECT 1 FROM user_divisions d WHERE d.user_id = u.id AND d.division_id = ${divisionId})
          OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND 'divisions.manage' = ANY(r.permissions)))`,
  );
  if (!row) throw invalid(field, 'is not an active user of this tenant who works in the ticket’s division');
}

export async function checkGroup(tx: Tx, tenantId: string, groupId: string, field: string): Promise<{ id: string; kind: string; tier: number | null; division_id: string | null }> {
  const row = await one<{ id: string; kind: string; tier: number | null; division_id: string | null }>(tx, sql`SELECT id, kind, tier, division_id FROM ticket_groups WHERE tenant_id = ${tenantId} AND id = ${groupId}`);
  if (!row) throw invalid(field, 'is not a team or department of this tenant');
  return row;
}

/** The people an assignment reaches: the user, or every member of the group. */
export async function peopleOf(tx: Tx, tenantId: string, userId: string | null, groupId: string | null): Promise<string[]> {
  if (userId) return [userId];
  if (!groupId) return [];
  return (await rows<{ user_id: string }>(tx, sql`SELECT user_id FROM ticket_group_members WHERE tenant_id = ${tenantId} AND group_id = ${groupId}`)).map((r) => r.user_id);
}

export async function ownershipModel(tx: Tx, tenantId: string, divisionId: string): Promise<'first_contact' | 'tiered'> {
  const row = await one<{ ownership_model: 'first_contact' | 'tiered' }>(tx, sql`SELECT ownership_model FROM ticket_division_settings WHERE tenant_id = ${tenantId} AND division_id = ${divisionId}`);
  return row?.ownership_model ?? 'first_contact';
}

export class TicketsService {
  constructor(
    private readonly database: Database,
    private readonly sla: SlaEngine,
  ) {}

  private requireAll(actor: Actor): void {
    requirePermission(actor, 'tickets.work');
    if (!seesAll(actor)) throw new AppError('FORBIDDEN', 'this needs the permission tickets.all');
  }

  async read(tx: Tx, tenantId: string, id: string): Promise<Ticket> {
    const row = await one(tx, sql`${selectTicket} WHERE t.tenant_id = ${tenantId} AND t.id = ${id}`);
    if (!row) throw notFound('ticket');
    return toTicket(row);
  }

  async get(actor: Actor, id: string): Promise<Ticket> {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleTicket(tx, actor, id);
      return this.read(tx, actor.tenantId, id);
    });
  }

  async create(actor: Actor, input: CreateInput, options: { source?: 'agent' | 'api' | 'help_center' | 'interaction' | 'webchat'; sourceRef?: string } = {}): Promise<Ticket> {
    this.requireAll(actor);
    return this.database.withTenant(actor.tenantId, (tx) => this.createIn(tx, actor, input, options));
  }

  async createIn(tx: Tx, actor: Actor, input: CreateInput, options: { source?: 'agent' | 'api' | 'help_center' | 'interaction' | 'webchat'; sourceRef?: string } = {}): Promise<Ticket> {
    const subject = input.subject.trim();
    if (!subject) throw invalid('subject', 'must not be empty');
    let interaction: { id: string; division_id: string; contact_id: string | null } | undefined;
    if (input.interactionId) {
      interaction = await one(tx, sql`SELECT id, division_id, contact_id FROM interactions WHERE tenant_id = ${actor.tenantId} AND id = ${input.interactionId}`);
      if (!interaction || !canSeeDivision(actor, interaction.division_id)) throw invalid('interactionId', 'is not an interaction you can see');
      if (input.divisionId && input.divisionId !== interaction.division_id) throw invalid('divisionId', 'must be the interaction’s division');
    }
    const divisionId = interaction?.division_id ?? (await resolveDivision(tx, actor, input.divisionId));
    const requesterId = input.requesterId ?? interaction?.contact_id ?? null;
    if (requesterId) {
      const contact = await visibleContact(tx, actor, requesterId).catch(() => null);
      if (!contact) throw invalid('requesterId', 'is not a contact you can see');
    }
    const me = actor.kind === 'user' ? actor.userId : null;
    const assigneeUserId = input.assigneeUserId === undefined ? me : input.assigneeUserId;
    const assigneeGroupId = input.assigneeGroupId ?? null;
    if (assigneeUserId) await checkAssignableUser(tx, actor.tenantId, divisionId, assigneeUserId, 'assigneeUserId');
    const group = assigneeGroupId ? await checkGroup(tx, actor.tenantId, assigneeGroupId, 'assigneeGroupId') : null;
    const followers = [...new Set(input.followers ?? [])];
    for (const f of followers) await checkAssignableUser(tx, actor.tenantId, divisionId, f, 'followers');
    const status = input.status ?? (assigneeUserId ? 'open' : 'new');
    if (DONE.has(status)) throw invalid('status', 'a new ticket cannot start solved or closed');
    const source = options.source ?? (interaction ? 'interaction' : actor.kind === 'api_key' ? 'api' : 'agent');
    const row = await one<TicketRow>(
      tx,
      sql`INSERT INTO tickets (tenant_id, division_id, subject, description, status, priority, type, requester_id, assignee_user_id, assignee_group_id,
            owner_id, tier, followers, tags, custom_fields, source, source_ref, created_by)
          VALUES (${actor.tenantId}, ${divisionId}, ${subject}, ${input.description ?? ''}, ${status}, ${input.priority ?? 'normal'}, ${input.type ?? 'question'},
            ${requesterId}, ${assigneeUserId}, ${assigneeGroupId}, ${me ?? assigneeUserId}, ${group?.tier ?? 1},
            ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(followers)}::jsonb))::uuid[], ${textArray(cleanTags(input.tags ?? []))},
            ${JSON.stringify(input.customFields ?? {})}::jsonb, ${source}, ${options.sourceRef ?? null}, ${me})
          RETURNING *`,
    );
    await activity(tx, actor.tenantId, row!.id, me, 'created', { source, status, priority: row!.priority, assigneeUserId, assigneeGroupId });
    await this.sla.apply(tx, actor.tenantId, row!, { kind: 'created', status });
    await appendEvent(tx, actor.tenantId, 'ticket.created', { ticketId: row!.id, number: Number(row!.number), divisionId, source });
    await this.announceAssignment(tx, actor, row!.id, Number(row!.number), subject, assigneeUserId, assigneeGroupId);
    if (requesterId) {
      await addTimelineEntry(tx, actor.tenantId, { contactId: requesterId, kind: 'ticket', source: { type: 'ticket', id: row!.id }, actorId: me, summary: `#${row!.number} ${subject}` });
    }
    if (interaction) await this.linkIn(tx, actor, row!.id, interaction.id);
    return this.read(tx, actor.tenantId, row!.id);
  }

  private async announceAssignment(tx: Tx, actor: Actor, ticketId: string, number: number, subject: string, userId: string | null, groupId: string | null): Promise<void> {
    const userIds = (await peopleOf(tx, actor.tenantId, userId, groupId)).filter((u) => u !== actor.userId);
    if (userIds.length) await notice(tx, actor.tenantId, 'ticket.assigned', { ticketId, number, subject, userIds });
  }

  async list(actor: Actor, q: ListQuery) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const where: SQL[] = [sql`t.tenant_id = ${actor.tenantId}`, sql`t.merged_into IS NULL`, await ticketScope(tx, actor)];
      const me = actor.userId;
      switch (q.view ?? 'all') {
        case 'mine':
          where.push(sql`t.assignee_user_id = ${me} AND t.status NOT IN ('solved', 'closed')`);
          break;
        case 'my_team': {
          const groups = await groupsOf(tx, actor.tenantId, me);
          where.push(sql`t.assignee_group_id = ANY(${`{${groups.join(',')}}`}::uuid[]) AND t.status NOT IN ('solved', 'closed')`);
          break;
        }
        case 'unassigned':
          where.push(sql`t.assignee_user_id IS NULL AND t.status NOT IN ('solved', 'closed')`);
          break;
        case 'breaching_soon': {
          const horizon = new Date(this.sla.clock.now() + (q.withinMinutes ?? 120) * 60_000).toISOString();
          where.push(sql`EXISTS (SELECT 1 FROM ticket_sla_targets s WHERE s.ticket_id = t.id AND s.state = 'running' AND s.due_at <= ${horizon})`);
          break;
        }
        default:
      }
      if (q.status) where.push(sql`t.status = ANY(${textArray(q.status.split(','))})`);
      if (q.priority) where.push(sql`t.priority = ANY(${textArray(q.priority.split(','))})`);
      if (q.type) where.push(sql`t.type = ${q.type}`);
      if (q.tag) where.push(sql`${q.tag.toLowerCase()} = ANY(t.tags)`);
      if (q.requesterId) where.push(sql`t.requester_id = ${q.requesterId}`);
      if (q.assigneeUserId) where.push(sql`t.assignee_user_id = ${q.assigneeUserId}`);
      if (q.assigneeGroupId) where.push(sql`t.assignee_group_id = ${q.assigneeGroupId}`);
      if (q.divisionId) where.push(sql`t.division_id = ${q.divisionId}`);
      if (q.q) {
        const text = q.q.trim();
        const asNumber = /^#?\d{1,15}$/.test(text) ? Number(text.replace('#', '')) : null;
        where.push(sql`(t.subject ILIKE ${'%' + text.replace(/[%_\\]/g, (m) => '\\' + m) + '%'} ${asNumber !== null ? sql`OR t.number = ${asNumber}` : sql``})`);
      }
      const cursor = decodeCursor(q.cursor);
      if (cursor?.u && cursor.i) where.push(sql`(t.updated_at, t.id) < (${cursor.u}::timestamptz, ${cursor.i}::uuid)`);
      const list = await rows(tx, sql`${selectTicket} WHERE ${sql.join(where, sql` AND `)} ORDER BY t.updated_at DESC, t.id DESC LIMIT ${q.limit + 1}`);
      const more = list.length > q.limit;
      const items = list.slice(0, q.limit).map(toTicket);
      const last = list[q.limit - 1];
      return { items, nextCursor: more && last ? encodeCursor({ u: new Date(last.updated_at as string).toISOString(), i: last.id as string }) : null };
    });
  }

  async update(actor: Actor, id: string, input: PatchInput): Promise<Ticket> {
    this.requireAll(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.updateIn(tx, actor, id, input);
      return this.read(tx, actor.tenantId, id);
    });
  }

  /** Applies field changes with one activity line listing each change as [before, after]. */
  async updateIn(tx: Tx, actor: Actor, id: string, input: PatchInput): Promise<string[]> {
    const t = await visibleTicket(tx, actor, id, { forUpdate: true });
    if (t.merged_into) throw conflict('the ticket was merged into another; change that one', 'id');
    if (input.version !== undefined && input.version !== t.version) throw conflict(`the ticket changed meanwhile (version ${t.version}); reload it`, 'version');
    const sets: SQL[] = [];
    const changes: Record<string, [unknown, unknown]> = {};
    const change = (field: string, column: string, before: unknown, after: unknown, value: SQL | unknown = after) => {
      if (after === undefined || JSON.stringify(before) === JSON.stringify(after)) return;
      changes[field] = [before, after];
      sets.push(sql`${sql.identifier(column)} = ${value}`);
    };
    const subject = input.subject?.trim();
    if (subject === '') throw invalid('subject', 'must not be empty');
    change('subject', 'subject', t.subject, subject);
    change('description', 'description', t.description, input.description);
    change('priority', 'priority', t.priority, input.priority);
    change('type', 'type', t.type, input.type);
    if (input.requesterId) {
      const contact = await visibleContact(tx, actor, input.requesterId).catch(() => null);
      if (!contact) throw invalid('requesterId', 'is not a contact you can see');
    }
    change('requesterId', 'requester_id', t.requester_id, input.requesterId);
    if (input.assigneeUserId) await checkAssignableUser(tx, actor.tenantId, t.division_id, input.assigneeUserId, 'assigneeUserId');
    change('assigneeUserId', 'assignee_user_id', t.assignee_user_id, input.assigneeUserId);
    if (input.assigneeGroupId) await checkGroup(tx, actor.tenantId, input.assigneeGroupId, 'assigneeGroupId');
    change('assigneeGroupId', 'assignee_group_id', t.assignee_group_id, input.assigneeGroupId);
    if (input.followers) {
      const followers = [...new Set(input.followers)];
      for (const f of followers) await checkAssignableUser(tx, actor.tenantId, t.division_id, f, 'followers');
      change('followers', 'followers', t.followers, followers, sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(followers)}::jsonb))::uuid[]`);
    }
    let tags = input.tags ? cleanTags(input.tags) : undefined;
    if (input.addTags || input.removeTags) {
      const base = new Set(tags ?? (t.tags as string[]));
      for (const tag of cleanTags(input.addTags ?? [], 'addTags')) base.add(tag);
      for (const tag of cleanTags(input.removeTags ?? [], 'removeTags')) base.delete(tag);
      tags = [...base];
    }
    if (tags) change('tags', 'tags', t.tags, tags, textArray(tags));
    if (input.customFields) {
      const merged = { ...(t.custom_fields as Record<string, unknown>), ...input.customFields };
      for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
      change('customFields', 'custom_fields', t.custom_fields, merged, sql`${JSON.stringify(merged)}::jsonb`);
    }
    const from = t.status;
    const to = input.status;
    if (to !== undefined && to !== from) {
      if (from === 'closed') throw conflict('a closed ticket cannot change status; create a follow-up ticket', 'status');
      change('status', 'status', from, to);
      if (to === 'solved' || (to === 'closed' && from !== 'solved')) {
        // Who resolved what: the solver, their group and tier, and whether it stayed with the first contact.
        const interactions = await one<{ n: number; repeat: boolean }>(
          tx,
          sql`SELECT count(*)::int AS n, coalesce(bool_or(i.resolved_first_contact = false), false) AS repeat FROM ticket_interactions ti JOIN interactions i ON i.id = ti.interaction_id WHERE ti.ticket_id = ${id}`,
        );
        const resolver = actor.userId ?? t.assignee_user_id;
        const fcr = t.tier === 1 && resolver !== null && resolver === t.owner_id && (interactions?.n ?? 0) <= 1 && !interactions?.repeat && t.resolved_first_contact !== false;
        sets.push(sql`solved_at = clock_timestamp(), resolved_by = ${resolver}, resolved_group_id = ${(input.assigneeGroupId ?? t.assignee_group_id) as string | null}, resolved_tier = ${t.tier}, resolved_first_contact = ${fcr}`);
        if ((interactions?.n ?? 0) === 1) {
          await tx.execute(sql`UPDATE interactions SET resolved_first_contact = ${fcr} WHERE id = (SELECT interaction_id FROM ticket_interactions WHERE ticket_id = ${id}) AND resolved_first_contact IS NULL`);
        }
      }
      if (to === 'closed') sets.push(sql`closed_at = clock_timestamp()`);
      if (DONE.has(from) && !DONE.has(to)) sets.push(sql`solved_at = NULL, resolved_by = NULL, resolved_group_id = NULL, resolved_tier = NULL, resolved_first_contact = NULL`);
    }
    // A ticket that arrived without an agent (API, help center) gets its first-contact owner from the first
    // person it is assigned to.
    const newAssignee = changes.assigneeUserId?.[1] as string | null | undefined;
    if (!t.owner_id && newAssignee) {
      changes.ownerId = [null, newAssignee];
      sets.push(sql`owner_id = ${newAssignee}`);
    }
    if (sets.length === 0) return [];
    await tx.execute(sql`UPDATE tickets SET ${sql.join(sets, sql`, `)}, version = version + 1, updated_at = clock_timestamp() WHERE id = ${id}`);
    await activity(tx, actor.tenantId, id, actor.userId, 'updated', changes);
    const after = (await one<TicketRow>(tx, sql`SELECT * FROM tickets WHERE id = ${id}`))!;
    if (changes.status) await this.sla.apply(tx, actor.tenantId, after, { kind: 'status', from, to: to! } satisfies SlaEvent);
    if (changes.priority) await this.sla.apply(tx, actor.tenantId, after, { kind: 'priority' });
    if (changes.assigneeUserId || changes.assigneeGroupId) {
      await this.announceAssignment(tx, actor, id, Number(t.number), after.subject as string, changes.assigneeUserId ? after.assignee_user_id : null, changes.assigneeUserId ? null : after.assignee_group_id);
    }
    await appendEvent(tx, actor.tenantId, 'ticket.updated', { ticketId: id, number: Number(t.number), divisionId: t.division_id, changes: Object.keys(changes) });
    return Object.keys(changes);
  }

  async bulk(actor: Actor, ids: string[], set: PatchInput) {
    this.requireAll(actor);
    const results: Array<{ id: string; ok: boolean; changes?: string[]; error?: { code: string; message: string } }> = [];
    for (const id of [...new Set(ids)]) {
      try {
        const changes = await this.database.withTenant(actor.tenantId, (tx) => this.updateIn(tx, actor, id, { ...set, version: undefined }));
        results.push({ id, ok: true, changes });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ id, ok: false, error: { code: err.code, message: err.message } });
      }
    }
    return { updated: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok).length, results };
  }

  async comments(actor: Actor, id: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleTicket(tx, actor, id);
      const list = await rows(tx, sql`SELECT c.*, u.name AS author_name FROM ticket_comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.ticket_id = ${id} ORDER BY c.created_at, c.id`);
      return list.map(toComment);
    });
  }

  async comment(actor: Actor, id: string, input: { body: string; visibility: 'public' | 'internal'; fromCustomer?: boolean | undefined }) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, (tx) => this.commentIn(tx, actor, id, input));
  }

  /** Applies a macro: its field changes, then its reply, as one change. */
  async applyMacro(actor: Actor, id: string, macro: { id: string; name: string; actions: MacroActions }) {
    this.requireAll(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleTicket(tx, actor, id);
      if (macro.actions.set) await this.updateIn(tx, actor, id, macro.actions.set);
      if (macro.actions.reply) await this.commentIn(tx, actor, id, macro.actions.reply);
      await activity(tx, actor.tenantId, id, actor.userId, 'macro.applied', { macroId: macro.id, name: macro.name });
      return this.read(tx, actor.tenantId, id);
    });
  }

  private async commentIn(tx: Tx, actor: Actor, id: string, input: { body: string; visibility: 'public' | 'internal'; fromCustomer?: boolean | undefined }) {
    {
      const t = await visibleTicket(tx, actor, id, { forUpdate: true });
      if (t.merged_into) throw conflict('the ticket was merged into another; comment there', 'id');
      // Staff (no tickets.all) reply internally only: the ticket's owner stays the customer's single contact.
      if (!seesAll(actor) && (input.visibility === 'public' || input.fromCustomer)) throw new AppError('FORBIDDEN', 'this needs the permission tickets.all (staff reply internally)');
      const body = input.body.trim();
      if (!body) throw invalid('body', 'must not be empty');
      const kind = input.fromCustomer ? 'customer' : 'agent';
      const visibility = input.fromCustomer ? 'public' : input.visibility;
      const row = await one(tx, sql`INSERT INTO ticket_comments (tenant_id, ticket_id, author_id, author_kind, visibility, body) VALUES (${actor.tenantId}, ${id}, ${input.fromCustomer ? null : actor.userId}, ${kind}, ${visibility}, ${body}) RETURNING *`);
      await activity(tx, actor.tenantId, id, actor.userId, kind === 'customer' ? 'comment.customer' : visibility === 'public' ? 'comment.public' : 'comment.internal', { commentId: row!.id });
      if (kind === 'agent' && visibility === 'public') {
        if (!t.first_response_at) await tx.execute(sql`UPDATE tickets SET first_response_at = clock_timestamp() WHERE id = ${id}`);
        // …or from the first person who answers the customer.
        if (!t.owner_id && actor.userId) {
          await tx.execute(sql`UPDATE tickets SET owner_id = ${actor.userId} WHERE id = ${id}`);
          await activity(tx, actor.tenantId, id, actor.userId, 'updated', { ownerId: [null, actor.userId] });
        }
        await this.sla.apply(tx, actor.tenantId, t, { kind: 'agent_replied' });
        if (t.status === 'new') await this.updateIn(tx, actor, id, { status: 'open' });
      }
      if (kind === 'customer') {
        await this.sla.apply(tx, actor.tenantId, t, { kind: 'customer_replied' });
        if (t.status === 'pending' || t.status === 'solved') await this.updateIn(tx, actor, id, { status: 'open' });
      }
      await tx.execute(sql`UPDATE tickets SET updated_at = clock_timestamp() WHERE id = ${id}`);
      return toComment(row!);
    }
  }

  async activityLog(actor: Actor, id: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleTicket(tx, actor, id);
      const list = await rows(tx, sql`SELECT a.*, u.name AS actor_name FROM ticket_activity a LEFT JOIN users u ON u.id = a.actor_id WHERE a.ticket_id = ${id} ORDER BY a.at, a.id`);
      return list.map((r) => ({ id: Number(r.id), at: iso(r.at)!, actorId: (r.actor_id as string | null) ?? null, actorName: (r.actor_name as string | null) ?? null, action: r.action as string, details: r.details as Record<string, unknown> }));
    });
  }

  async interactions(actor: Actor, id: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleTicket(tx, actor, id);
      const list = await rows(tx, sql`SELECT i.id, i.channel, i.direction, i.from_address, i.arrived_at, i.resolved_first_contact, ti.linked_at FROM ticket_interactions ti JOIN interactions i ON i.id = ti.interaction_id WHERE ti.ticket_id = ${id} ORDER BY i.arrived_at`);
      return list.map((r) => ({ id: r.id as string, channel: r.channel as string, direction: r.direction as string, from: r.from_address as string, arrivedAt: iso(r.arrived_at)!, resolvedFirstContact: (r.resolved_first_contact as boolean | null) ?? null, linkedAt: iso(r.linked_at)! }));
    });
  }

  /**
   * Interactions a new ticket can start from: the caller's own of the last days (what the agent desktop offers),
   * or every one of the caller's divisions with interactions.read. Addresses are masked without crm.reveal.
   */
  async recentInteractions(actor: Actor, options: { days: number }) {
    this.requireAll(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const mineOnly = actor.kind === 'user' && !actor.permissions.has('interactions.read');
      const list = await rows(
        tx,
        sql`SELECT i.id, i.channel, i.direction, i.from_address, i.arrived_at, i.state, c.display_name AS contact_name, i.contact_id,
              (SELECT count(*)::int FROM ticket_interactions ti WHERE ti.interaction_id = i.id) AS tickets
            FROM interactions i LEFT JOIN crm_contacts c ON c.id = i.contact_id
            WHERE i.tenant_id = ${actor.tenantId} AND ${divisionScope(actor, sql`i.division_id`)}
              AND i.arrived_at > clock_timestamp() - make_interval(days => ${options.days})
              ${mineOnly ? sql`AND i.agent_id = ${actor.userId}` : sql``}
            ORDER BY i.arrived_at DESC LIMIT 50`,
      );
      const reveal = actor.kind !== 'user' || actor.permissions.has('crm.reveal');
      return list.map((r) => ({
        id: r.id as string,
        channel: r.channel as string,
        direction: r.direction as string,
        state: r.state as string,
        from: reveal || r.channel !== 'voice' ? (r.from_address as string) : maskPhone(r.from_address as string),
        arrivedAt: iso(r.arrived_at)!,
        contactId: (r.contact_id as string | null) ?? null,
        contactName: (r.contact_name as string | null) ?? null,
        tickets: Number(r.tickets),
      }));
    });
  }

  async link(actor: Actor, id: string, interactionId: string) {
    this.requireAll(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const t = await visibleTicket(tx, actor, id, { forUpdate: true });
      const i = await one<{ division_id: string }>(tx, sql`SELECT division_id FROM interactions WHERE tenant_id = ${actor.tenantId} AND id = ${interactionId}`);
      if (!i || !canSeeDivision(actor, i.division_id)) throw notFound('interaction');
      if (i.division_id !== t.division_id) throw invalid('interactionId', 'is in another division than the ticket');
      const repeats = await this.linkIn(tx, actor, id, interactionId);
      return { linked: true, repeatContactOf: repeats };
    });
  }

  private async linkIn(tx: Tx, actor: Actor, ticketId: string, interactionId: string): Promise<string[]> {
    const inserted = await rows(tx, sql`INSERT INTO ticket_interactions (tenant_id, ticket_id, interaction_id) VALUES (${actor.tenantId}, ${ticketId}, ${interactionId}) ON CONFLICT DO NOTHING RETURNING interaction_id`);
    if (inserted.length === 0) return [];
    await activity(tx, actor.tenantId, ticketId, actor.userId, 'interaction.linked', { interactionId });
    return detectRepeatContact(tx, actor.tenantId, ticketId, interactionId, actor.userId);
  }

  /** Tiered escalation: the ticket moves to the next tier's group of its division (tier 1 → 2 → 3). */
  async escalate(actor: Actor, id: string, note: string | undefined) {
    this.requireAll(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const t = await visibleTicket(tx, actor, id, { forUpdate: true });
      if ((await ownershipModel(tx, actor.tenantId, t.division_id)) !== 'tiered') {
        throw conflict('this division works by first-contact ownership: the owner keeps the ticket; create a sub-task for another tier or department', 'id');
      }
      if (DONE.has(t.status)) throw conflict('the ticket is solved or closed', 'status');
      if (t.tier >= 3) throw conflict('the ticket is at the last tier (3)', 'tier');
      const tier = t.tier + 1;
      const group = await one<{ id: string }>(tx, sql`SELECT id FROM ticket_groups WHERE tenant_id = ${actor.tenantId} AND tier = ${tier} AND (division_id = ${t.division_id} OR division_id IS NULL) ORDER BY division_id NULLS LAST, name LIMIT 1`);
      if (!group) throw conflict(`no tier ${tier} team is set up for this division`, 'tier');
      await tx.execute(sql`UPDATE tickets SET tier = ${tier}, assignee_group_id = ${group.id}, assignee_user_id = NULL, status = CASE WHEN status = 'new' THEN 'open' ELSE status END, version = version + 1, updated_at = clock_timestamp() WHERE id = ${id}`);
      await activity(tx, actor.tenantId, id, actor.userId, 'escalated', { tier: [t.tier, tier], assigneeGroupId: [t.assignee_group_id, group.id], assigneeUserId: [t.assignee_user_id, null] });
      if (note?.trim()) await tx.execute(sql`INSERT INTO ticket_comments (tenant_id, ticket_id, author_id, author_kind, visibility, body) VALUES (${actor.tenantId}, ${id}, ${actor.userId}, 'agent', 'internal', ${note.trim()})`);
      await this.announceAssignment(tx, actor, id, Number(t.number), t.subject as string, null, group.id);
      await appendEvent(tx, actor.tenantId, 'ticket.updated', { ticketId: id, number: Number(t.number), divisionId: t.division_id, changes: ['tier', 'assigneeGroupId', 'assigneeUserId'] });
      return this.read(tx, actor.tenantId, id);
    });
  }

  /** Merges `otherId` into `id`: comments, sub-tasks, interactions, followers and tags move; the other closes. */
  async merge(actor: Actor, id: string, otherId: string) {
    this.requireAll(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      if (id === otherId) {
        await visibleTicket(tx, actor, id); // a missing ticket is a 404 before it is a bad request
        throw invalid('otherId', 'must be another ticket');
      }
      // Lock in id order so that two opposite merges cannot deadlock.
      const [a, b] = id < otherId ? [id, otherId] : [otherId, id];
      const first = await visibleTicket(tx, actor, a, { forUpdate: true });
      const second = await visibleTicket(tx, actor, b, { forUpdate: true });
      const target = first.id === id ? first : second;
      const other = first.id === id ? second : first;
      if (target.merged_into || other.merged_into) throw conflict('one of the tickets was already merged', 'otherId');
      if (target.division_id !== other.division_id) throw invalid('otherId', 'is in another division');
      await tx.execute(sql`UPDATE ticket_comments SET ticket_id = ${id} WHERE ticket_id = ${otherId}`);
      await tx.execute(sql`UPDATE ticket_tasks SET ticket_id = ${id} WHERE ticket_id = ${otherId}`);
      await tx.execute(sql`INSERT INTO ticket_interactions (tenant_id, ticket_id, interaction_id, linked_at) SELECT tenant_id, ${id}, interaction_id, linked_at FROM ticket_interactions WHERE ticket_id = ${otherId} ON CONFLICT DO NOTHING`);
      await tx.execute(sql`DELETE FROM ticket_interactions WHERE ticket_id = ${otherId}`);
      await tx.execute(sql`UPDATE tickets SET followers = ARRAY(SELECT DISTINCT unnest(followers || ${sql`(SELECT followers FROM tickets WHERE id = ${otherId})`})),
        tags = ARRAY(SELECT DISTINCT unnest(tags || ${sql`(SELECT tags FROM tickets WHERE id = ${otherId})`})), version = version + 1, updated_at = clock_timestamp() WHERE id = ${id}`);
      await tx.execute(sql`UPDATE tickets SET merged_into = ${id}, status = 'closed', closed_at = clock_timestamp(), version = version + 1, updated_at = clock_timestamp() WHERE id = ${otherId}`);
      await tx.execute(sql`UPDATE ticket_sla_targets SET state = 'met', met_at = clock_timestamp(), due_at = NULL WHERE ticket_id = ${otherId} AND state IN ('running', 'paused')`);
      await tx.execute(sql`INSERT INTO ticket_comments (tenant_id, ticket_id, author_id, author_kind, visibility, body) VALUES (${actor.tenantId}, ${id}, ${actor.userId}, 'system', 'internal', ${`#${other.number} ${other.subject as string} was merged into this ticket`})`);
      await activity(tx, actor.tenantId, id, actor.userId, 'merged.from', { ticketId: otherId, number: Number(other.number) });
      await activity(tx, actor.tenantId, otherId, actor.userId, 'merged.into', { ticketId: id, number: Number(target.number) });
      await appendEvent(tx, actor.tenantId, 'ticket.merged', { ticketId: id, mergedTicketId: otherId });
      return this.read(tx, actor.tenantId, id);
    });
  }
}

export const toComment = (r: Row) => ({
  id: r.id as string,
  ticketId: r.ticket_id as string,
  authorId: (r.author_id as string | null) ?? null,
  authorName: (r.author_name as string | null | undefined) ?? null,
  authorKind: r.author_kind as string,
  visibility: r.visibility as 'public' | 'internal',
  body: r.body as string,
  createdAt: iso(r.created_at)!,
});
