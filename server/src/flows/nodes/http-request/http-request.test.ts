// The HTTP node against a local test server: JSON → variables, tenant secrets in headers, retries on 5xx,
// failure on 4xx, and the timeout exit when the server answers too late.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { httpRequestConfig } from './http-request.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

let base = '';
const seen: { url: string; auth: string | undefined; body: string }[] = [];
let flaky = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    seen.push({ url: req.url!, auth: req.headers.authorization, body });
    if (req.url!.startsWith('/orders/')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ order: { status: 'shipped', items: [{ name: 'Router' }] } }));
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('{}'), 1500);
    if (req.url === '/flaky') return flaky++ < 1 ? res.writeHead(503).end() : res.writeHead(200).end('{"ok":true}');
    res.writeHead(404).end();
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const node = (config: Record<string, unknown>) => ({ id: 'h', type: 'http_request' as const, config, next: { success: 'ok', failure: 'fail', timeout: 'slow' } });
const say = { id: 'ok', type: 'say' as const, config: { prompt: { text: 'status {{status}} item {{item}} code {{code}}' } }, next: { next: 'bye' } };

describe('http request node', () => {
  test('the spec refuses a non-http URL and a timeout beyond 30 s', () => {
    expect(httpRequestConfig.safeParse({ url: 'file:///etc/passwd' }).success).toBe(false);
    expect(httpRequestConfig.safeParse({ url: 'http://x/', timeoutMs: 60_000 }).success).toBe(false);
  });

  test('maps the JSON answer into variables and sends the secret from the tenant, not from the flow', async () => {
    const r = await runOnCall(graph([
      node({ url: `${base}/orders/{{caller}}`, headers: { Authorization: 'Bearer {{secret.crm_token}}' }, assign: [{ variable: 'status', path: 'order.status' }, { variable: 'item', path: 'order.items.0.name' }], statusVariable: 'code' }),
      say, ...ends('bye', 'fail', 'slow'),
    ]), { services: { secret: async (_t, name) => (name === 'crm_token' ? 's3cret' : undefined) } });
    expect(r.exits).toEqual(['h:success', 'ok:next', 'bye:hangup']);
    expect(r.tts.texts).toContain('status shipped item Router code 200');
    expect(seen.at(-1)).toMatchObject({ url: '/orders/13800138000', auth: 'Bearer s3cret' });
  });

  test('takes the timeout exit when the server answers after the timeout', async () => {
    const r = await runOnCall(graph([node({ url: `${base}/slow`, timeoutMs: 300 }), say, ...ends('bye', 'fail', 'slow')]));
    expect(r.exits).toEqual(['h:timeout', 'slow:hangup']);
  });

  test('retries a server error and succeeds on the second attempt', async () => {
    const before = seen.length;
    const r = await runOnCall(graph([node({ url: `${base}/flaky`, method: 'POST', body: '{"from":"{{caller}}"}', retries: 2 }), say, ...ends('bye', 'fail', 'slow')]));
    expect(r.exits[0]).toBe('h:success');
    expect(seen.length - before).toBe(2);
    expect(seen.at(-1)!.body).toBe('{"from":"13800138000"}');
  });

  test('a 404 is a failure without retries', async () => {
    const before = seen.length;
    const r = await runOnCall(graph([node({ url: `${base}/nothing`, retries: 3 }), say, ...ends('bye', 'fail', 'slow')]));
    expect(r.exits).toEqual(['h:failure', 'fail:hangup']);
    expect(seen.length - before).toBe(1);
  });

  test('a secret the tenant lacks is an error: the error exit is followed', async () => {
    const r = await runOnCall(graph([
      { ...node({ url: `${base}/orders/1`, headers: { 'X-Key': '{{secret.missing}}' } }), next: { success: 'ok', error: 'sorry' } },
      say, ...ends('bye', 'sorry'),
    ]));
    expect(r.exits).toEqual(['h:error', 'sorry:hangup']);
  });
});
