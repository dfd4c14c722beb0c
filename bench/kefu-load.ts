/**
 * What the voice and flows benchmarks share: a real `kefu start` in its own data directory, and one sipp load
 * step (`-sn uac` into a number at a call rate, each call held for a while) measured from outside — sipp's own
 * statistics for the calls, /proc for Kefu's CPU (all threads) and peak RSS.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../server/src/platform/db/embedded-postgres.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Starts Kefu on loopback with the demo seed (logins use `password`) and waits until it answers its health check. */
export async function startKefu(o: { dataDir: string; httpPort: number; sipPort: number; password: string }): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'server/bin/kefu.mjs'), 'start'], {
    env: {
      ...process.env, KEFU_DATA_DIR: o.dataDir, KEFU_HTTP_PORT: String(o.httpPort), KEFU_HTTP_HOST: '127.0.0.1',
      KEFU_SIP_PORT: String(o.sipPort), KEFU_SIP_HOST: '127.0.0.1', KEFU_DEMO_PASSWORD: o.password, KEFU_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('kefu exited');
    if (await fetch(`http://127.0.0.1:${o.httpPort}/api/health`).then((r) => r.ok, () => false)) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('kefu did not start');
}

export async function stopKefu(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}

export interface SippStep { rate: number; attempted: number; succeeded: number; failed: number; maxConcurrent: number; cpuPercent: number; rssMb: number }

/** sipp calls `number` at `rate` calls/s for `seconds` s, each held `holdMs`; returns when sipp has finished. */
export async function sippStep(o: { kefuPid: number; sipPort: number; number: string; rate: number; seconds: number; holdMs: number; dir: string }): Promise<SippStep> {
  const total = Math.round(o.rate * o.seconds);
  const stf = path.join(o.dir, `stat-${o.rate}-${Date.now()}.csv`);
  const localPort = await freePort();
  const cpu0 = cpuTicks(o.kefuPid);
  const t0 = Date.now();
  let maxRss = rssMb(o.kefuPid);
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(o.kefuPid))), 500);
  const sipp = spawn('sipp', ['-sn', 'uac', '-s', o.number, `127.0.0.1:${o.sipPort}`, '-i', '127.0.0.1', '-p', String(localPort), '-mp', String(localPort + 2),
    '-r', String(o.rate), '-m', String(total), '-d', String(o.holdMs), '-l', String(o.rate * (o.holdMs / 1000 + 5)), '-timeout', `${o.seconds + o.holdMs / 1000 + 60}s`,
    '-trace_stat', '-stf', stf, '-fd', '1', '-nostdin'], { cwd: o.dir, stdio: 'ignore' });
  await new Promise((r) => sipp.on('exit', r));
  clearInterval(sampler);
  const elapsed = (Date.now() - t0) / 1000;
  const cpuPercent = Math.round(((cpuTicks(o.kefuPid) - cpu0) / TICKS / elapsed) * 1000) / 10;
  const lines = fs.readFileSync(stf, 'utf8').trim().split('\n');
  const header = lines[0]!.split(';');
  const col = (row: string, name: string) => Number(row.split(';')[header.indexOf(name)]);
  const last = lines[lines.length - 1]!;
  return {
    rate: o.rate, attempted: col(last, 'OutgoingCall(C)'), succeeded: col(last, 'SuccessfulCall(C)'), failed: col(last, 'FailedCall(C)'),
    maxConcurrent: Math.max(...lines.slice(1).map((l) => col(l, 'CurrentCall'))), cpuPercent, rssMb: Math.round(maxRss),
  };
}
