// Flows per division: a draft graph edited freely, published versions that never change (calls run the
// published one), rollback (an older graph published again as a new version), diff between any two versions,
// and validation that blocks publishing with every problem listed.
import { sql } from 'drizzle-orm';
import { flowGraphSchema, type FlowChannel, type FlowGraph, type FlowProblem } from '@kefu/contracts';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { AppError, conflict, invalid, notFound } from '../platform/errors.ts';
import { validateGraph, type FlowReferences } from './flow-validation.ts';
import { diffGraphs } from './graph-diff.ts';
import { iso, one, rows } from './flows-sql.ts';

interface FlowRow {
  id: string;
  division_id: string;
  name: string;
  channel: FlowChannel;
  draft: FlowGraph;
  published_version: number | null;
  draft_updated_at: string;
  created_at: string;
}

interface VersionRow {
  id: string;
  version: number;
  graph: FlowGraph;
  comment: string;
  restored_from: number | null;
  published_by: string | null;
  published_at: string;
}

/** Publishing refused: the problems travel to the client in the error envelope. */
export class FlowProblemsError extends AppError {
  constructor(readonly problems: FlowProblem[]) {
    super('VALIDATION_FAILED', `the flow cannot be published: ${problems.length} problem${problems.length === 1 ? '' : 's'} (${problems.slice(0, 3).map((p) => p.message).join('; ')})`, { field: 'graph' });
  }
}

const toFlow = (f: FlowRow) => ({
  id: f.id, divisionId: f.division_id, name: f.name, channel: f.channel, publishedVersion: f.published_version,
  draftUpdatedAt: iso(f.draft_updated_at)!, createdAt: iso(f.created_at)!,
});
const toVersion = (v: VersionRow) => ({
  id: v.id, version: v.version, comment: v.comment, restoredFrom: v.restored_from, publishedBy: v.published_by, publishedAt: iso(v.published_at)!,
});

/** A first graph for a new flow: a greeting and a hangup (voice) or a message and a return (chat). */
export function starterGraph(channel: FlowChannel): FlowGraph {
  return channel === 'voice'
    ? { start: 'welcome', nodes: [
        { id: 'welcome', type: 'say', label: '', config: { prompt: { text: '您好，欢迎致电。Hello, thank you for calling.', language: 'auto' } }, next: { next: 'bye' }, position: { x: 0, y: 0 } },
        { id: 'bye', type: 'hangup', label: '', config: {}, next: {}, position: { x: 0, y: 160 } },
      ] }
    : { start: 'welcome', nodes: [
        { id: 'welcome', type: 'message', label: '', config: { text: '您好！Hello!' }, next: { next: 'end' }, position: { x: 0, y: 0 } },
        { id: 'end', type: 'return', label: '', config: {}, next: {}, position: { x: 0, y: 160 } },
      ] };
}

export class FlowsService {
  constructor(private readonly database: Database, private readonly onPublish: (flowId: string) => void = () => {}) {}

  private async flowFor(tx: Tx, actor: Actor, id: string): Promise<FlowRow> {
    const f = await one<FlowRow>(tx, sql`SELECT * FROM flows WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!f || !canSeeDivision(actor, f.division_id)) throw notFound('flow');
    return f;
  }

  /** Queues of the flow's division, flows of the tenant that are published, the tenant's secrets and prompts. */
  references(tx: Tx, tenantId: string, divisionId: string): FlowReferences {
    return {
      queues: async (ids) => new Set(ids.length ? (await rows<{ id: string }>(tx, sql`SELECT id FROM routing_queues WHERE tenant_id = ${tenantId} AND division_id = ${divisionId} AND id::text IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`)).map((r) => r.id) : []),
      publishedChannels: async (ids) => new Map(ids.length ? (await rows<{ id: string; channel: FlowChannel }>(tx, sql`SELECT id, channel FROM flows WHERE tenant_id = ${tenantId} AND published_version IS NOT NULL AND id::text IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`)).map((r) => [r.id, r.channel]) : []),
      flows: async (ids) => new Set(ids.length ? (await rows<{ id: string }>(tx, sql`SELECT id FROM flows WHERE tenant_id = ${tenantId} AND published_version IS NOT NULL AND id::text IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)})`)).map((r) => r.id) : []),
      secrets: async (names) => new Set(names.length ? (await rows<{ name: string }>(tx, sql`SELECT name FROM flow_secrets WHERE tenant_id = ${tenantId} AND name IN (${sql.join(names.map((n) => sql`${n}`), sql`, `)})`)).map((r) => r.name) : []),
      // FOR SHARE: a prompt being deleted waits for this publish, or this publish sees it gone (prompts.service.ts).
      prompts: async (ids) => new Set(ids.length ? (await rows<{ id: string }>(tx, sql`SELECT id FROM flow_prompts WHERE tenant_id = ${tenantId} AND id::text IN (${sql.join(ids.map((i) => sql`${i}`), sql`, `)}) FOR SHARE`)).map((r) => r.id) : []),
    };
  }

  async list(actor: Actor, filter: { divisionId?: string | undefined; channel?: FlowChannel | undefined }) {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const all = await rows<FlowRow>(tx, sql`SELECT * FROM flows WHERE tenant_id = ${actor.tenantId}
        ${filter.divisionId ? sql`AND division_id = ${filter.divisionId}` : sql``} ${filter.channel ? sql`AND channel = ${filter.channel}` : sql``} ORDER BY name`);
      return all.filter((f) => canSeeDivision(actor, f.division_id)).map(toFlow);
    });
  }

  async create(actor: Actor, input: { divisionId: string; name: string; channel: FlowChannel; graph?: FlowGraph | undefined }) {
    requirePermission(actor, 'flows.manage');
    if (!canSeeDivision(actor, input.divisionId)) throw invalid('divisionId', 'no such division');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      if (!(await one(tx, sql`SELECT 1 FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${input.divisionId}`))) throw invalid('divisionId', 'no such division');
      const graph = input.graph ?? starterGraph(input.channel);
      const f = await one<FlowRow>(tx, sql`INSERT INTO flows (tenant_id, division_id, name, channel, draft)
        VALUES (${actor.tenantId}, ${input.divisionId}, ${input.name}, ${input.channel}, ${JSON.stringify(graph)}::jsonb)
        ON CONFLICT (tenant_id, name) DO NOTHING RETURNING *`);
      if (!f) throw conflict(`a flow named ${input.name} exists`, 'name');
      await recordAudit(tx, actor, { action: 'flow.created', targetType: 'flow', targetId: f.id, details: { name: input.name, channel: input.channel } });
      return { ...toFlow(f), draft: f.draft, problems: await validateGraph(f.draft, f.channel, this.references(tx, actor.tenantId, f.division_id)) };
    });
  }

  async get(actor: Actor, id: string) {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const f = await this.flowFor(tx, actor, id);
      const versions = await rows<VersionRow>(tx, sql`SELECT * FROM flow_versions WHERE tenant_id = ${actor.tenantId} AND flow_id = ${id} ORDER BY version DESC`);
      return { ...toFlow(f), draft: f.draft, versions: versions.map(toVersion) };
    });
  }

  async update(actor: Actor, id: string, patch: { name?: string | undefined; graph?: FlowGraph | undefined }) {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.flowFor(tx, actor, id);
      const f = await one<FlowRow>(tx, sql`UPDATE flows SET name = coalesce(${patch.name ?? null}, name),
          draft = coalesce(${patch.graph ? JSON.stringify(patch.graph) : null}::jsonb, draft),
          draft_updated_at = CASE WHEN ${patch.graph ? 1 : 0} = 1 THEN clock_timestamp() ELSE draft_updated_at END
        WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`).catch((err: unknown) => {
        if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw conflict(`a flow named ${patch.name} exists`, 'name');
        throw err;
      });
      // Problems are reported on every save (the editor shows them) but only block publishing.
      return { ...toFlow(f!), draft: f!.draft, problems: await validateGraph(f!.draft, f!.channel, this.references(tx, actor.tenantId, f!.division_id)) };
    });
  }

  async remove(actor: Actor, id: string) {
    requirePermission(actor, 'flows.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const f = await this.flowFor(tx, actor, id);
      await tx.execute(sql`DELETE FROM flows WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'flow.deleted', targetType: 'flow', targetId: id, details: { name: f.name } });
    });
    this.onPublish(id);
  }

  async validate(actor: Actor, id: string) {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const f = await this.flowFor(tx, actor, id);
      return { problems: await validateGraph(f.draft, f.channel, this.references(tx, actor.tenantId, f.division_id)) };
    });
  }

  /** Publishes the draft as the next version; refused with every problem listed. */
  async publish(actor: Actor, id: string, input: { comment?: string | undefined }) {
    return this.publishGraph(actor, id, (f) => Promise.resolve({ graph: f.draft, restoredFrom: null }), input.comment ?? '');
  }

  /** Publishes an older version's graph again as a new version, and makes it the draft. */
  async rollback(actor: Actor, id: string, input: { version: number; comment?: string | undefined }) {
    return this.publishGraph(actor, id, async (f, tx) => {
      const v = await one<VersionRow>(tx, sql`SELECT * FROM flow_versions WHERE tenant_id = ${actor.tenantId} AND flow_id = ${f.id} AND version = ${input.version}`);
      if (!v) throw invalid('version', `version ${input.version} does not exist`);
      return { graph: v.graph, restoredFrom: v.version };
    }, input.comment ?? `rollback to version ${input.version}`);
  }

  private async publishGraph(actor: Actor, id: string, pick: (f: FlowRow, tx: Tx) => Promise<{ graph: FlowGraph; restoredFrom: number | null }>, comment: string) {
    requirePermission(actor, 'flows.manage');
    const result = await this.database.withTenant(actor.tenantId, async (tx) => {
      // The row lock orders concurrent publishes of one flow: version numbers stay gapless and unique.
      const f = await one<FlowRow>(tx, sql`SELECT * FROM flows WHERE tenant_id = ${actor.tenantId} AND id = ${id} FOR UPDATE`);
      if (!f || !canSeeDivision(actor, f.division_id)) throw notFound('flow');
      const { graph, restoredFrom } = await pick(f, tx);
      const problems = await validateGraph(graph, f.channel, this.references(tx, actor.tenantId, f.division_id));
      if (problems.length) throw new FlowProblemsError(problems);
      const next = (f.published_version ?? 0) + 1;
      const max = await one<{ v: number | null }>(tx, sql`SELECT max(version) AS v FROM flow_versions WHERE flow_id = ${id}`);
      const version = Math.max(next, (max?.v ?? 0) + 1);
      const v = await one<VersionRow>(tx, sql`INSERT INTO flow_versions (tenant_id, flow_id, version, graph, comment, restored_from, published_by)
        VALUES (${actor.tenantId}, ${id}, ${version}, ${JSON.stringify(graph)}::jsonb, ${comment}, ${restoredFrom}, ${actor.userId}) RETURNING *`);
      await tx.execute(sql`UPDATE flows SET published_version = ${version}, draft = ${JSON.stringify(graph)}::jsonb WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: restoredFrom ? 'flow.rolled_back' : 'flow.published', targetType: 'flow', targetId: id, details: { version, restoredFrom } });
      return toVersion(v!);
    });
    this.onPublish(id);
    return result;
  }

  /** A version's graph (`draft` for the draft). */
  async graph(actor: Actor, id: string, version: number | 'draft') {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const f = await this.flowFor(tx, actor, id);
      if (version === 'draft') return { version: 'draft' as const, graph: f.draft };
      const v = await one<VersionRow>(tx, sql`SELECT * FROM flow_versions WHERE tenant_id = ${actor.tenantId} AND flow_id = ${id} AND version = ${version}`);
      if (!v) throw invalid('version', `version ${version} does not exist`);
      return { ...toVersion(v), graph: v.graph };
    });
  }

  async diff(actor: Actor, id: string, from: number | 'draft', to: number | 'draft') {
    const [a, b] = [await this.graph(actor, id, from), await this.graph(actor, id, to)];
    return { from, to, ...diffGraphs(a.graph, b.graph) };
  }

  /** Saves structure-checked JSON as a graph (used by the seed; the API's body schema does the same). */
  static parseGraph(value: unknown): FlowGraph {
    return flowGraphSchema.parse(value);
  }
}
