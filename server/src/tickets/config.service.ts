// Ticket configuration: departments and teams with their members, business-hour calendars, SLA policies per
// division and priority, each division's ownership model and repeat-contact window, and macros. Reading groups
// is open to everyone who works tickets (they pick assignees from them); changing anything needs tickets.manage.
import { sql } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { iso, one, rows, type Row } from '../crm/crm-sql.ts';
import { calendarProblem, type BusinessCalendar } from './sla-clock.ts';
import { DEFAULT_REPEAT_WINDOW_DAYS } from './repeat-contact.ts';

export interface GroupInput {
  kind?: 'department' | 'team' | undefined;
  name?: string | undefined;
  divisionId?: string | null | undefined;
  tier?: number | null | undefined;
  memberIds?: string[] | undefined;
}

export interface CalendarInput {
  name?: string | undefined;
  timeZone?: string | undefined;
  hours?: Array<Array<[number, number]>> | undefined;
  holidays?: string[] | undefined;
  workdays?: string[] | undefined;
}

export interface PolicyInput {
  divisionId?: string | undefined;
  priority?: 'low' | 'normal' | 'high' | 'urgent' | undefined;
  calendarId?: string | null | undefined;
  firstResponseMinutes?: number | null | undefined;
  nextResponseMinutes?: number | null | undefined;
  resolutionMinutes?: number | null | undefined;
  warnBeforeMinutes?: number | undefined;
  escalateGroupId?: string | null | undefined;
  escalateRaisePriority?: boolean | undefined;
}

export interface MacroInput {
  name?: string | undefined;
  divisionId?: string | null | undefined;
  actions?: MacroActions | undefined;
}

export interface MacroActions {
  set?: {
    status?: 'new' | 'open' | 'pending' | 'on_hold' | 'solved' | 'closed' | undefined;
    priority?: 'low' | 'normal' | 'high' | 'urgent' | undefined;
    type?: 'question' | 'incident' | 'problem' | 'task' | 'complaint' | undefined;
    assigneeUserId?: string | null | undefined;
    assigneeGroupId?: string | null | undefined;
    addTags?: string[] | undefined;
    removeTags?: string[] | undefined;
  } | undefined;
  reply?: { body: string; visibility: 'public' | 'internal' } | undefined;
}

const unique = async <T>(work: Promise<T>, field: string, what: string): Promise<T> =>
  work.catch((err: unknown) => {
    if (isUniqueViolation(err)) throw conflict(`${what} already exists`, field);
    throw err;
  });

const toGroup = (r: Row) => ({
  id: r.id as string,
  kind: r.kind as 'department' | 'team',
  name: r.name as string,
  divisionId: (r.division_id as string | null) ?? null,
  tier: r.tier === null ? null : Number(r.tier),
  members: ((r.members as Array<{ id: string; name: string; email: string }> | null) ?? []).filter((m) => m.id),
});

const toCalendar = (r: Row) => ({ id: r.id as string, name: r.name as string, timeZone: r.time_zone as string, hours: r.hours as BusinessCalendar['hours'], holidays: r.holidays as string[], workdays: r.workdays as string[] });

const toPolicy = (r: Row) => ({
  id: r.id as string,
  divisionId: r.division_id as string,
  priority: r.priority as string,
  calendarId: (r.calendar_id as string | null) ?? null,
  firstResponseMinutes: (r.first_response_minutes as number | null) ?? null,
  nextResponseMinutes: (r.next_response_minutes as number | null) ?? null,
  resolutionMinutes: (r.resolution_minutes as number | null) ?? null,
  warnBeforeMinutes: Number(r.warn_before_minutes),
  escalateGroupId: (r.escalate_group_id as string | null) ?? null,
  escalateRaisePriority: r.escalate_raise_priority as boolean,
  updatedAt: iso(r.updated_at)!,
});

const toMacro = (r: Row) => ({ id: r.id as string, name: r.name as string, divisionId: (r.division_id as string | null) ?? null, actions: r.actions as MacroActions });

const groupSelect = sql`SELECT g.*, (SELECT json_agg(json_build_object('id', u.id, 'name', u.name, 'email', u.email) ORDER BY u.name) FROM ticket_group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = g.id) AS members FROM ticket_groups g`;

export class TicketConfigService {
  constructor(private readonly database: Database) {}

  private async division(tx: Tx, actor: Actor, id: string | null | undefined, field = 'divisionId'): Promise<void> {
    if (!id) return;
    const row = await one(tx, sql`SELECT id FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!row || !canSeeDivision(actor, id)) throw invalid(field, 'is not a division you can see');
  }

  // Groups (departments and teams).

  async groups(actor: Actor) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => (await rows(tx, sql`${groupSelect} WHERE g.tenant_id = ${actor.tenantId} ORDER BY g.kind, g.name`)).map(toGroup));
  }

  async group(actor: Actor, id: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, (tx) => this.readGroup(tx, actor.tenantId, id));
  }

  private async readGroup(tx: Tx, tenantId: string, id: string) {
    const row = await one(tx, sql`${groupSelect} WHERE g.tenant_id = ${tenantId} AND g.id = ${id}`);
    if (!row) throw notFound('team or department');
    return toGroup(row);
  }

  private async setMembers(tx: Tx, tenantId: string, groupId: string, memberIds: string[]): Promise<void> {
    const ids = [...new Set(memberIds)];
    const found = await rows<{ id: string }>(tx, sql`SELECT id FROM users WHERE tenant_id = ${tenantId} AND id = ANY(${`{${ids.join(',')}}`}::uuid[])`);
    if (found.length !== ids.length) throw invalid('memberIds', 'must be users of this tenant');
    await tx.execute(sql`DELETE FROM ticket_group_members WHERE group_id = ${groupId}`);
    for (const id of ids) await tx.execute(sql`INSERT INTO ticket_group_members (tenant_id, group_id, user_id) VALUES (${tenantId}, ${groupId}, ${id})`);
  }

  async createGroup(actor: Actor, input: GroupInput) {
    requirePermission(actor, 'tickets.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const name = input.name?.trim();
      if (!name) throw invalid('name', 'is required');
      await this.division(tx, actor, input.divisionId);
      const row = await unique(
        one<{ id: string }>(tx, sql`INSERT INTO ticket_groups (tenant_id, kind, name, division_id, tier) VALUES (${actor.tenantId}, ${input.kind ?? 'department'}, ${name}, ${input.divisionId ?? null}, ${input.tier ?? null}) RETURNING id`),
        'name',
        'a team or department with this name',
      );
      if (input.memberIds) await this.setMembers(tx, actor.tenantId, row!.id, input.memberIds);
      return this.readGroup(tx, actor.tenantId, row!.id);
    });
  }

  async updateGroup(actor: Actor, id: string, input: GroupInput) {
    requirePermission(actor, 'tickets.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.readGroup(tx, actor.tenantId, id);
      if (input.name !== undefined && !input.name.trim()) throw invalid('name', 'must not be empty');
      await this.division(tx, actor, input.divisionId);
      await unique(
        tx.execute(sql`UPDATE ticket_groups SET name = coalesce(${input.name?.trim() ?? null}, name), kind = coalesce(${input.kind ?? null}, kind),
          division_id = ${input.divisionId === undefined ? sql`division_id` : input.divisionId}, tier = ${input.tier === undefined ? sql`tier` : input.tier} WHERE id = ${id}`),
        'name',
        'a team or department with this name',
      );
      if (input.memberIds) await this.setMembers(tx, actor.tenantId, id, input.memberIds);
      return this.readGroup(tx, actor.tenantId, id);
    });
  }

  async deleteGroup(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tickets.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.readGroup(tx, actor.tenantId, id);
      await tx.execute(sql`DELETE FROM ticket_groups WHERE id = ${id}`);
    });
  }

  // Calendars.

  async calendars(actor: Actor) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => (await rows(tx, sql`SELECT * FROM ticket_calendars WHERE tenant_id = ${actor.tenantId} ORDER BY name`)).map(toCalendar));
  }

  private async readCalendar(tx: Tx, tenantId: string, id: string) {
    const row = await one(tx, sql`SELECT * FROM ticket_calendars WHERE tenant_id = ${tenantId} AND id = ${id}`);
    if (!row) throw notFound('calendar');
    return toCalendar(row);
  }

  async calendar(actor: Actor, id: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, (tx) => this.readCalendar(tx, actor.tenantId, id));
  }

  async saveCalendar(actor: Actor, id: string | null, input: CalendarInput) {
    requirePermission(actor, 'tickets.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const before = id ? await this.readCalendar(tx, actor.tenantId, id) : null;
      const cal = {
        name: input.name?.trim() ?? before?.name ?? '',
        timeZone: input.timeZone ?? before?.timeZone ?? 'Asia/Shanghai',
        hours: input.hours ?? before?.hours,
        holidays: input.holidays ?? before?.holidays ?? [],
        workdays: input.workdays ?? before?.workdays ?? [],
      };
      if (!cal.name) throw invalid('name', 'is required');
      if (!cal.hours) throw invalid('hours', 'is required: 7 weekdays (Sunday first) of [start, end) minute ranges');
      const problem = calendarProblem(cal as BusinessCalendar);
      if (problem) throw invalid(problem[0], problem[1]);
      const hours = JSON.stringify(cal.hours);
      const holidays = `{${cal.holidays.join(',')}}`;
      const workdays = `{${cal.workdays.join(',')}}`;
      const row = await unique(
        id
          ? one<{ id: string }>(tx, sql`UPDATE ticket_calendars SET name = ${cal.name}, time_zone = ${cal.timeZone}, hours = ${hours}::jsonb, holidays = ${holidays}::text[], workdays = ${workdays}::text[] WHERE id = ${id} RETURNING id`)
          : one<{ id: string }>(tx, sql`INSERT INTO ticket_calendars (tenant_id, name, time_zone, hours, holidays, workdays) VALUES (${actor.tenantId}, ${cal.name}, ${cal.timeZone}, ${hours}::jsonb, ${holidays}::text[], ${workdays}::text[]) RETURNING id`),
        'name',
        'a calendar with this name',
      );
      return this.readCalendar(tx, actor.tenantId, row!.id);
    });
  }

  async deleteCalendar(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tickets.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.readCalendar(tx, actor.tenantId, id);
      await tx.execute(sql`DELETE FROM ticket_calendars WHERE id = ${id}`);
    });
  }

  // SLA policies.

  async policies(actor: Actor) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const list = await rows<Row & { division_id: string }>(tx, sql`SELECT * FROM ticket_sla_policies WHERE tenant_id = ${actor.tenantId} ORDER BY division_id, array_position(ARRAY['urgent','high','normal','low'], priority)`);
      return list.filter((r) => canSeeDivision(actor, r.division_id)).map(toPolicy);
    });
  }

  private async readPolicy(tx: Tx, actor: Actor, id: string) {
    const row = await one<Row & { division_id: string }>(tx, sql`SELECT * FROM ticket_sla_policies WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!row || !canSeeDivision(actor, row.division_id)) throw notFound('SLA policy');
    return toPolicy(row);
  }

  async policy(actor: Actor, id: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, (tx) => this.readPolicy(tx, actor, id));
  }

  async savePolicy(actor: Actor, id: string | null, input: PolicyInput) {
    requirePermission(actor, 'tickets.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const before = id ? await this.readPolicy(tx, actor, id) : null;
      const divisionId = input.divisionId ?? before?.divisionId;
      if (!divisionId) throw invalid('divisionId', 'is required');
      await this.division(tx, actor, divisionId);
      const priority = input.priority ?? before?.priority;
      if (!priority) throw invalid('priority', 'is required');
      const pick = <K extends keyof PolicyInput & keyof NonNullable<typeof before>>(k: K) => (input[k] !== undefined ? input[k] : (before?.[k] ?? null));
      const calendarId = pick('calendarId') as string | null;
      if (calendarId) await this.readCalendar(tx, actor.tenantId, calendarId).catch(() => { throw invalid('calendarId', 'is not a calendar of this tenant'); });
      const escalateGroupId = pick('escalateGroupId') as string | null;
      if (escalateGroupId && !(await one(tx, sql`SELECT id FROM ticket_groups WHERE tenant_id = ${actor.tenantId} AND id = ${escalateGroupId}`))) throw invalid('escalateGroupId', 'is not a team or department of this tenant');
      const values = sql`${divisionId}, ${priority}, ${calendarId}, ${pick('firstResponseMinutes')}, ${pick('nextResponseMinutes')}, ${pick('resolutionMinutes')},
        ${input.warnBeforeMinutes ?? before?.warnBeforeMinutes ?? 30}, ${escalateGroupId}, ${input.escalateRaisePriority ?? before?.escalateRaisePriority ?? false}`;
      const row = await unique(
        id
          ? one<{ id: string }>(tx, sql`UPDATE ticket_sla_policies SET (division_id, priority, calendar_id, first_response_minutes, next_response_minutes, resolution_minutes,
              warn_before_minutes, escalate_group_id, escalate_raise_priority, updated_at) = (${values}, clock_timestamp()) WHERE id = ${id} RETURNING id`)
          : one<{ id: string }>(tx, sql`INSERT INTO ticket_sla_policies (tenant_id, division_id, priority, calendar_id, first_response_minutes, next_response_minutes,
              resolution_minutes, warn_before_minutes, escalate_group_id, escalate_raise_priority) VALUES (${actor.tenantId}, ${values}) RETURNING id`),
        'priority',
        'a policy for this division and priority',
      );
      return this.readPolicy(tx, actor, row!.id);
    });
  }

  async deletePolicy(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tickets.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.readPolicy(tx, actor, id);
      await tx.execute(sql`DELETE FROM ticket_sla_policies WHERE id = ${id}`);
    });
  }

  // Division settings.

  async settings(actor: Actor, divisionId: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const d = await one(tx, sql`SELECT id FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${divisionId}`);
      if (!d || !canSeeDivision(actor, divisionId)) throw notFound('division');
      const row = await one<{ ownership_model: string; repeat_window_days: number }>(tx, sql`SELECT * FROM ticket_division_settings WHERE tenant_id = ${actor.tenantId} AND division_id = ${divisionId}`);
      return { divisionId, ownershipModel: row?.ownership_model ?? 'first_contact', repeatWindowDays: row?.repeat_window_days ?? DEFAULT_REPEAT_WINDOW_DAYS };
    });
  }

  async saveSettings(actor: Actor, divisionId: string, input: { ownershipModel?: 'first_contact' | 'tiered' | undefined; repeatWindowDays?: number | undefined }) {
    requirePermission(actor, 'tickets.manage');
    const current = await this.settings(actor, divisionId);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const model = input.ownershipModel ?? current.ownershipModel;
      const days = input.repeatWindowDays ?? current.repeatWindowDays;
      await tx.execute(sql`INSERT INTO ticket_division_settings (tenant_id, division_id, ownership_model, repeat_window_days) VALUES (${actor.tenantId}, ${divisionId}, ${model}, ${days})
        ON CONFLICT (division_id) DO UPDATE SET ownership_model = EXCLUDED.ownership_model, repeat_window_days = EXCLUDED.repeat_window_days, updated_at = clock_timestamp()`);
      return { divisionId, ownershipModel: model, repeatWindowDays: days };
    });
  }

  // Macros.

  async macros(actor: Actor) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const list = await rows<Row & { division_id: string | null }>(tx, sql`SELECT * FROM ticket_macros WHERE tenant_id = ${actor.tenantId} ORDER BY name`);
      return list.filter((m) => !m.division_id || canSeeDivision(actor, m.division_id)).map(toMacro);
    });
  }

  async readMacro(tx: Tx, actor: Actor, id: string) {
    const row = await one<Row & { division_id: string | null }>(tx, sql`SELECT * FROM ticket_macros WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!row || (row.division_id && !canSeeDivision(actor, row.division_id))) throw notFound('macro');
    return toMacro(row);
  }

  async macro(actor: Actor, id: string) {
    requirePermission(actor, 'tickets.work');
    return this.database.withTenant(actor.tenantId, (tx) => this.readMacro(tx, actor, id));
  }

  async saveMacro(actor: Actor, id: string | null, input: MacroInput) {
    requirePermission(actor, 'tickets.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const before = id ? await this.readMacro(tx, actor, id) : null;
      const name = input.name?.trim() ?? before?.name;
      if (!name) throw invalid('name', 'is required');
      const actions = input.actions ?? before?.actions;
      if (!actions || (!actions.set && !actions.reply)) throw invalid('actions', 'must set fields, reply, or both');
      const divisionId = input.divisionId !== undefined ? input.divisionId : (before?.divisionId ?? null);
      await this.division(tx, actor, divisionId);
      const row = await unique(
        id
          ? one<{ id: string }>(tx, sql`UPDATE ticket_macros SET name = ${name}, division_id = ${divisionId}, actions = ${JSON.stringify(actions)}::jsonb WHERE id = ${id} RETURNING id`)
          : one<{ id: string }>(tx, sql`INSERT INTO ticket_macros (tenant_id, division_id, name, actions) VALUES (${actor.tenantId}, ${divisionId}, ${name}, ${JSON.stringify(actions)}::jsonb) RETURNING id`),
        'name',
        'a macro with this name',
      );
      return this.readMacro(tx, actor, row!.id);
    });
  }

  async deleteMacro(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tickets.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.readMacro(tx, actor, id);
      await tx.execute(sql`DELETE FROM ticket_macros WHERE id = ${id}`);
    });
  }
}
