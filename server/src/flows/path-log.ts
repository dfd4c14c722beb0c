// Writes the path of every run (node entered / left, exit, input) in batches: a call moving through a menu
// costs no database round trip per node, and the rows are in place within a fraction of a second.
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import type { Logger } from '../platform/logger.ts';
import type { PathEvent, PathSink } from './engine/flow-runner.ts';

const FLUSH_MS = 250;
const MAX_BATCH = 500;

export class PathLog implements PathSink {
  private buffer: PathEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly database: Database, private readonly logger: Logger) {}

  record(event: PathEvent): void {
    // Simulator runs of unsaved drafts are not analytics.
    if (event.version === null && !event.interactionId) return;
    this.buffer.push(event);
    if (this.buffer.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes what is buffered (and waits for writes in progress). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => this.write(batch)).catch((err: unknown) => this.logger.warn({ err }, 'flows: writing the path log failed'));
    return this.flushing;
  }

  private async write(batch: PathEvent[]): Promise<void> {
    const byTenant = new Map<string, PathEvent[]>();
    for (const e of batch) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
    for (const [tenantId, events] of byTenant) {
      await this.database.withTenant(tenantId, (tx) => tx.execute(sql`INSERT INTO flow_path_events
        (tenant_id, flow_id, version, run_id, interaction_id, node_id, node_type, event, port, input, at) VALUES
        ${sql.join(events.map((e) => sql`(${e.tenantId}, ${e.flowId}, ${e.version}, ${e.runId}, ${e.interactionId}, ${e.nodeId}, ${e.nodeType}, ${e.event}, ${e.port}, ${e.input}, ${e.at.toISOString()})`), sql`, `)}`));
    }
  }
}
