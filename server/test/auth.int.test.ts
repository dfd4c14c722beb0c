import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtInRoles } from '../src/platform/auth/permissions.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
beforeAll(async () => {
  server = await startKefu();
});
afterAll(async () => server?.stop());

const login = (email = server.adminEmail, password = server.password) => TestClient.login(server.baseUrl, email, password);

describe('login', () => {
  test('a correct login sets an HTTP-only SameSite cookie and returns the user and a CSRF token', async () => {
    const client = new TestClient(server.baseUrl);
    const reply = await client.post('/api/v1/auth/login', { email: 'ADMIN@demo.kefu', password: server.password });
    expect(reply.status).toBe(200);
    expect(reply.body.user.email).toBe('admin@demo.kefu');
    expect(reply.body.user.roles).toEqual(['admin']);
    expect(reply.body.csrfToken).toMatch(/^[\w-]{20,}$/);
    const cookie = reply.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^kefu_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(JSON.stringify(reply.body)).not.toMatch(/password/i);
  });

  test('a wrong password and an unknown account get the same answer', async () => {
    const a = await new TestClient(server.baseUrl).post('/api/v1/auth/login', { email: 'agent3@demo.kefu', password: 'wrong-password' });
    const b = await new TestClient(server.baseUrl).post('/api/v1/auth/login', { email: 'nobody@demo.kefu', password: 'wrong-password' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.error.code).toBe('AUTH_INVALID_CREDENTIALS');
    expect({ ...a.body.error, requestId: '' }).toEqual({ ...b.body.error, requestId: '' });
  });

  test('/me answers with the tenant, permissions and divisions of the signed-in user', async () => {
    const client = await login('agent1@demo.kefu');
    const me = await client.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.tenant.name).toBe('Demo 演示');
    expect(me.body.permissions).toEqual([...builtInRoles.agent.permissions].sort());
    expect(me.body.permissions).toContain('agent.desktop');
    expect(me.body.permissions).not.toContain('users.manage');
    expect(me.body.divisions.map((d: { name: string }) => d.name)).toEqual(['Default']);
  });

  test('requests without a session or key get 401', async () => {
    const reply = await new TestClient(server.baseUrl).get('/api/v1/me');
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('AUTH_REQUIRED');
  });
});

describe('lockout', () => {
  test('five failures lock the account with backoff, and even the right password is refused while locked', async () => {
    const admin = await login();
    const email = 'lockme@demo.kefu';
    expect((await admin.post('/api/v1/users', { email, name: 'Lock Me', password: 'right-password-1', roles: ['agent'], divisionIds: [] })).status).toBe(201);
    const client = new TestClient(server.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await client.post('/api/v1/auth/login', { email, password: `wrong-${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const locked = await client.post('/api/v1/auth/login', { email, password: 'right-password-1' });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('AUTH_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(30);

    const audit = await admin.get('/api/v1/audit?action=auth.login_failed');
    expect(audit.body.items.filter((e: { actorEmail: string }) => e.actorEmail === email)).toHaveLength(5);
  });

  test('twenty failures from one address lock that address for every account', async () => {
    const client = new TestClient(server.baseUrl);
    const headers = { 'x-forwarded-for': '203.0.113.9' }; // not trusted: the lock is on the socket's address
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      statuses.push((await client.post('/api/v1/auth/login', { email: `spray${i}@demo.kefu`, password: 'guess-123' }, headers)).status);
    }
    // The earlier lockout test's failures came from this address too, so the lock may start a little earlier.
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const blocked = await client.post('/api/v1/auth/login', { email: 'agent1@demo.kefu', password: server.password });
    expect(blocked.status).toBe(429);
    // Unlock the loopback address for the tests that follow.
    await server.kefu.database.withSystem((tx) => tx.execute(sql`DELETE FROM auth_throttle WHERE key LIKE 'address:%'`));
  });

  test('the backoff doubles with every failure after the threshold', async () => {
    const { lockSeconds, accountRule } = await import('../src/platform/auth/throttle.ts');
    expect([4, 5, 6, 7, 20].map((n) => lockSeconds(n, accountRule))).toEqual([0, 30, 60, 120, 900]);
  });
});

describe('CSRF', () => {
  test('a cookie-authenticated write without the CSRF header is refused, with it it passes', async () => {
    const client = await login();
    const without = await client.post('/api/v1/divisions', { name: 'Bank A' }, { 'x-csrf-token': '' });
    expect(without.status).toBe(403);
    expect(without.body.error.code).toBe('CSRF_INVALID');
    const wrong = await client.post('/api/v1/divisions', { name: 'Bank A' }, { 'x-csrf-token': 'not-the-token' });
    expect(wrong.status).toBe(403);
    const right = await client.post('/api/v1/divisions', { name: 'Bank A' });
    expect(right.status).toBe(201);
  });
});

describe('logout and password change', () => {
  test('logout invalidates the session on the server, not only the cookie', async () => {
    const client = await login('supervisor@demo.kefu');
    const savedCookie = client.cookie;
    expect((await client.post('/api/v1/auth/logout')).status).toBe(204);
    client.cookie = savedCookie; // replay the old cookie
    const after = await client.get('/api/v1/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('AUTH_SESSION_EXPIRED');
  });

  test('changing the password ends the other sessions and the new password works', async () => {
    const admin = await login();
    const email = 'changer@demo.kefu';
    await admin.post('/api/v1/users', { email, name: '改密码', password: 'first-password-1', roles: ['agent'], divisionIds: [] });
    const first = await login(email, 'first-password-1');
    const second = await login(email, 'first-password-1');
    const wrong = await first.post('/api/v1/me/password', { currentPassword: 'nope', newPassword: 'second-password-2' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('currentPassword');
    expect((await first.post('/api/v1/me/password', { currentPassword: 'first-password-1', newPassword: 'second-password-2' })).status).toBe(204);
    expect((await first.get('/api/v1/me')).status).toBe(200);
    expect((await second.get('/api/v1/me')).status).toBe(401);
    await expect(login(email, 'first-password-1')).rejects.toThrow(/401/);
    expect((await login(email, 'second-password-2')).csrfToken).toBeTruthy();
  });
});

describe('API keys', () => {
  test('a key is shown once, works as a Bearer token within its scopes, and stops working when revoked', async () => {
    const admin = await login();
    const created = await admin.post('/api/v1/api-keys', { name: 'CRM sync', scopes: ['users.read'] });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^kefu_/);
    const listed = await admin.get('/api/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(secret.split('_').at(-1));

    const system = TestClient.withApiKey(server.baseUrl, secret);
    expect((await system.get('/api/v1/users')).status).toBe(200);
    // No CSRF is needed for a key, but the scope is: creating users is not in it.
    const denied = await system.post('/api/v1/users', { email: 'k@demo.kefu', name: 'K', password: 'key-password-1', roles: [], divisionIds: [] });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    // People-only routes refuse keys.
    expect((await system.post('/api/v1/me/password', { currentPassword: 'x', newPassword: 'yyyyyyyyyyyy' })).status).toBe(403);

    expect((await admin.delete(`/api/v1/api-keys/${created.body.apiKey.id}`)).status).toBe(204);
    expect((await system.get('/api/v1/users')).status).toBe(401);
    expect((await TestClient.withApiKey(server.baseUrl, 'kefu_garbage').get('/api/v1/users')).status).toBe(401);
  });

  test('a user cannot create a key with scopes beyond their own permissions', async () => {
    const admin = await login();
    await admin.post('/api/v1/roles', { key: 'key_maker', name: 'Key maker', permissions: ['apikeys.manage', 'users.read'] });
    await admin.post('/api/v1/users', { email: 'keymaker@demo.kefu', name: 'Key Maker', password: 'keymaker-pass-1', roles: ['key_maker'], divisionIds: [] });
    const maker = await login('keymaker@demo.kefu', 'keymaker-pass-1');
    const reply = await maker.post('/api/v1/api-keys', { name: 'too much', scopes: ['users.manage'] });
    expect(reply.status).toBe(400);
    expect(reply.body.error.field).toBe('scopes');
  });
});

describe('own profile', () => {
  test('a person changes their own language and name without admin rights', async () => {
    const agent = await login('agent3@demo.kefu');
    const reply = await agent.patch('/api/v1/me', { locale: 'en', name: '坐席三 Agent Three' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ locale: 'en', name: '坐席三 Agent Three' });
    expect((await agent.patch('/api/v1/me', { roles: ['admin'] })).body.error.field).toBe('roles');
    expect((await agent.get('/api/v1/me')).body.user.locale).toBe('en');
  });
});

describe('permissions', () => {
  test('an agent cannot reach admin routes', async () => {
    const agent = await login('agent2@demo.kefu');
    const reply = await agent.get('/api/v1/users');
    expect(reply.status).toBe(403);
    expect((await agent.get('/api/v1/audit')).status).toBe(403);
  });
});
