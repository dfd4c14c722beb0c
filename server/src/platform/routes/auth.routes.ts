import { z } from 'zod';
import { loginResponseSchema, meSchema, userSchema } from '@kefu/contracts';
import type { AuthService, SessionActor } from '../auth/auth.service.ts';
import type { UsersService } from '../tenancy/users.service.ts';
import type { DivisionsService } from '../tenancy/divisions.service.ts';
import { actorOf } from '../http/access.ts';
import { systemActor } from '../auth/actor.ts';
import { SESSION_COOKIE, type App } from '../http/server.ts';
import { displayName, email, locale, password } from '../http/schemas.ts';

export interface AuthRoutesDeps {
  auth: AuthService;
  users: UsersService;
  divisions: DivisionsService;
  cookieSecure: boolean;
}

export function authRoutes(app: App, deps: AuthRoutesDeps): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the session cookie and returns the CSRF token',
        body: z.strictObject({ email, password: z.string().min(1).max(200) }),
        response: { 200: loginResponseSchema },
      },
    },
    async (request, reply) => {
      const result = await deps.auth.login({
        email: request.body.email,
        password: request.body.password,
        ip: request.ip ?? null,
        userAgent: request.headers['user-agent'] ?? null,
      });
      reply.setCookie(SESSION_COOKIE, result.token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.cookieSecure,
        path: '/',
        expires: result.expiresAt,
      });
      const user = await deps.users.get(systemActor(result.tenantId), result.userId);
      return { user, csrfToken: result.csrfToken };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { access: { permission: 'authenticated', peopleOnly: true } }, schema: { tags: ['auth'], summary: 'Sign out; ends the session' } },
    async (request, reply) => {
      await deps.auth.logout(actorOf(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/me',
    { config: { access: { permission: 'authenticated' } }, schema: { tags: ['auth'], summary: 'The signed-in user, tenant, permissions and divisions', response: { 200: meSchema } } },
    async (request) => {
      const actor = actorOf(request);
      const [divisions, user, tenantName] = await Promise.all([
        deps.divisions.list(actor),
        actor.userId ? deps.users.get(actor, actor.userId) : null,
        'tenantName' in actor ? (actor as SessionActor).tenantName : deps.auth.tenantName(actor.tenantId),
      ]);
      return {
        user,
        apiKeyId: actor.apiKeyId,
        tenant: { id: actor.tenantId, name: tenantName },
        permissions: [...actor.permissions].sort(),
        divisions: divisions.map((d) => ({ id: d.id, name: d.name })),
        csrfToken: request.sessionCsrfToken,
      };
    },
  );

  app.patch(
    '/api/v1/me',
    {
      config: { access: { permission: 'authenticated', peopleOnly: true } },
      schema: {
        tags: ['auth'],
        summary: 'Change your own name or language',
        body: z.strictObject({ name: displayName.optional(), locale: locale.optional() }),
        response: { 200: userSchema },
      },
    },
    async (request) => deps.users.updateSelf(actorOf(request), request.body),
  );

  app.post(
    '/api/v1/me/password',
    {
      config: { access: { permission: 'authenticated', peopleOnly: true } },
      schema: { tags: ['auth'], summary: 'Change your password; your other sessions end', body: z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: password }) },
    },
    async (request, reply) => {
      await deps.auth.changePassword(actorOf(request), request.body.currentPassword, request.body.newPassword);
      return reply.status(204).send();
    },
  );
}
