// Loads flow graphs for the engine. Published versions never change, so they are cached for good; which
// version is published is cached briefly and forgotten at once when this process publishes.
import { sql } from 'drizzle-orm';
import type { FlowChannel, FlowGraph } from '@kefu/contracts';
import type { Database } from '../platform/db/database.ts';
import type { GraphSource } from './engine/flow-runner.ts';
import type { LoadedGraph } from './engine/flow-types.ts';
import { loaded } from './engine/memory-graphs.ts';
import { one } from './flows-sql.ts';

const PUBLISHED_TTL_MS = 2000;
const MAX_CACHED = 1000;

export class DbGraphs implements GraphSource {
  private readonly versions = new Map<string, LoadedGraph>();
  private readonly published = new Map<string, { version: number; at: number }>();

  constructor(private readonly database: Database) {}

  forget(flowId: string): void {
    this.published.delete(flowId);
  }

  async load(tenantId: string, flowId: string, version: number | 'draft' | 'published'): Promise<LoadedGraph> {
    if (version === 'draft') {
      const f = await this.database.withTenant(tenantId, (tx) => one<{ channel: FlowChannel; draft: FlowGraph }>(tx, sql`SELECT channel, draft FROM flows WHERE tenant_id = ${tenantId} AND id = ${flowId}`));
      if (!f) throw new Error(`flow ${flowId} does not exist`);
      return loaded(flowId, 'draft', f.channel, f.draft);
    }
    let number = version;
    if (number === 'published') {
      const hit = this.published.get(flowId);
      if (hit && Date.now() - hit.at < PUBLISHED_TTL_MS) number = hit.version;
      else {
        const f = await this.database.withTenant(tenantId, (tx) => one<{ published_version: number | null }>(tx, sql`SELECT published_version FROM flows WHERE tenant_id = ${tenantId} AND id = ${flowId}`));
        if (!f?.published_version) throw new Error(`flow ${flowId} is not published`);
        number = f.published_version;
        this.published.set(flowId, { version: number, at: Date.now() });
      }
    }
    const key = `${tenantId}:${flowId}:${number}`;
    const cached = this.versions.get(key);
    if (cached) return cached;
    const v = await this.database.withTenant(tenantId, (tx) => one<{ channel: FlowChannel; graph: FlowGraph }>(tx, sql`SELECT f.channel, v.graph FROM flow_versions v JOIN flows f ON f.id = v.flow_id
      WHERE v.tenant_id = ${tenantId} AND v.flow_id = ${flowId} AND v.version = ${number}`));
    if (!v) throw new Error(`flow ${flowId} has no version ${number}`);
    const g = loaded(flowId, number, v.channel, v.graph);
    if (this.versions.size >= MAX_CACHED) this.versions.delete(this.versions.keys().next().value!);
    this.versions.set(key, g);
    return g;
  }
}
