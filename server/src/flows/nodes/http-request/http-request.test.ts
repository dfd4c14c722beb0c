// The HTTP node against a local test server: JSON → variables, tenant secrets in headers, retries on 5xx,
// failure on 4xx, and the timeout exit when the server answers too late. The server is on 127.0.0.1, which the
// SSRF guard refuses unless the tenant's allow-list names it: these tests set the allow-list (`lan`), and the
// guard's own tests show what happens without it (names resolve through a test resolver, never real DNS).
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
    if (req.url === '/to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/to-loopback') return res.writeHead(302, { location: `${base}/orders/redirected` }).end();
    if (req.url === '/flaky') return flaky++ < 1 ? res.writeHead(503).end() : res.writeHead(200).end('{"ok":true}');
    res.writeHead(404).end();
  });
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

/** The allow-list of a tenant whose CRM is on its LAN (here: the test server's address). */
const lan = { httpAllowList: async () => ['127.0.0.1/32'] };
/** A resolver that answers every name with 127.0.0.1 (the test never asks real DNS). */
const toLoopback = { resolveHost: async () => [{ address: '127.0.0.1', family: 4 as const }] };
const port = () => new URL(base).port;

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
    ]), { services: { ...lan, secret: async (_t, name) => (name === 'crm_token' ? 's3cret' : undefined) } });
    expect(r.exits).toEqual(['h:success', 'ok:next', 'bye:hangup']);
    expect(r.tts.texts).toContain('status shipped item Router code 200');
    expect(seen.at(-1)).toMatchObject({ url: '/orders/13800138000', auth: 'Bearer s3cret' });
  });

  test('takes the timeout exit when the server answers after the timeout', async () => {
    const r = await runOnCall(graph([node({ url: `${base}/slow`, timeoutMs: 300 }), say, ...ends('bye', 'fail', 'slow')]), { services: lan });
    expect(r.exits).toEqual(['h:timeout', 'slow:hangup']);
  });

  test('retries a server error and succeeds on the second attempt', async () => {
    const before = seen.length;
    const r = await runOnCall(graph([node({ url: `${base}/flaky`, method: 'POST', body: '{"from":"{{caller}}"}', retries: 2 }), say, ...ends('bye', 'fail', 'slow')]), { services: lan });
    expect(r.exits[0]).toBe('h:success');
    expect(seen.length - before).toBe(2);
    expect(seen.at(-1)!.body).toBe('{"from":"13800138000"}');
  });

  test('a 404 is a failure without retries', async () => {
    const before = seen.length;
    const r = await runOnCall(graph([node({ url: `${base}/nothing`, retries: 3 }), say, ...ends('bye', 'fail', 'slow')]), { services: lan });
    expect(r.exits).toEqual(['h:failure', 'fail:hangup']);
    expect(seen.length - before).toBe(1);
  });

  test('a secret the tenant lacks is an error: the error exit is followed', async () => {
    const r = await runOnCall(graph([
      { ...node({ url: `${base}/orders/1`, headers: { 'X-Key': '{{secret.missing}}' } }), next: { success: 'ok', error: 'sorry' } },
      say, ...ends('bye', 'sorry'),
    ]), { services: lan });
    expect(r.exits).toEqual(['h:error', 'sorry:hangup']);
  });
});

describe('http request node: internal addresses (SSRF guard)', () => {
  const guarded = (url: string) => graph([{ ...node({ url, headers: { Authorization: 'Bearer {{secret.crm_token}}' } }), next: { success: 'ok', failure: 'fail', error: 'sorry' } }, say, ...ends('bye', 'fail', 'sorry')]);
  const secret = async (_t: string, name: string) => (name === 'crm_token' ? 's3cret' : undefined);
  /** The reason the path log keeps for the node's error exit. */
  const reason = (r: Awaited<ReturnType<typeof runOnCall>>) => r.path.find((e) => e.nodeId === 'h' && e.event === 'leave')?.input;

  test('a loopback address is refused without the allow-list: error exit, reason in the path log, nothing sent', async () => {
    const before = seen.length;
    const r = await runOnCall(guarded(`${base}/orders/1`), { services: { secret } });
    expect(r.exits).toEqual(['h:error', 'sorry:hangup']);
    expect(reason(r)).toMatch(/^refused: 127\.0\.0\.1 \(loopback\), not a public address and not in the tenant's HTTP allow-list$/);
    expect(seen.length).toBe(before);
  });

  test('the same address is reached once the allow-list names its network', async () => {
    const r = await runOnCall(guarded(`${base}/orders/1`), { services: { ...lan, secret } });
    expect(r.exits).toEqual(['h:success', 'ok:next', 'bye:hangup']);
  });

  test('a host name that resolves to 127.0.0.1 is refused; the connection goes to the checked address when allowed', async () => {
    const refused = await runOnCall(guarded(`http://crm.kefu-test:${port()}/orders/2`), { services: { ...toLoopback, secret } });
    expect(refused.exits).toEqual(['h:error', 'sorry:hangup']);
    expect(reason(refused)).toContain('refused: crm.kefu-test resolves to 127.0.0.1 (loopback)');
    // Allowed by name: crm.kefu-test exists in no DNS, so reaching the server proves the socket used the address
    // the guard checked (the pinned lookup), not a second resolution.
    const before = seen.length;
    const allowed = await runOnCall(guarded(`http://crm.kefu-test:${port()}/orders/3`), { services: { ...toLoopback, secret, httpAllowList: async () => ['crm.kefu-test'] } });
    expect(allowed.exits[0]).toBe('h:success');
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/orders/3']);
  });

  test('an IPv4-mapped IPv6 form of loopback is refused', async () => {
    const r = await runOnCall(guarded(`http://[::ffff:127.0.0.1]:${port()}/orders/4`), { services: { secret } });
    expect(r.exits).toEqual(['h:error', 'sorry:hangup']);
    expect(reason(r)).toContain('::ffff:7f00:1 (loopback)');
  });

  test('a redirect to the metadata address is refused although the first hop was allowed', async () => {
    const r = await runOnCall(guarded(`${base}/to-metadata`), { services: { ...lan, secret } });
    expect(r.exits).toEqual(['h:error', 'sorry:hangup']);
    expect(reason(r)).toContain('169.254.169.254 (link-local)');
  });

  test('a redirect to a refused address is refused: an allowed name that redirects to loopback by address', async () => {
    const before = seen.length;
    const r = await runOnCall(guarded(`http://crm.kefu-test:${port()}/to-loopback`), { services: { ...toLoopback, secret, httpAllowList: async () => ['crm.kefu-test'] } });
    expect(r.exits).toEqual(['h:error', 'sorry:hangup']);
    expect(reason(r)).toContain('127.0.0.1 (loopback)');
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/to-loopback']);
  });

  test('an allowed cross-origin redirect is followed without the secret header', async () => {
    const before = seen.length;
    const r = await runOnCall(guarded(`http://crm.kefu-test:${port()}/to-loopback`), { services: { ...toLoopback, secret, httpAllowList: async () => ['crm.kefu-test', '127.0.0.1'] } });
    expect(r.exits[0]).toBe('h:success');
    expect(seen.slice(before)).toMatchObject([{ url: '/to-loopback', auth: 'Bearer s3cret' }, { url: '/orders/redirected', auth: undefined }]);
  });
});
