// IVR path analytics from the path log: per node how many runs entered it, which exits they left by, and how
// many never left (the caller hung up there); and the path of one interaction in order.
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import type { PathLog } from './path-log.ts';
import { iso, rows } from './flows-sql.ts';

export class FlowAnalytics {
  constructor(private readonly database: Database, private readonly log: PathLog) {}

  async nodeStats(tenantId: string, flowId: string, since?: Date) {
    await this.log.flush();
    const counts = await this.database.withTenant(tenantId, (tx) => rows<{ node_id: string; node_type: string; event: string; port: string | null; n: number }>(tx, sql`
      SELECT node_id, node_type, event, port, count(*)::int AS n FROM flow_path_events
      WHERE tenant_id = ${tenantId} AND flow_id = ${flowId} ${since ? sql`AND at >= ${since.toISOString()}` : sql``}
      GROUP BY node_id, node_type, event, port ORDER BY node_id`));
    const nodes = new Map<string, { nodeId: string; nodeType: string; entered: number; exits: Record<string, number>; dropped: number }>();
    for (const c of counts) {
      const n = nodes.get(c.node_id) ?? { nodeId: c.node_id, nodeType: c.node_type, entered: 0, exits: {}, dropped: 0 };
      if (c.event === 'enter') n.entered += c.n;
      // `queue` rows (a queued call's announcements and wait result) come after the node was left: not exits.
      else if (c.event === 'leave') n.exits[c.port ?? ''] = (n.exits[c.port ?? ''] ?? 0) + c.n;
      nodes.set(c.node_id, n);
    }
    for (const n of nodes.values()) n.dropped = Math.max(0, n.entered - Object.values(n.exits).reduce((a, b) => a + b, 0));
    return [...nodes.values()];
  }

  async interactionPath(tenantId: string, interactionId: string) {
    await this.log.flush();
    const events = await this.database.withTenant(tenantId, (tx) => rows<{ flow_id: string; version: number | null; node_id: string; node_type: string; event: string; port: string | null; input: string | null; at: string }>(tx, sql`
      SELECT flow_id, version, node_id, node_type, event, port, input, at FROM flow_path_events WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} ORDER BY id`));
    return events.map((e) => ({ flowId: e.flow_id, version: e.version, nodeId: e.node_id, nodeType: e.node_type, event: e.event, port: e.port, input: e.input, at: iso(e.at) }));
  }
}
