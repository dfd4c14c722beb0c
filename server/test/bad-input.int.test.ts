// Bad input gets a clear 4xx naming the field, and never a stack trace or SQL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
let admin: TestClient;
beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
});
afterAll(async () => server?.stop());

const noInternals = (body: unknown) => {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\bat \w+ \(|node_modules|SELECT |INSERT |stack/i);
};

describe('bad input', () => {
  test('malformed JSON is a 400 INVALID_JSON', async () => {
    const reply = await admin.request('POST', '/api/v1/divisions', '{"name": "oops"');
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'INVALID_JSON', field: 'body' });
    expect(reply.body.error.requestId).toBe(reply.headers.get('x-request-id'));
  });

  test('an unknown field is a 400 naming it', async () => {
    const reply = await admin.post('/api/v1/divisions', { name: 'X', colour: 'red' });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'colour' });
  });

  test('a wrongly typed field is a 400 naming it', async () => {
    const reply = await admin.post('/api/v1/users', { email: 'typed@demo.kefu', name: 'T', password: 'typed-pass-1', roles: 'admin', divisionIds: [] });
    expect(reply.status).toBe(400);
    expect(reply.body.error.field).toBe('roles');
    const email = await admin.post('/api/v1/users', { email: 'not-an-email', name: 'T', password: 'typed-pass-1', roles: [], divisionIds: [] });
    expect(email.body.error.field).toBe('email');
    expect(email.body.error.message).toMatch(/email/);
    const short = await admin.post('/api/v1/users', { email: 'short@demo.kefu', name: 'T', password: 'short', roles: [], divisionIds: [] });
    expect(short.body.error).toMatchObject({ field: 'password' });
    expect(short.body.error.message).toMatch(/10 characters/);
  });

  test('a missing required field is a 400 naming it', async () => {
    const reply = await admin.post('/api/v1/divisions', {});
    expect(reply.status).toBe(400);
    expect(reply.body.error.field).toBe('name');
  });

  test('a bad id is a 400 naming the parameter', async () => {
    const reply = await admin.get('/api/v1/users/12345');
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'id' });
  });

  test('a well-formed id that does not exist is a 404', async () => {
    const reply = await admin.get('/api/v1/users/00000000-0000-4000-8000-000000000000');
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('NOT_FOUND');
  });

  test('a body over the limit is a 413', async () => {
    const reply = await admin.post('/api/v1/divisions', { name: 'big', description: 'x'.repeat(1_100_000) });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('a query parameter out of range is a 400 naming it', async () => {
    const reply = await admin.get('/api/v1/users?limit=100000');
    expect(reply.status).toBe(400);
    expect(reply.body.error.field).toBe('limit');
    const cursor = await admin.get('/api/v1/users?cursor=@@@');
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.field).toBe('cursor');
  });

  test('a missing web asset is a 404, never the app page', async () => {
    const reply = await fetch(`${server.baseUrl}/assets/no-such-chunk-123.js`);
    expect(reply.status).toBe(404);
    expect(reply.headers.get('content-type')).not.toMatch(/html/);
  });

  test('unknown routes are 404 with the envelope', async () => {
    const reply = await admin.get('/api/v1/no-such-thing');
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('NOT_FOUND');
  });

  test('a duplicate is a 409 naming the field, and the first object is intact', async () => {
    const first = await admin.post('/api/v1/users', { email: 'dup@demo.kefu', name: 'First', password: 'dup-pass-123', roles: [], divisionIds: [] });
    expect(first.status).toBe(201);
    const second = await admin.post('/api/v1/users', { email: 'DUP@demo.kefu', name: 'Second', password: 'dup-pass-123', roles: [], divisionIds: [] });
    expect(second.status).toBe(409);
    expect(second.body.error.field).toBe('email');
    expect((await admin.get(`/api/v1/users/${first.body.id}`)).body.name).toBe('First');
  });

  test('unknown roles, divisions and permissions are 400 naming the field', async () => {
    const role = await admin.post('/api/v1/users', { email: 'r@demo.kefu', name: 'R', password: 'role-pass-12', roles: ['wizard'], divisionIds: [] });
    expect(role.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'roles' });
    const division = await admin.post('/api/v1/users', {
      email: 'd@demo.kefu',
      name: 'D',
      password: 'div-pass-123',
      roles: [],
      divisionIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(division.body.error.field).toBe('divisionIds');
    const perm = await admin.post('/api/v1/roles', { key: 'bad_perm', name: 'Bad', permissions: ['launch.missiles'] });
    expect(perm.body.error.field).toBe('permissions');
    const hook = await admin.post('/api/v1/webhooks', { url: 'ftp://127.0.0.1/x', events: ['user.created'] });
    expect(hook.body.error.field).toBe('url');
    const events = await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['user.exploded'] });
    expect(events.body.error.field).toBe('events');
  });

  test('no error answer carries internals', async () => {
    for (const reply of [
      await admin.request('POST', '/api/v1/divisions', '{'),
      await admin.get('/api/v1/users/nope'),
      await admin.post('/api/v1/roles', { key: 'X Y', name: '', permissions: 'all' }),
    ]) {
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      noInternals(reply.body);
    }
  });

  test('the OpenAPI document lists the routes with their schemas', async () => {
    const reply = await new TestClient(server.baseUrl).get('/api/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe('3.1.0');
    expect(Object.keys(reply.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users', '/api/v1/users/{id}']));
    const login = reply.body.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema;
    expect(login.required).toEqual(['email', 'password']);
    const user = reply.body.paths['/api/v1/users/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(user.properties)).toEqual(expect.arrayContaining(['id', 'email', 'roles', 'divisionIds']));
    expect(Object.keys(user.properties)).not.toContain('passwordHash');
    const docs = await fetch(`${server.baseUrl}/api/docs/`);
    expect(docs.status).toBe(200);
  });

  test('health and metrics answer', async () => {
    const health = await new TestClient(server.baseUrl).get('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', database: 'ok' });
    const metrics = await fetch(`${server.baseUrl}/metrics`);
    const text = await metrics.text();
    expect(text).toContain('kefu_http_request_duration_seconds');
    expect(text).toContain('kefu_process_resident_memory_bytes');
  });
});
