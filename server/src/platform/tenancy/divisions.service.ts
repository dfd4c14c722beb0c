// Divisions: partitions inside a tenant (an outsourcing client, a line of business). Later modules hang their
// queues, numbers, flows, KB spaces and reports on a division.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Division } from '@kefu/contracts';
import { canSeeDivision, requirePermission, type Actor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import { divisions } from '../db/schema.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { appendEvent } from '../events/outbox.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';

export type { Division };

const toDivision = (r: typeof divisions.$inferSelect): Division => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdAt: r.createdAt.toISOString(),
});

export class DivisionsService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor): Promise<Division[]> {
    const rows = await this.database.withTenant(actor.tenantId, (tx) =>
      tx
        .select()
        .from(divisions)
        .where(
          actor.divisions === 'all'
            ? eq(divisions.tenantId, actor.tenantId)
            : and(eq(divisions.tenantId, actor.tenantId), inArray(divisions.id, actor.divisions.length ? [...actor.divisions] : ['00000000-0000-0000-0000-000000000000'])),
        )
        .orderBy(asc(divisions.createdAt), asc(divisions.id)),
    );
    return rows.map(toDivision);
  }

  async get(actor: Actor, id: string): Promise<Division> {
    const [row] = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.select().from(divisions).where(and(eq(divisions.tenantId, actor.tenantId), eq(divisions.id, id))),
    );
    if (!row || !canSeeDivision(actor, row.id)) throw notFound('division');
    return toDivision(row);
  }

  async create(actor: Actor, input: { name: string; description?: string | undefined }): Promise<Division> {
    requirePermission(actor, 'divisions.manage');
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const [row] = await tx
          .insert(divisions)
          .values({ tenantId: actor.tenantId, name: input.name, description: input.description ?? '' })
          .returning();
        await recordAudit(tx, actor, { action: 'division.created', targetType: 'division', targetId: row!.id, details: { name: row!.name } });
        await appendEvent(tx, actor.tenantId, 'division.created', { divisionId: row!.id, name: row!.name });
        return toDivision(row!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`a division named ${input.name} exists`, 'name');
      throw err;
    }
  }

  async update(actor: Actor, id: string, patch: { name?: string | undefined; description?: string | undefined }): Promise<Division> {
    requirePermission(actor, 'divisions.manage');
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const [row] = await tx
          .update(divisions)
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            updatedAt: new Date(),
          })
          .where(and(eq(divisions.tenantId, actor.tenantId), eq(divisions.id, id)))
          .returning();
        if (!row) throw notFound('division');
        await recordAudit(tx, actor, { action: 'division.updated', targetType: 'division', targetId: id, details: { ...patch } });
        await appendEvent(tx, actor.tenantId, 'division.updated', { divisionId: id, name: row.name });
        return toDivision(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`a division named ${patch.name} exists`, 'name');
      throw err;
    }
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'divisions.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const all = await tx.select({ id: divisions.id }).from(divisions).where(eq(divisions.tenantId, actor.tenantId));
      if (!all.some((d) => d.id === id)) throw notFound('division');
      if (all.length === 1) throw new AppError('CONFLICT', 'the last division of a tenant cannot be deleted');
      await tx.delete(divisions).where(and(eq(divisions.tenantId, actor.tenantId), eq(divisions.id, id)));
      await recordAudit(tx, actor, { action: 'division.deleted', targetType: 'division', targetId: id });
      await appendEvent(tx, actor.tenantId, 'division.deleted', { divisionId: id });
    });
  }
}
