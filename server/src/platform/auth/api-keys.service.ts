// API keys for systems: `kefu_<prefix>_<secret>`. The prefix finds the row; only the secret's SHA-256 is stored
// and the whole key is shown once, at creation. A key's scopes are the permissions it has.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { ApiKey } from '@kefu/contracts';
import type { Database } from '../db/database.ts';
import { apiKeys } from '../db/schema.ts';
import { randomToken, sha256 } from '../crypto/tokens.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { appendEvent } from '../events/outbox.ts';
import { invalid, notFound } from '../errors.ts';
import { requirePermission, type Actor } from './actor.ts';
import { isPermission, type Permission } from './permissions.ts';
import { timingSafeEqual } from 'node:crypto';

export type { ApiKey };

const toApiKey = (r: typeof apiKeys.$inferSelect): ApiKey => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes.filter(isPermission),
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

const KEY_PATTERN = /^kefu_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export class ApiKeysService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor): Promise<ApiKey[]> {
    requirePermission(actor, 'apikeys.manage');
    const rows = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.select().from(apiKeys).where(eq(apiKeys.tenantId, actor.tenantId)).orderBy(desc(apiKeys.createdAt)),
    );
    return rows.map(toApiKey);
  }

  async create(actor: Actor, input: { name: string; scopes: string[] }): Promise<{ apiKey: ApiKey; secret: string }> {
    requirePermission(actor, 'apikeys.manage');
    const unknown = input.scopes.filter((s) => !isPermission(s));
    if (unknown.length) throw invalid('scopes', `unknown scope: ${unknown.join(', ')}`);
    // A key cannot carry more than its creator has.
    const beyond = input.scopes.filter((s) => actor.kind !== 'system' && !actor.permissions.has(s as Permission));
    if (beyond.length) throw invalid('scopes', `you cannot grant scopes you do not have: ${beyond.join(', ')}`);
    const prefix = randomToken(9).replace(/[^A-Za-z0-9]/g, 'x').slice(0, 12);
    const secretPart = randomToken(32);
    const secret = `kefu_${prefix}_${secretPart}`;
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = await tx
        .insert(apiKeys)
        .values({ tenantId: actor.tenantId, name: input.name, prefix, secretHash: sha256(secretPart), scopes: [...new Set(input.scopes)], createdBy: actor.userId })
        .returning();
      await recordAudit(tx, actor, { action: 'api_key.created', targetType: 'api_key', targetId: row!.id, details: { name: input.name, scopes: input.scopes } });
      await appendEvent(tx, actor.tenantId, 'api_key.created', { apiKeyId: row!.id, name: input.name, scopes: input.scopes });
      return { apiKey: toApiKey(row!), secret };
    });
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'apikeys.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = await tx
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.tenantId, actor.tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning();
      if (!row) {
        const [exists] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.tenantId, actor.tenantId), eq(apiKeys.id, id)));
        if (!exists) throw notFound('API key');
        return; // already revoked: revoking is idempotent
      }
      await recordAudit(tx, actor, { action: 'api_key.revoked', targetType: 'api_key', targetId: id, details: { name: row.name } });
      await appendEvent(tx, actor.tenantId, 'api_key.revoked', { apiKeyId: id });
    });
  }

  /** Resolves a bearer key to its actor, or undefined when it is malformed, unknown or revoked. */
  async resolve(key: string, ip: string | null): Promise<Actor | undefined> {
    const match = KEY_PATTERN.exec(key);
    if (!match) return undefined;
    const [, prefix, secretPart] = match as unknown as [string, string, string];
    return this.database.withSystem(async (tx) => {
      const [row] = await tx.select().from(apiKeys).where(and(eq(apiKeys.prefix, prefix), isNull(apiKeys.revokedAt)));
      if (!row || !timingSafeEqual(row.secretHash, sha256(secretPart))) return undefined;
      if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
        await tx.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, row.id));
      }
      return {
        kind: 'api_key' as const,
        tenantId: row.tenantId,
        userId: null,
        email: null,
        apiKeyId: row.id,
        sessionId: null,
        permissions: new Set(row.scopes.filter(isPermission)),
        divisions: 'all' as const,
        ip,
      };
    });
  }
}
