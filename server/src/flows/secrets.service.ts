// Tenant secrets that HTTP nodes reference as {{secret.NAME}}: sealed at rest with the installation's key,
// write-only through the API (names are listed, values never returned), read only by the engine.
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { SecretBox } from '../platform/crypto/secret-box.ts';
import type { Database } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { iso, one, rows } from './flows-sql.ts';

interface SecretRow {
  id: string;
  name: string;
  value_sealed: string;
  created_at: string;
  updated_at: string;
}
const toSecret = (s: SecretRow) => ({ id: s.id, name: s.name, createdAt: iso(s.created_at)!, updatedAt: iso(s.updated_at)! });

export class FlowSecretsService {
  constructor(private readonly database: Database, private readonly box: SecretBox) {}

  async list(actor: Actor) {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => (await rows<SecretRow>(tx, sql`SELECT * FROM flow_secrets WHERE tenant_id = ${actor.tenantId} ORDER BY name`)).map(toSecret));
  }

  /** Creates the secret, or replaces the value of the one with this name. */
  async put(actor: Actor, input: { name: string; value: string }) {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const s = await one<SecretRow>(tx, sql`INSERT INTO flow_secrets (tenant_id, name, value_sealed) VALUES (${actor.tenantId}, ${input.name}, ${this.box.seal(input.value)})
        ON CONFLICT (tenant_id, name) DO UPDATE SET value_sealed = EXCLUDED.value_sealed, updated_at = clock_timestamp() RETURNING *`);
      await recordAudit(tx, actor, { action: 'flow_secret.saved', targetType: 'flow_secret', targetId: s!.id, details: { name: input.name } });
      return toSecret(s!);
    });
  }

  async remove(actor: Actor, id: string) {
    requirePermission(actor, 'flows.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const s = await one<SecretRow>(tx, sql`DELETE FROM flow_secrets WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`);
      if (!s) throw notFound('secret');
      await recordAudit(tx, actor, { action: 'flow_secret.deleted', targetType: 'flow_secret', targetId: id, details: { name: s.name } });
    });
  }

  /** The plain value for the engine (never for the API). */
  async value(tenantId: string, name: string): Promise<string | undefined> {
    const s = await this.database.withTenant(tenantId, (tx) => one<SecretRow>(tx, sql`SELECT * FROM flow_secrets WHERE tenant_id = ${tenantId} AND name = ${name}`));
    return s ? this.box.open(s.value_sealed) : undefined;
  }
}
