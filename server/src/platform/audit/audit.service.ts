// The audit log of security-relevant actions. Entries are written inside the transaction of the action they
// describe, so an action that rolls back leaves no entry; the application role cannot change or delete them.
import { and, desc, eq, gte, lt, lte, or, type SQL } from 'drizzle-orm';
import type { AuditEntry } from '@kefu/contracts';
import type { Actor } from '../auth/actor.ts';
import type { Database, Tx } from '../db/database.ts';
import { auditLog } from '../db/schema.ts';
import { decodeCursor, encodeCursor } from '../http/pagination.ts';

export interface AuditEntryInput {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export type { AuditEntry };

export interface AuditQuery {
  action?: string | undefined;
  actorId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function recordAudit(tx: Tx, actor: Actor, entry: AuditEntryInput): Promise<void> {
  await tx.insert(auditLog).values({
    tenantId: actor.tenantId,
    actorId: actor.userId,
    actorEmail: actor.email ?? (actor.apiKeyId ? `api-key:${actor.apiKeyId}` : actor.kind === 'system' ? 'system' : null),
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: actor.ip,
    details: entry.details ?? {},
  });
}

export class AuditService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor, query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const conditions: SQL[] = [eq(auditLog.tenantId, actor.tenantId)];
    if (query.action) conditions.push(eq(auditLog.action, query.action));
    if (query.actorId) conditions.push(eq(auditLog.actorId, query.actorId));
    if (query.from) conditions.push(gte(auditLog.at, query.from));
    if (query.to) conditions.push(lte(auditLog.at, query.to));
    const cursor = decodeCursor(query.cursor);
    if (cursor?.at && cursor.id) {
      const at = new Date(cursor.at);
      const id = Number(cursor.id);
      conditions.push(or(lt(auditLog.at, at), and(eq(auditLog.at, at), lt(auditLog.id, id)))!);
    }
    const rows = await this.database.withTenant(actor.tenantId, (tx) =>
      tx
        .select()
        .from(auditLog)
        .where(and(...conditions))
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(query.limit + 1),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        id: String(r.id),
        at: r.at.toISOString(),
        actorId: r.actorId,
        actorEmail: r.actorEmail,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        ip: r.ip,
        details: r.details,
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last.at.toISOString(), id: String(last.id) }) : null,
    };
  }
}
