// The SLA engine: one for every channel, since every channel's work ends up as a ticket. It keeps a ticket's
// targets (first response, next response, resolution) in step with what happens to the ticket, inside the same
// transaction, and schedules a warning job and a breach job per running target on the job runner. A job that
// finds its target moved on (met, paused, re-timed) does nothing, so stale jobs are harmless and retries are safe.
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../platform/db/database.ts';
import { notice } from './notices.ts';
import { enqueueJob, type Job } from '../platform/jobs/job-runner.ts';
import { one, rows } from '../crm/crm-sql.ts';
import { meetTarget, pauseTarget, resumeTarget, startTarget, warnAt, type BusinessCalendar, type Clock, type SlaMetric, type SlaTarget } from './sla-clock.ts';

export const SLA_JOB = 'tickets.sla';

export interface SlaJobPayload {
  ticketId: string;
  metric: SlaMetric;
  kind: 'warn' | 'breach';
  dueAt: string;
}

interface PolicyRow {
  id: string;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  warn_before_minutes: number;
  escalate_group_id: string | null;
  escalate_raise_priority: boolean;
  time_zone: string | null;
  hours: BusinessCalendar['hours'] | null;
  holidays: string[] | null;
  workdays: string[] | null;
}

interface TargetRow {
  metric: SlaMetric;
  policy_id: string | null;
  state: SlaTarget['state'];
  started_at: Date;
  due_at: Date | null;
  remaining_ms: string | null;
  warned_at: Date | null;
  breached_at: Date | null;
  met_at: Date | null;
}

/** What happened to a ticket, as far as its SLA is concerned. */
export type SlaEvent =
  | { kind: 'created'; status: string }
  | { kind: 'agent_replied' }
  | { kind: 'customer_replied' }
  | { kind: 'status'; from: string; to: string }
  | { kind: 'priority' };

const PAUSED = new Set(['pending', 'on_hold']);
const DONE = new Set(['solved', 'closed']);
const priorities = ['low', 'normal', 'high', 'urgent'] as const;

const ms = (d: Date | null): number | null => (d ? new Date(d).getTime() : null);
const toTarget = (r: TargetRow): SlaTarget => ({
  metric: r.metric,
  state: r.state,
  startedAt: ms(r.started_at)!,
  dueAt: ms(r.due_at),
  remainingMs: r.remaining_ms === null ? null : Number(r.remaining_ms),
  warnedAt: ms(r.warned_at),
  breachedAt: ms(r.breached_at),
  metAt: ms(r.met_at),
});

const calendarOf = (p: PolicyRow | undefined): BusinessCalendar | null =>
  p?.hours && p.time_zone ? { timeZone: p.time_zone, hours: p.hours, holidays: p.holidays ?? [], workdays: p.workdays ?? [] } : null;

const minutesFor = (p: PolicyRow, metric: SlaMetric): number | null =>
  metric === 'first_response' ? p.first_response_minutes : metric === 'next_response' ? p.next_response_minutes : p.resolution_minutes;

export class SlaEngine {
  constructor(
    private readonly database: Database,
    readonly clock: Clock,
    private readonly wake: () => void = () => {},
  ) {}

  private async policy(tx: Tx, tenantId: string, divisionId: string, priority: string): Promise<PolicyRow | undefined> {
    return one<PolicyRow>(
      tx,
      sql`SELECT p.*, c.time_zone, c.hours, c.holidays, c.workdays FROM ticket_sla_policies p LEFT JOIN ticket_calendars c ON c.id = p.calendar_id
          WHERE p.tenant_id = ${tenantId} AND p.division_id = ${divisionId} AND p.priority = ${priority}`,
    );
  }

  private async targets(tx: Tx, ticketId: string): Promise<TargetRow[]> {
    return rows<TargetRow>(tx, sql`SELECT * FROM ticket_sla_targets WHERE ticket_id = ${ticketId} FOR UPDATE`);
  }

  private async save(tx: Tx, tenantId: string, ticketId: string, policyId: string | null, t: SlaTarget, cal: BusinessCalendar | null, warnMinutes: number): Promise<void> {
    const at = (v: number | null) => (v === null ? null : new Date(v).toISOString());
    await tx.execute(sql`
      INSERT INTO ticket_sla_targets (tenant_id, ticket_id, metric, policy_id, state, started_at, due_at, remaining_ms, warned_at, breached_at, met_at)
      VALUES (${tenantId}, ${ticketId}, ${t.metric}, ${policyId}, ${t.state}, ${at(t.startedAt)}, ${at(t.dueAt)}, ${t.remainingMs}, ${at(t.warnedAt)}, ${at(t.breachedAt)}, ${at(t.metAt)})
      ON CONFLICT (ticket_id, metric) DO UPDATE SET policy_id = EXCLUDED.policy_id, state = EXCLUDED.state, started_at = EXCLUDED.started_at,
        due_at = EXCLUDED.due_at, remaining_ms = EXCLUDED.remaining_ms, warned_at = EXCLUDED.warned_at, breached_at = EXCLUDED.breached_at, met_at = EXCLUDED.met_at`);
    if (t.state !== 'running' || t.dueAt === null) return;
    const dueAt = new Date(t.dueAt).toISOString();
    const jobs: Array<[SlaJobPayload['kind'], number]> = [['breach', t.dueAt]];
    const warn = warnAt(cal, t, warnMinutes, this.clock.now());
    if (warn !== null && t.warnedAt === null && warn < t.dueAt) jobs.push(['warn', warn]);
    for (const [kind, runAt] of jobs) {
      const payload: SlaJobPayload = { ticketId, metric: t.metric, kind, dueAt };
      await enqueueJob(tx, { type: SLA_JOB, tenantId, payload, runAt: new Date(runAt), idempotencyKey: `${SLA_JOB}:${ticketId}:${t.metric}:${kind}:${dueAt}`, maxAttempts: 5 });
    }
    this.wake();
  }

  /** Brings the ticket's targets in step with an event, in the caller's transaction. */
  async apply(tx: Tx, tenantId: string, ticket: { id: string; division_id: string; priority: string; status: string }, event: SlaEvent): Promise<void> {
    const now = this.clock.now();
    const policy = await this.policy(tx, tenantId, ticket.division_id, ticket.priority);
    const cal = calendarOf(policy);
    const warnMinutes = policy?.warn_before_minutes ?? 0;
    const existing = new Map((await this.targets(tx, ticket.id)).map((r) => [r.metric, r]));
    const put = (t: SlaTarget) => this.save(tx, tenantId, ticket.id, policy?.id ?? existing.get(t.metric)?.policy_id ?? null, t, cal, warnMinutes);
    const start = async (metric: SlaMetric) => {
      const minutes = policy ? minutesFor(policy, metric) : null;
      if (!minutes) return;
      let t = startTarget(cal, metric, minutes, now);
      if (PAUSED.has(ticket.status)) t = pauseTarget(cal, t, now);
      await put(t);
    };
    const open = (metric: SlaMetric) => {
      const r = existing.get(metric);
      return r && (r.state === 'running' || r.state === 'paused') ? toTarget(r) : null;
    };

    switch (event.kind) {
      case 'created':
        await start('first_response');
        await start('resolution');
        return;
      case 'agent_replied':
        for (const metric of ['first_response', 'next_response'] as const) {
          const t = open(metric) ?? (existing.get(metric)?.state === 'breached' && existing.get(metric)?.met_at === null ? toTarget(existing.get(metric)!) : null);
          if (t) await put(meetTarget(t, now));
        }
        return;
      case 'customer_replied': {
        // Next response runs from the customer's update while no reply is owed under first response.
        if (open('first_response')) return;
        const current = open('next_response');
        if (!current) await start('next_response');
        return;
      }
      case 'status': {
        for (const r of existing.values()) {
          let t = toTarget(r);
          if (t.state !== 'running' && t.state !== 'paused') continue;
          if (DONE.has(event.to)) t = meetTarget(t, now);
          else if (PAUSED.has(event.to)) t = pauseTarget(cal, t, now);
          else t = resumeTarget(cal, t, now);
          await put(t);
        }
        // A reopened ticket owes a resolution again.
        if (DONE.has(event.from) && !DONE.has(event.to)) await start('resolution');
        return;
      }
      case 'priority':
        // A new priority re-times the running targets by its policy, from when each started.
        for (const r of existing.values()) {
          const t = toTarget(r);
          const minutes = policy ? minutesFor(policy, t.metric) : null;
          if (!minutes || t.state !== 'running') continue;
          const fresh = startTarget(cal, t.metric, minutes, t.startedAt);
          await put({ ...t, dueAt: fresh.dueAt, warnedAt: null });
        }
        return;
    }
  }

  /** The job: warn or breach, if the target is still running towards the same due time. */
  handler() {
    return async (job: Job<SlaJobPayload>): Promise<void> => {
      if (!job.tenantId) return;
      await this.check(job.tenantId, job.payload);
    };
  }

  async check(tenantId: string, p: SlaJobPayload): Promise<'warned' | 'breached' | 'stale'> {
    return this.database.withTenant(tenantId, async (tx) => {
      const now = this.clock.now();
      const ticket = await one<{ id: string; number: string; division_id: string; priority: string; status: string; owner_id: string | null; assignee_user_id: string | null; assignee_group_id: string | null; tier: number }>(
        tx,
        sql`SELECT id, number, division_id, priority, status, owner_id, assignee_user_id, assignee_group_id, tier FROM tickets WHERE tenant_id = ${tenantId} AND id = ${p.ticketId} FOR UPDATE`,
      );
      const target = ticket && (await one<TargetRow>(tx, sql`SELECT * FROM ticket_sla_targets WHERE ticket_id = ${p.ticketId} AND metric = ${p.metric} FOR UPDATE`));
      if (!ticket || !target || target.state !== 'running' || ms(target.due_at) !== Date.parse(p.dueAt)) return 'stale';
      const policy = await this.policy(tx, tenantId, ticket.division_id, ticket.priority);
      const notify = await this.people(tx, tenantId, ticket);
      const number = Number(ticket.number);
      if (p.kind === 'warn') {
        if (target.warned_at || now >= Date.parse(p.dueAt)) return 'stale';
        await tx.execute(sql`UPDATE ticket_sla_targets SET warned_at = ${new Date(now).toISOString()} WHERE ticket_id = ${p.ticketId} AND metric = ${p.metric}`);
        await activity(tx, tenantId, ticket.id, null, 'sla.warning', { metric: p.metric, dueAt: p.dueAt });
        await notice(tx, tenantId, 'ticket.sla_warning', { ticketId: ticket.id, number, metric: p.metric, dueAt: p.dueAt, userIds: notify });
        return 'warned';
      }
      // The runner may start a job a little early by our clock (a virtual one in tests, skew between nodes).
      if (now < Date.parse(p.dueAt)) throw new Error(`SLA breach job for ${p.ticketId} ran before its due time`);
      await tx.execute(sql`UPDATE ticket_sla_targets SET state = 'breached', breached_at = ${new Date(now).toISOString()} WHERE ticket_id = ${p.ticketId} AND metric = ${p.metric}`);
      const escalation: Record<string, unknown> = {};
      if (policy?.escalate_group_id && policy.escalate_group_id !== ticket.assignee_group_id) {
        await tx.execute(sql`UPDATE tickets SET assignee_group_id = ${policy.escalate_group_id}, updated_at = clock_timestamp(), version = version + 1 WHERE id = ${ticket.id}`);
        escalation.assigneeGroupId = [ticket.assignee_group_id, policy.escalate_group_id];
      }
      if (policy?.escalate_raise_priority) {
        const next = priorities[Math.min(priorities.indexOf(ticket.priority as (typeof priorities)[number]) + 1, priorities.length - 1)]!;
        if (next !== ticket.priority) {
          await tx.execute(sql`UPDATE tickets SET priority = ${next}, updated_at = clock_timestamp(), version = version + 1 WHERE id = ${ticket.id}`);
          escalation.priority = [ticket.priority, next];
        }
      }
      await activity(tx, tenantId, ticket.id, null, 'sla.breached', { metric: p.metric, dueAt: p.dueAt, escalation });
      const after = escalation.assigneeGroupId ? await this.people(tx, tenantId, { ...ticket, assignee_group_id: policy!.escalate_group_id }) : notify;
      await notice(tx, tenantId, 'ticket.sla_breached', { ticketId: ticket.id, number, metric: p.metric, dueAt: p.dueAt, userIds: after });
      return 'breached';
    });
  }

  /** Whom SLA notices go to: owner, assignee and the assigned group's members. */
  private async people(tx: Tx, tenantId: string, t: { owner_id: string | null; assignee_user_id: string | null; assignee_group_id: string | null }): Promise<string[]> {
    const ids = new Set<string>([t.owner_id, t.assignee_user_id].filter((v): v is string => v !== null));
    if (t.assignee_group_id) for (const r of await rows<{ user_id: string }>(tx, sql`SELECT user_id FROM ticket_group_members WHERE tenant_id = ${tenantId} AND group_id = ${t.assignee_group_id}`)) ids.add(r.user_id);
    return [...ids];
  }
}

/** One line of a ticket's activity log. */
export async function activity(tx: Tx, tenantId: string, ticketId: string, actorId: string | null, action: string, details: Record<string, unknown>): Promise<void> {
  await tx.execute(sql`INSERT INTO ticket_activity (tenant_id, ticket_id, actor_id, action, details) VALUES (${tenantId}, ${ticketId}, ${actorId}, ${action}, ${JSON.stringify(details)}::jsonb)`);
}
