// Users of a tenant: people who log in, with roles and granted divisions.
import { and, asc, eq, gt, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { User } from '@kefu/contracts';
import { requirePermission, type Actor } from '../auth/actor.ts';
import { isPermission, type Permission } from '../auth/permissions.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { hashPassword } from '../crypto/password.ts';
import type { Database, Tx } from '../db/database.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { divisions, roles, sessions, userDivisions, userRoles, users } from '../db/schema.ts';
import { appendEvent } from '../events/outbox.ts';
import { AppError, conflict, invalid, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../http/pagination.ts';


export type { User };

export interface NewUser {
  email: string;
  name: string;
  password: string;
  roles: string[];
  divisionIds: string[];
  locale?: string | undefined;
}

export interface UserPatch {
  name?: string | undefined;
  roles?: string[] | undefined;
  divisionIds?: string[] | undefined;
  status?: 'active' | 'disabled' | undefined;
  password?: string | undefined;
  locale?: string | undefined;
}

export interface UserAccess {
  roleKeys: string[];
  permissions: Set<Permission>;
  divisionIds: string[];
  /** Whether the user sees every division (admins and division managers) or only the granted ones. */
  allDivisions: boolean;
}

export async function loadUserAccess(tx: Tx, tenantId: string, userId: string): Promise<UserAccess> {
  const roleRows = await tx
    .select({ key: roles.key, permissions: roles.permissions })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(and(eq(userRoles.tenantId, tenantId), eq(userRoles.userId, userId)));
  const divisionRows = await tx
    .select({ id: userDivisions.divisionId })
    .from(userDivisions)
    .where(and(eq(userDivisions.tenantId, tenantId), eq(userDivisions.userId, userId)));
  const permissions = new Set<Permission>(roleRows.flatMap((r) => r.permissions.filter(isPermission)));
  return {
    roleKeys: roleRows.map((r) => r.key).sort(),
    permissions,
    divisionIds: divisionRows.map((r) => r.id),
    allDivisions: permissions.has('divisions.manage'),
  };
}

async function toUsers(tx: Tx, tenantId: string, rows: (typeof users.$inferSelect)[]): Promise<User[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const roleRows = await tx
    .select({ userId: userRoles.userId, key: roles.key })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(and(eq(userRoles.tenantId, tenantId), inArray(userRoles.userId, ids)));
  const divisionRows = await tx
    .select({ userId: userDivisions.userId, divisionId: userDivisions.divisionId })
    .from(userDivisions)
    .where(and(eq(userDivisions.tenantId, tenantId), inArray(userDivisions.userId, ids)));
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    locale: r.locale,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    roles: roleRows.filter((x) => x.userId === r.id).map((x) => x.key).sort(),
    divisionIds: divisionRows.filter((x) => x.userId === r.id).map((x) => x.divisionId),
  }));
}

async function resolveRoleIds(tx: Tx, tenantId: string, keys: string[]): Promise<string[]> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const rows = await tx.select({ id: roles.id, key: roles.key }).from(roles).where(and(eq(roles.tenantId, tenantId), inArray(roles.key, unique)));
  const missing = unique.filter((k) => !rows.some((r) => r.key === k));
  if (missing.length) throw invalid('roles', `unknown role: ${missing.join(', ')}`);
  return rows.map((r) => r.id);
}

async function checkDivisions(tx: Tx, tenantId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await tx.select({ id: divisions.id }).from(divisions).where(and(eq(divisions.tenantId, tenantId), inArray(divisions.id, unique)));
  const missing = unique.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw invalid('divisionIds', `unknown division: ${missing.join(', ')}`);
  return unique;
}

export class UsersService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor, query: { q?: string | undefined; limit: number; cursor?: string | undefined }): Promise<{ items: User[]; nextCursor: string | null }> {
    requirePermission(actor, 'users.read');
    const conditions: SQL[] = [eq(users.tenantId, actor.tenantId)];
    if (query.q) {
      const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(or(ilike(users.email, pattern), ilike(users.name, pattern))!);
    }
    const cursor = decodeCursor(query.cursor);
    if (cursor?.at && cursor.id) {
      conditions.push(sql`(${users.createdAt}, ${users.id}) > (${new Date(cursor.at)}, ${cursor.id})`);
    }
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const rows = await tx
        .select()
        .from(users)
        .where(and(...conditions))
        .orderBy(asc(users.createdAt), asc(users.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: await toUsers(tx, actor.tenantId, page),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null,
      };
    });
  }

  async get(actor: Actor, id: string): Promise<User> {
    if (actor.userId !== id) requirePermission(actor, 'users.read');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const rows = await tx.select().from(users).where(and(eq(users.tenantId, actor.tenantId), eq(users.id, id)));
      const [user] = await toUsers(tx, actor.tenantId, rows);
      if (!user) throw notFound('user');
      return user;
    });
  }

  /** Creates a user inside an existing transaction (used by the API, the CLI and the demo seed). */
  static async insert(tx: Tx, actor: Actor, input: NewUser): Promise<User> {
    const roleIds = await resolveRoleIds(tx, actor.tenantId, input.roles);
    const divisionIds = await checkDivisions(tx, actor.tenantId, input.divisionIds);
    const passwordHash = await hashPassword(input.password);
    let row: typeof users.$inferSelect | undefined;
    try {
      [row] = await tx
        .insert(users)
        .values({ tenantId: actor.tenantId, email: input.email.trim(), name: input.name, passwordHash, locale: input.locale ?? 'zh-CN' })
        .returning();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('a user with this email exists', 'email');
      throw err;
    }
    const userId = row!.id;
    if (roleIds.length) await tx.insert(userRoles).values(roleIds.map((roleId) => ({ tenantId: actor.tenantId, userId, roleId })));
    if (divisionIds.length) await tx.insert(userDivisions).values(divisionIds.map((divisionId) => ({ tenantId: actor.tenantId, userId, divisionId })));
    const [user] = await toUsers(tx, actor.tenantId, [row!]);
    await recordAudit(tx, actor, { action: 'user.created', targetType: 'user', targetId: userId, details: { email: user!.email, roles: user!.roles } });
    await appendEvent(tx, actor.tenantId, 'user.created', { userId, email: user!.email, name: user!.name, roles: user!.roles });
    return user!;
  }

  async create(actor: Actor, input: NewUser): Promise<User> {
    requirePermission(actor, 'users.manage');
    // The savepoint lets a unique violation surface as a 409 without aborting the outer transaction.
    return this.database.withTenant(actor.tenantId, (tx) => tx.transaction((inner) => UsersService.insert(inner, actor, input)));
  }

  async update(actor: Actor, id: string, patch: UserPatch): Promise<User> {
    requirePermission(actor, 'users.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [current] = await tx.select().from(users).where(and(eq(users.tenantId, actor.tenantId), eq(users.id, id)));
      if (!current) throw notFound('user');
      if (id === actor.userId && (patch.status === 'disabled' || (patch.roles && !patch.roles.includes('admin') && (await this.isAdmin(tx, actor))))) {
        throw invalid(patch.status ? 'status' : 'roles', 'you cannot disable yourself or remove your own admin role');
      }
      const changes: string[] = [];
      const set: Partial<typeof users.$inferInsert> = { updatedAt: new Date() };
      if (patch.name !== undefined) (set.name = patch.name), changes.push('name');
      if (patch.locale !== undefined) (set.locale = patch.locale), changes.push('locale');
      if (patch.status !== undefined) (set.status = patch.status), changes.push('status');
      if (patch.password !== undefined) {
        set.passwordHash = await hashPassword(patch.password);
        set.passwordChangedAt = new Date();
        changes.push('password');
      }
      await tx.update(users).set(set).where(and(eq(users.tenantId, actor.tenantId), eq(users.id, id)));
      if (patch.roles !== undefined) {
        const roleIds = await resolveRoleIds(tx, actor.tenantId, patch.roles);
        await tx.delete(userRoles).where(and(eq(userRoles.tenantId, actor.tenantId), eq(userRoles.userId, id)));
        if (roleIds.length) await tx.insert(userRoles).values(roleIds.map((roleId) => ({ tenantId: actor.tenantId, userId: id, roleId })));
        changes.push('roles');
      }
      if (patch.divisionIds !== undefined) {
        const divisionIds = await checkDivisions(tx, actor.tenantId, patch.divisionIds);
        await tx.delete(userDivisions).where(and(eq(userDivisions.tenantId, actor.tenantId), eq(userDivisions.userId, id)));
        if (divisionIds.length) await tx.insert(userDivisions).values(divisionIds.map((divisionId) => ({ tenantId: actor.tenantId, userId: id, divisionId })));
        changes.push('divisionIds');
      }
      // A disabled user or a reset password ends every session of that user.
      if (patch.status === 'disabled' || patch.password !== undefined) {
        await tx
          .update(sessions)
          .set({ revokedAt: new Date() })
          .where(and(eq(sessions.tenantId, actor.tenantId), eq(sessions.userId, id), gt(sessions.expiresAt, new Date())));
      }
      const [updated] = await toUsers(tx, actor.tenantId, (await tx.select().from(users).where(eq(users.id, id))));
      await recordAudit(tx, actor, { action: 'user.updated', targetType: 'user', targetId: id, details: { email: current.email, changes } });
      await appendEvent(tx, actor.tenantId, 'user.updated', { userId: id, changes });
      return updated!;
    });
  }

  /** A person's own name and language; no permission needed beyond being signed in. */
  async updateSelf(actor: Actor, patch: { name?: string | undefined; locale?: string | undefined }): Promise<User> {
    if (!actor.userId) throw new AppError('FORBIDDEN', 'only people have a profile');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const changes = Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined);
      await tx
        .update(users)
        .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.locale !== undefined ? { locale: patch.locale } : {}), updatedAt: new Date() })
        .where(and(eq(users.tenantId, actor.tenantId), eq(users.id, actor.userId!)));
      const [updated] = await toUsers(tx, actor.tenantId, await tx.select().from(users).where(eq(users.id, actor.userId!)));
      if (!updated) throw notFound('user');
      await appendEvent(tx, actor.tenantId, 'user.updated', { userId: updated.id, changes });
      return updated;
    });
  }

  private async isAdmin(tx: Tx, actor: Actor): Promise<boolean> {
    if (!actor.userId) return false;
    const access = await loadUserAccess(tx, actor.tenantId, actor.userId);
    return access.roleKeys.includes('admin');
  }
}
