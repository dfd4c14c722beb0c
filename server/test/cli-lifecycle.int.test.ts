// `kefu start` as a user runs it (what `npm start` runs): an embedded PostgreSQL in KEFU_DATA_DIR, the demo
// tenant on the first start only, a clean stop on SIGTERM/SIGINT, recovery after kill -9, and the CLI's
// provisioning and backup/restore commands against the same data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../src/platform/db/embedded-postgres.ts';
import { TestClient } from './http-client.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const kefuBin = path.join(repoRoot, 'server/bin/kefu.mjs');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-cli-'));
fs.chmodSync(base, 0o755);
const webDist = path.join(base, 'web');
const running = new Set<ChildProcess>();

beforeAll(() => {
  fs.mkdirSync(webDist);
  fs.writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>客服 Kefu</title>');
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  // Stop any embedded cluster a test left behind (e.g. after kill -9), then remove the files.
  for (const dir of fs.readdirSync(base)) {
    const pg = path.join(base, dir, 'pg');
    if (fs.existsSync(path.join(pg, 'postmaster.pid'))) {
      const pid = Number(fs.readFileSync(path.join(pg, 'postmaster.pid'), 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* gone */
      }
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  fs.rmSync(base, { recursive: true, force: true });
});

function env(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, KEFU_DATA_DIR: dataDir, KEFU_HTTP_PORT: String(port), KEFU_WEB_DIST: webDist, KEFU_LOG_LEVEL: 'warn', ...extra };
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(dataDir: string, port: number, extra: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [kefuBin, 'start'], { env: env(dataDir, port, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const until = Date.now() + 60_000;
  while (!out.includes('Press Ctrl+C to stop')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`kefu did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out, exited };
}

function cli(dataDir: string, args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [kefuBin, ...args], { env: env(dataDir, 0, extra), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const postmasterPid = (dataDir: string): number | undefined => {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').split('\n')[0]) : undefined;
};

describe('kefu start on the embedded database', () => {
  const dataDir = path.join(base, 'data');
  let port: number;
  let password: string;
  let divisionId: string;

  test('the first start initialises the database, seeds the demo tenant and prints the URL and logins', async () => {
    port = await freePort();
    const kefu = await start(dataDir, port);
    const out = kefu.output();
    expect(out).toContain(`http://localhost:${port}`);
    expect(out).toContain('Demo tenant "Demo 演示" created');
    password = /admin@demo\.kefu\s+(\S+)/.exec(out)![1]!;
    expect(password).toMatch(/^\w{16}$/);
    const credentials = path.join(dataDir, 'demo-credentials.txt');
    expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(credentials, 'utf8')).toContain(`agent3@demo.kefu\t${password}`);
    // Logins that modules' seeds add (the finance staff member of the tickets demo) are printed and kept too.
    expect(out).toContain(`staff1@demo.kefu`);
    expect(fs.readFileSync(credentials, 'utf8')).toContain(`staff1@demo.kefu\t${password}`);

    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const page = await fetch(`http://127.0.0.1:${port}/admin/users`);
    expect(await page.text()).toContain('客服 Kefu');
    // The root too, for a client that asks for no compression (curl, a load balancer's health check).
    const root = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'accept-encoding': 'identity' } });
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('客服 Kefu');
    const admin = await TestClient.login(`http://127.0.0.1:${port}`, 'admin@demo.kefu', password);
    divisionId = (await admin.post('/api/v1/divisions', { name: '保险 Insurance' })).body.id;
    expect(divisionId).toBeTruthy();

    const pgPid = postmasterPid(dataDir);
    expect(pgPid).toBeGreaterThan(0);
    kefu.child.kill('SIGTERM');
    expect(await kefu.exited).toBe(0);
    expect(kefu.output()).toContain('kefu: stopped.');
    expect(postmasterPid(dataDir)).toBeUndefined();
  }, 120_000);

  test('a second start reuses the data and does not seed again', async () => {
    const kefu = await start(dataDir, port);
    expect(kefu.output()).not.toContain('created. Logins');
    expect(kefu.output()).toContain('password: see');
    const admin = await TestClient.login(`http://127.0.0.1:${port}`, 'admin@demo.kefu', password);
    expect((await admin.get(`/api/v1/divisions/${divisionId}`)).body.name).toBe('保险 Insurance');
    kefu.child.kill('SIGINT');
    expect(await kefu.exited).toBe(0);
  }, 120_000);

  test('after kill -9 the next start adopts the orphaned database and loses nothing acknowledged', async () => {
    const kefu = await start(dataDir, port);
    const admin = await TestClient.login(`http://127.0.0.1:${port}`, 'admin@demo.kefu', password);
    const acknowledged = await admin.post('/api/v1/divisions', { name: '崩溃前 Before the crash' });
    expect(acknowledged.status).toBe(201);
    kefu.child.kill('SIGKILL');
    await kefu.exited;

    const again = await start(dataDir, port);
    const after = await TestClient.login(`http://127.0.0.1:${port}`, 'admin@demo.kefu', password);
    expect((await after.get(`/api/v1/divisions/${acknowledged.body.id}`)).status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(postmasterPid(dataDir)).toBeUndefined();
  }, 120_000);

  test('tenant create and user create provision from the command line', () => {
    const tenant = cli(dataDir, ['tenant', 'create', '--name', '第二银行 Second Bank', '--slug', 'second-bank', '--admin-email', 'admin@second.example']);
    expect(tenant.out).toMatch(/created tenant "第二银行 Second Bank" \(slug second-bank/);
    expect(tenant.code).toBe(0);
    const user = cli(dataDir, ['user', 'create', '--tenant', 'second-bank', '--email', 'li.lei@second.example', '--name', '李雷', '--role', 'supervisor', '--password', 'li-lei-pass-1']);
    expect(user.out).toContain('created user li.lei@second.example (supervisor) in tenant second-bank');
    expect(user.code).toBe(0);
  }, 120_000);

  test('CLI mistakes get a readable message and exit code 2', () => {
    const missing = cli(dataDir, ['user', 'create', '--tenant', 'nope', '--email', 'x@y.example', '--name', 'X']);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('--tenant: no tenant with the slug nope');
    const badEmail = cli(dataDir, ['user', 'create', '--tenant', 'second-bank', '--email', 'not-an-email', '--name', 'X']);
    expect(badEmail.out).toMatch(/--email: must be an email address/);
    const unknown = cli(dataDir, ['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('unknown command "frobnicate"');
    const badEnv = cli(dataDir, ['migrate'], { KEFU_HTTP_PORT: 'eighty' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.out).toContain('KEFU_HTTP_PORT="eighty"');
  }, 120_000);

  test('backup and restore carry every tenant into a new data directory', async () => {
    const file = path.join(base, 'kefu-backup.jsonl.gz');
    const backup = cli(dataDir, ['backup', '--out', file]);
    expect(backup.out).toMatch(/backup written to .*: \d+ tables, \d+ rows/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const restoredDir = path.join(base, 'restored');
    const restore = cli(restoredDir, ['restore', '--in', file], { KEFU_DEMO: '0' });
    expect(restore.out).toMatch(/restored \d+ rows/);
    expect(restore.code).toBe(0);
    const twice = cli(restoredDir, ['restore', '--in', file], { KEFU_DEMO: '0' });
    expect(twice.code).toBe(2);
    expect(twice.out).toContain('already holds data');

    const kefu = await start(restoredDir, await freePort(), { KEFU_DEMO: '0' });
    const url = new URL(/running at (\S+)/.exec(kefu.output())![1]!);
    const admin = await TestClient.login(`http://127.0.0.1:${url.port}`, 'admin@demo.kefu', password);
    expect((await admin.get(`/api/v1/divisions/${divisionId}`)).body.name).toBe('保险 Insurance');
    const audit = await admin.get('/api/v1/audit?action=division.created');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
    // New rows continue after the restored ids.
    expect((await admin.post('/api/v1/divisions', { name: 'After restore' })).status).toBe(201);
    const lilei = await TestClient.login(`http://127.0.0.1:${url.port}`, 'li.lei@second.example', 'li-lei-pass-1');
    expect((await lilei.get('/api/v1/me')).body.tenant.name).toBe('第二银行 Second Bank');
    kefu.child.kill('SIGTERM');
    expect(await kefu.exited).toBe(0);
  }, 120_000);
});
