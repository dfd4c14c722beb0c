// Login, sessions and password changes for people. Sessions are random tokens in an HTTP-only cookie;
// only their SHA-256 is stored, so a database leak does not hand out live sessions.
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { sessions, tenants, users } from '../db/schema.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../crypto/password.ts';
import { randomToken, sha256 } from '../crypto/tokens.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { AppError } from '../errors.ts';
import type { Actor } from './actor.ts';
import { isPermission } from './permissions.ts';
import { accountRule, addressRule, clearFailures, lockedFor, recordFailure } from './throttle.ts';

export interface LoginResult {
  token: string;
  csrfToken: string;
  userId: string;
  tenantId: string;
  expiresAt: Date;
}

export interface SessionActor extends Actor {
  csrfToken: string;
  tenantName: string;
}

const invalidCredentials = (): AppError => new AppError('AUTH_INVALID_CREDENTIALS', 'email or password is wrong');
const locked = (seconds: number): AppError =>
  new AppError('AUTH_LOCKED', `too many failed logins; try again in ${seconds} s`, { retryAfterSeconds: seconds });

export class AuthService {
  constructor(
    private readonly database: Database,
    private readonly sessionHours: number,
  ) {}

  async login(input: { email: string; password: string; ip: string | null; userAgent: string | null }): Promise<LoginResult> {
    const email = input.email.trim().toLowerCase();
    const accountKey = `account:${email}`;
    const addressKey = `address:${input.ip ?? 'unknown'}`;

    // Locked keys are refused before the password is looked at, so a locked account cannot be probed.
    const lockSeconds = await this.database.withSystem(async (tx) =>
      Math.max(await lockedFor(tx, accountKey), await lockedFor(tx, addressKey)),
    );
    if (lockSeconds > 0) throw locked(lockSeconds);

    const [user] = await this.database.withSystem((tx) =>
      tx
        .select({ id: users.id, tenantId: users.tenantId, email: users.email, passwordHash: users.passwordHash, status: users.status })
        .from(users)
        .where(sql`lower(${users.email}) = ${email}`),
    );
    // Unknown accounts cost the same scrypt work as known ones: the answer's timing does not tell them apart.
    const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok || user.status !== 'active') {
      const seconds = await this.database.withSystem(async (tx) => {
        const a = await recordFailure(tx, accountKey, accountRule);
        const b = await recordFailure(tx, addressKey, addressRule);
        if (user) {
          await recordAudit(tx, this.anonymousActor(user.tenantId, input.ip, user.email), {
            action: 'auth.login_failed',
            targetType: 'user',
            targetId: user.id,
            details: { reason: !ok ? 'bad_password' : 'disabled', lockedSeconds: Math.max(a, b) },
          });
        }
        return Math.max(a, b);
      });
      if (seconds > 0) throw locked(seconds);
      throw invalidCredentials();
    }

    const token = randomToken();
    const csrfToken = randomToken(24);
    const expiresAt = new Date(Date.now() + this.sessionHours * 3_600_000);
    await this.database.withSystem(async (tx) => {
      await clearFailures(tx, accountKey);
      await tx.insert(sessions).values({
        tenantId: user.tenantId,
        userId: user.id,
        tokenHash: sha256(token),
        csrfToken,
        ip: input.ip,
        userAgent: input.userAgent?.slice(0, 300) ?? null,
        expiresAt,
      });
      await recordAudit(tx, { ...this.anonymousActor(user.tenantId, input.ip, user.email), userId: user.id }, {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
      });
    });
    return { token, csrfToken, userId: user.id, tenantId: user.tenantId, expiresAt };
  }

  /** Resolves a session cookie to its actor, or undefined when the session is unknown, expired or revoked. */
  async resolveSession(token: string, ip: string | null): Promise<SessionActor | undefined> {
    // One round trip on the hot path of every request: session, user, tenant, permissions and divisions.
    const result = await this.database.withSystem((tx) =>
      tx.execute<{
        id: string;
        tenant_id: string;
        tenant_name: string;
        user_id: string;
        csrf_token: string;
        last_seen_at: Date;
        email: string;
        status: string;
        permissions: string[];
        division_ids: string[];
      }>(sql`
        SELECT s.id, s.tenant_id, t.name AS tenant_name, s.user_id, s.csrf_token, s.last_seen_at, u.email, u.status,
          coalesce((SELECT array_agg(DISTINCT p) FROM user_roles ur JOIN roles r ON r.id = ur.role_id, unnest(r.permissions) p
                    WHERE ur.user_id = s.user_id), '{}') AS permissions,
          coalesce((SELECT array_agg(ud.division_id) FROM user_divisions ud WHERE ud.user_id = s.user_id), '{}') AS division_ids
        FROM sessions s JOIN users u ON u.id = s.user_id JOIN tenants t ON t.id = s.tenant_id
        WHERE s.token_hash = ${sha256(token)} AND s.revoked_at IS NULL AND s.expires_at > now()`),
    );
    const row = result.rows[0];
    if (!row || row.status !== 'active') return undefined;
    const permissions = new Set(row.permissions.filter(isPermission));
    // Touch at most once a minute: a busy agent desktop must not write on every request.
    if (Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
      await this.database.withSystem((tx) => tx.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.id, row.id)));
    }
    return {
      kind: 'user' as const,
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      userId: row.user_id,
      email: row.email,
      apiKeyId: null,
      sessionId: row.id,
      permissions,
      divisions: permissions.has('divisions.manage') ? ('all' as const) : row.division_ids,
      ip,
      csrfToken: row.csrf_token,
    };
  }

  async logout(actor: Actor): Promise<void> {
    if (!actor.sessionId) return;
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await tx.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.tenantId, actor.tenantId), eq(sessions.id, actor.sessionId!)));
      await recordAudit(tx, actor, { action: 'auth.logout', targetType: 'user', targetId: actor.userId ?? undefined });
    });
  }

  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    if (!actor.userId) throw new AppError('FORBIDDEN', 'only people have passwords');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const [user] = await tx.select().from(users).where(and(eq(users.tenantId, actor.tenantId), eq(users.id, actor.userId!)));
      if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) {
        throw new AppError('VALIDATION_FAILED', 'the current password is wrong', { field: 'currentPassword' });
      }
      await tx
        .update(users)
        .set({ passwordHash: await hashPassword(newPassword), passwordChangedAt: new Date(), updatedAt: new Date() })
        .where(eq(users.id, user.id));
      // Every other session of this user ends; the one that changed the password stays.
      await tx
        .update(sessions)
        .set({ revokedAt: new Date() })
        .where(and(eq(sessions.tenantId, actor.tenantId), eq(sessions.userId, user.id), isNull(sessions.revokedAt), ne(sessions.id, actor.sessionId ?? '00000000-0000-0000-0000-000000000000')));
      await recordAudit(tx, actor, { action: 'auth.password_changed', targetType: 'user', targetId: user.id });
    });
  }

  async tenantName(tenantId: string): Promise<string> {
    const [row] = await this.database.withTenant(tenantId, (tx) => tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId)));
    return row?.name ?? '';
  }

  private anonymousActor(tenantId: string, ip: string | null, email: string): Actor {
    return { kind: 'user', tenantId, userId: null, email, apiKeyId: null, sessionId: null, permissions: new Set(), divisions: [], ip };
  }
}
