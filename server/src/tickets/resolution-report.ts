// Who resolved what: solved tickets of a period by resolver, tier and team/department, with first-contact
// resolution (FCR) rates, and the interactions marked resolved or not on first contact. The ownership models
// record these facts when a ticket is solved and when a customer comes back (repeat-contact detection).
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { invalid } from '../platform/errors.ts';
import { divisionScope, one, rows } from '../crm/crm-sql.ts';

export interface ReportQuery {
  from: string;
  to: string;
  divisionId?: string | undefined;
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);

export async function resolutionReport(database: Database, actor: Actor, q: ReportQuery) {
  requirePermission(actor, 'reports.read');
  if (Date.parse(q.from) >= Date.parse(q.to)) throw invalid('to', 'must be after from');
  return database.withTenant(actor.tenantId, async (tx) => {
    const where = sql`t.tenant_id = ${actor.tenantId} AND ${divisionScope(actor, sql`t.division_id`)} AND t.solved_at >= ${q.from}::timestamptz AND t.solved_at < ${q.to}::timestamptz
      ${q.divisionId ? sql`AND t.division_id = ${q.divisionId}` : sql``}`;
    const total = await one<{ solved: number; fcr: number }>(tx, sql`SELECT count(*)::int AS solved, count(*) FILTER (WHERE t.resolved_first_contact)::int AS fcr FROM tickets t WHERE ${where}`);
    const byResolver = await rows<{ user_id: string | null; name: string | null; solved: number; fcr: number }>(
      tx,
      sql`SELECT t.resolved_by AS user_id, u.name, count(*)::int AS solved, count(*) FILTER (WHERE t.resolved_first_contact)::int AS fcr
          FROM tickets t LEFT JOIN users u ON u.id = t.resolved_by WHERE ${where} GROUP BY t.resolved_by, u.name ORDER BY solved DESC, u.name`,
    );
    const byTier = await rows<{ tier: number | null; solved: number }>(tx, sql`SELECT t.resolved_tier AS tier, count(*)::int AS solved FROM tickets t WHERE ${where} GROUP BY t.resolved_tier ORDER BY t.resolved_tier`);
    const byGroup = await rows<{ group_id: string | null; name: string | null; solved: number }>(
      tx,
      sql`SELECT t.resolved_group_id AS group_id, g.name, count(*)::int AS solved FROM tickets t LEFT JOIN ticket_groups g ON g.id = t.resolved_group_id WHERE ${where} GROUP BY t.resolved_group_id, g.name ORDER BY solved DESC`,
    );
    const interactions = await one<{ resolved: number; repeat: number }>(
      tx,
      sql`SELECT count(*) FILTER (WHERE i.resolved_first_contact)::int AS resolved, count(*) FILTER (WHERE i.resolved_first_contact = false)::int AS repeat
          FROM interactions i WHERE i.tenant_id = ${actor.tenantId} AND ${divisionScope(actor, sql`i.division_id`)} AND i.arrived_at >= ${q.from}::timestamptz AND i.arrived_at < ${q.to}::timestamptz
          ${q.divisionId ? sql`AND i.division_id = ${q.divisionId}` : sql``}`,
    );
    const resolved = interactions?.resolved ?? 0;
    const repeat = interactions?.repeat ?? 0;
    return {
      from: q.from,
      to: q.to,
      solved: total?.solved ?? 0,
      firstContactResolved: total?.fcr ?? 0,
      fcrRate: rate(total?.fcr ?? 0, total?.solved ?? 0),
      byResolver: byResolver.map((r) => ({ userId: r.user_id, name: r.name, solved: r.solved, firstContactResolved: r.fcr, fcrRate: rate(r.fcr, r.solved) })),
      byTier: byTier.map((r) => ({ tier: r.tier, solved: r.solved })),
      byGroup: byGroup.map((r) => ({ groupId: r.group_id, name: r.name, solved: r.solved })),
      interactions: { resolvedOnFirstContact: resolved, notResolvedOnFirstContact: repeat, fcrRate: rate(resolved, resolved + repeat) },
    };
  });
}
