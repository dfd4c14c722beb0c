// `npm run bench -- platform [--seconds N] [--connections N]`
//
// First start (initdb included) and restart time to a healthy /api/health, idle RSS of Kefu plus its embedded
// PostgreSQL, and authenticated GET /api/v1/me requests per second from a keep-alive load generator running
// in this process while Kefu runs in its own. Prints one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../server/src/platform/db/embedded-postgres.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const log = (line: string) => process.stderr.write(`${line}\n`);

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-'));
fs.chmodSync(base, 0o755);
const dataDir = path.join(base, 'data');
const webDist = path.join(repoRoot, 'apps/web/dist');

async function startKefu(port: number): Promise<{ child: ChildProcess; ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'server/bin/kefu.mjs'), 'start'], {
    env: { ...process.env, KEFU_DATA_DIR: dataDir, KEFU_HTTP_PORT: String(port), KEFU_DEMO_PASSWORD: 'bench-password-1', KEFU_LOG_LEVEL: 'warn', KEFU_WEB_DIST: fs.existsSync(webDist) ? webDist : base },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (r.ok) return { child, ms: performance.now() - t0 };
    } catch {
      /* not yet */
    }
    if (child.exitCode !== null) throw new Error('kefu exited during startup');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** RSS in MB of a process and all its descendants plus the embedded postmaster's processes. */
function rssMb(pids: number[]): number {
  const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const parent = new Map<number, number>();
  for (const pid of all) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited */
    }
  }
  const wanted = new Set(pids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) if (wanted.has(ppid) && !wanted.has(pid)) (wanted.add(pid), (grew = true));
  }
  let kb = 0;
  for (const pid of wanted) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return Math.round(kb / 1024);
}

async function login(port: number): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.kefu', password: 'bench-password-1' }),
  });
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

async function load(port: number, cookie: string): Promise<{ requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/me', agent, headers: { cookie } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const worker = async () => {
    while (performance.now() < until) await one();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0).toFixed(2));
  return { requestsPerSecond: Math.round(latencies.length / elapsed), p50Ms: pct(0.5), p99Ms: pct(0.99), errors };
}

try {
  const port = await freePort();
  log('first start (initdb, migrations, demo seed)…');
  const first = await startKefu(port);
  await stop(first.child);
  log('restart…');
  const second = await startKefu(port);
  log('idle 5 s for RSS…');
  await new Promise((r) => setTimeout(r, 5000));
  const postmaster = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const idleRss = rssMb([second.child.pid!, postmaster]);
  const cookie = await login(port);
  log(`GET /api/v1/me for ${seconds} s with ${connections} connections…`);
  const me = await load(port, cookie);
  await stop(second.child);
  console.log(
    JSON.stringify({
      benchmark: 'platform',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      firstStartToHealthyMs: Math.round(first.ms),
      restartToHealthyMs: Math.round(second.ms),
      idleRssMb: idleRss,
      me: { connections, seconds, ...me },
      targets: { firstStartMs: 10_000, restartMs: 3_000, idleRssMb: 400 },
    }),
  );
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
