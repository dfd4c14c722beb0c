// The tenant's HTTP allow-list (docs/flows.md "HTTP requests and internal addresses"): hosts and CIDRs on the
// customer's own network that the HTTP node may call although they are not public addresses. Edited by admins in
// the admin console (flows.manage); each entry is checked, and a bad one is a 400 naming `entries.N`.
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database } from '../platform/db/database.ts';
import { invalid } from '../platform/errors.ts';
import { allowEntryProblem, MAX_ALLOW_ENTRIES } from './nodes/http-request/egress-policy.ts';
import { iso, one } from './flows-sql.ts';

interface AllowRow {
  entries: string[];
  updated_at: string;
}

export class HttpAllowListService {
  constructor(private readonly database: Database) {}

  async get(actor: Actor) {
    requirePermission(actor, 'flows.manage');
    const row = await this.database.withTenant(actor.tenantId, (tx) => one<AllowRow>(tx, sql`SELECT entries, updated_at FROM flow_http_allowlists WHERE tenant_id = ${actor.tenantId}`));
    return { entries: row?.entries ?? [], updatedAt: iso(row?.updated_at) };
  }

  async put(actor: Actor, input: { entries: string[] }) {
    requirePermission(actor, 'flows.manage');
    if (input.entries.length > MAX_ALLOW_ENTRIES) throw invalid('entries', `at most ${MAX_ALLOW_ENTRIES} entries`);
    const entries: string[] = [];
    input.entries.forEach((raw, i) => {
      const problem = allowEntryProblem(raw);
      if (problem) throw invalid(`entries.${i}`, `entries.${i} (${raw.slice(0, 100)}): ${problem}`);
      const e = raw.trim().toLowerCase();
      if (!entries.includes(e)) entries.push(e);
    });
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const row = await one<AllowRow>(tx, sql`INSERT INTO flow_http_allowlists (tenant_id, entries) VALUES (${actor.tenantId}, ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(entries)}::jsonb)))
        ON CONFLICT (tenant_id) DO UPDATE SET entries = EXCLUDED.entries, updated_at = clock_timestamp() RETURNING entries, updated_at`);
      await recordAudit(tx, actor, { action: 'flow_http_allowlist.saved', targetType: 'tenant', targetId: actor.tenantId, details: { entries } });
      return { entries: row!.entries, updatedAt: iso(row!.updated_at) };
    });
  }

  /** The entries for the engine. */
  async entries(tenantId: string): Promise<string[]> {
    const row = await this.database.withTenant(tenantId, (tx) => one<AllowRow>(tx, sql`SELECT entries FROM flow_http_allowlists WHERE tenant_id = ${tenantId}`));
    return row?.entries ?? [];
  }
}
