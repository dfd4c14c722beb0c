// Roles: the built-in ones (read-only) and custom roles made from permission sets.
import { and, asc, eq } from 'drizzle-orm';
import type { Role } from '@kefu/contracts';
import { requirePermission, type Actor } from '../auth/actor.ts';
import { isPermission, type Permission } from '../auth/permissions.ts';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { roles } from '../db/schema.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { appendEvent } from '../events/outbox.ts';
import { AppError, conflict, invalid, notFound } from '../errors.ts';

export type { Role };

const toRole = (r: typeof roles.$inferSelect): Role => ({
  id: r.id,
  key: r.key,
  name: r.name,
  permissions: r.permissions.filter(isPermission),
  builtIn: r.builtIn,
});

function checkPermissions(list: string[]): Permission[] {
  const unknown = list.filter((p) => !isPermission(p));
  if (unknown.length) throw invalid('permissions', `unknown permission: ${unknown.join(', ')}`);
  return [...new Set(list)] as Permission[];
}

export class RolesService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor): Promise<Role[]> {
    const rows = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.select().from(roles).where(eq(roles.tenantId, actor.tenantId)).orderBy(asc(roles.builtIn), asc(roles.createdAt)),
    );
    return rows.map(toRole).sort((a, b) => Number(b.builtIn) - Number(a.builtIn));
  }

  async get(actor: Actor, id: string): Promise<Role> {
    const [row] = await this.database.withTenant(actor.tenantId, (tx) =>
      tx.select().from(roles).where(and(eq(roles.tenantId, actor.tenantId), eq(roles.id, id))),
    );
    if (!row) throw notFound('role');
    return toRole(row);
  }

  async create(actor: Actor, input: { key: string; name: string; permissions: string[] }): Promise<Role> {
    requirePermission(actor, 'roles.manage');
    const perms = checkPermissions(input.permissions);
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const [row] = await tx
          .insert(roles)
          .values({ tenantId: actor.tenantId, key: input.key, name: input.name, permissions: perms, builtIn: false })
          .returning();
        await recordAudit(tx, actor, { action: 'role.created', targetType: 'role', targetId: row!.id, details: { key: input.key, permissions: perms } });
        await appendEvent(tx, actor.tenantId, 'role.created', { roleId: row!.id, key: input.key });
        return toRole(row!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`a role with the key ${input.key} exists`, 'key');
      throw err;
    }
  }

  async update(actor: Actor, id: string, patch: { name?: string | undefined; permissions?: string[] | undefined }): Promise<Role> {
    requirePermission(actor, 'roles.manage');
    const perms = patch.permissions ? checkPermissions(patch.permissions) : undefined;
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [current] = await tx.select().from(roles).where(and(eq(roles.tenantId, actor.tenantId), eq(roles.id, id)));
      if (!current) throw notFound('role');
      if (current.builtIn) throw new AppError('CONFLICT', 'built-in roles cannot be changed; create a custom role instead');
      const [row] = await tx
        .update(roles)
        .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(perms ? { permissions: perms } : {}) })
        .where(and(eq(roles.tenantId, actor.tenantId), eq(roles.id, id)))
        .returning();
      await recordAudit(tx, actor, { action: 'role.updated', targetType: 'role', targetId: id, details: { ...patch } });
      await appendEvent(tx, actor.tenantId, 'role.updated', { roleId: id, key: current.key });
      return toRole(row!);
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'roles.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const [current] = await tx.select().from(roles).where(and(eq(roles.tenantId, actor.tenantId), eq(roles.id, id)));
      if (!current) throw notFound('role');
      if (current.builtIn) throw new AppError('CONFLICT', 'built-in roles cannot be deleted');
      await tx.delete(roles).where(and(eq(roles.tenantId, actor.tenantId), eq(roles.id, id)));
      await recordAudit(tx, actor, { action: 'role.deleted', targetType: 'role', targetId: id, details: { key: current.key } });
      await appendEvent(tx, actor.tenantId, 'role.deleted', { roleId: id, key: current.key });
    });
  }
}
