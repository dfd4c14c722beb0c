/**
 * Voice benchmark: sipp places calls into the demo number 4000 of a real `kefu start` (embedded PostgreSQL) at
 * rising call rates. The flow: every call is answered, hears a prompt (the voicemail beep) and is recorded
 * (the demo division gets no voice queue and 4000 no IVR, so each call goes to voicemail) until sipp hangs up after
 * --hold ms; then the recording moves into the blob store. Per step: calls attempted/succeeded/failed, the most
 * concurrent calls sipp saw, Kefu's CPU (% of one core, all threads), RSS, and the recordings stored.
 * Prints one JSON object; progress goes to stderr.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../server/src/platform/db/embedded-postgres.ts';
import { TestClient } from '../../server/test/http-client.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RATES = (args.get('rates') ?? '10,25,50').split(',').map(Number);
const STEP_SECONDS = Number(args.get('seconds') ?? 10);
const HOLD_MS = Number(args.get('hold') ?? 10_000);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const log = (...a: unknown[]) => console.error('[bench/voice]', ...a);
const password = 'bench-password-1';

function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (clock ticks)
}
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

async function startKefu(dataDir: string, httpPort: number, sipPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'server/bin/kefu.mjs'), 'start'], {
    env: { ...process.env, KEFU_DATA_DIR: dataDir, KEFU_HTTP_PORT: String(httpPort), KEFU_HTTP_HOST: '127.0.0.1', KEFU_SIP_PORT: String(sipPort), KEFU_SIP_HOST: '127.0.0.1', KEFU_DEMO_PASSWORD: password, KEFU_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('kefu exited');
    const ok = await fetch(`http://127.0.0.1:${httpPort}/api/health`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('kefu did not start');
}

interface Step { rate: number; attempted: number; succeeded: number; failed: number; maxConcurrent: number; cpuPercent: number; rssMb: number; recordingsStored: number }

/** Stored recordings (WAV files in the local blob store). */
function storedRecordings(dataDir: string): number {
  const root = path.join(dataDir, 'blobs');
  if (!fs.existsSync(root)) return 0;
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.wav')).length;
}

/** Every call to 4000 goes to voicemail: no IVR on the number, no voice queue in the demo division. */
async function recordEveryCall(httpPort: number): Promise<void> {
  const admin = await TestClient.login(`http://127.0.0.1:${httpPort}`, 'admin@demo.kefu', password);
  const number = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
  if ((await admin.patch(`/api/v1/voice/numbers/${number.id}`, { flowId: null })).status !== 200) throw new Error('could not unassign the IVR');
  for (const q of (await admin.get('/api/v1/routing/queues')).body as { id: string; channels: string[] }[]) {
    if (!q.channels.includes('voice')) continue;
    const rest = q.channels.filter((c) => c !== 'voice' && c !== 'callback');
    const reply = await admin.patch(`/api/v1/routing/queues/${q.id}`, { channels: rest.length ? rest : ['email'] });
    if (reply.status !== 200) throw new Error(`could not change a queue: ${JSON.stringify(reply.body)}`);
  }
}

async function runStep(kefu: number, sipPort: number, rate: number, dir: string): Promise<Step> {
  const stored0 = storedRecordings(path.join(dir, 'data'));
  const total = Math.round(rate * STEP_SECONDS);
  const stf = path.join(dir, `stat-${rate}.csv`);
  const localPort = await freePort();
  const cpu0 = cpuTicks(kefu);
  const t0 = Date.now();
  let maxRss = rssMb(kefu);
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(kefu))), 500);
  const sipp = spawn('sipp', ['-sn', 'uac', '-s', '4000', `127.0.0.1:${sipPort}`, '-i', '127.0.0.1', '-p', String(localPort), '-mp', String(localPort + 2),
    '-r', String(rate), '-m', String(total), '-d', String(HOLD_MS), '-l', String(rate * (HOLD_MS / 1000 + 5)), '-timeout', `${STEP_SECONDS + HOLD_MS / 1000 + 60}s`,
    '-trace_stat', '-stf', stf, '-fd', '1', '-nostdin'], { cwd: dir, stdio: 'ignore' });
  await new Promise((r) => sipp.on('exit', r));
  clearInterval(sampler);
  const seconds = (Date.now() - t0) / 1000;
  const cpuPercent = Math.round(((cpuTicks(kefu) - cpu0) / TICKS / seconds) * 1000) / 10;
  const lines = fs.readFileSync(stf, 'utf8').trim().split('\n');
  const header = lines[0]!.split(';');
  const col = (row: string, name: string) => Number(row.split(';')[header.indexOf(name)]);
  const last = lines[lines.length - 1]!;
  const maxConcurrent = Math.max(...lines.slice(1).map((l) => col(l, 'CurrentCall')));
  // The last recordings move into the blob store after their calls: wait (up to 60 s) until every one arrived.
  const succeeded = col(last, 'SuccessfulCall(C)');
  let recordingsStored = 0;
  for (let i = 0; i < 120 && recordingsStored < succeeded; i++) {
    await new Promise((r) => setTimeout(r, 500));
    recordingsStored = storedRecordings(path.join(dir, 'data')) - stored0;
  }
  return { rate, attempted: col(last, 'OutgoingCall(C)'), succeeded: col(last, 'SuccessfulCall(C)'), failed: col(last, 'FailedCall(C)'), maxConcurrent, cpuPercent, rssMb: Math.round(maxRss), recordingsStored };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-voice-'));
fs.chmodSync(dir, 0o755);
const httpPort = await freePort();
const sipPort = await freePort();
log('starting kefu', { httpPort, sipPort });
const kefu = await startKefu(path.join(dir, 'data'), httpPort, sipPort);
try {
  await recordEveryCall(httpPort);
  log('warm-up (media workers)');
  await runStep(kefu.pid!, sipPort, 2, dir);
  const steps: Step[] = [];
  for (const rate of RATES) {
    log(`step: ${rate} calls/s for ${STEP_SECONDS} s, held ${HOLD_MS} ms`);
    const s = await runStep(kefu.pid!, sipPort, rate, dir);
    log(s);
    steps.push(s);
  }
  const clean = steps.filter((s) => s.failed === 0 && s.succeeded === s.attempted);
  console.log(JSON.stringify({
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
    date: new Date().toISOString(),
    flow: 'answer + interaction + prompt (beep) + mono recording until the caller hangs up, stored in the blob store',
    holdMs: HOLD_MS,
    steps,
    maxRateWithoutFailures: clean.length ? Math.max(...clean.map((s) => s.rate)) : 0,
    maxConcurrentWithoutFailures: clean.length ? Math.max(...clean.map((s) => s.maxConcurrent)) : 0,
  }));
} finally {
  kefu.kill('SIGTERM');
  await new Promise((r) => kefu.on('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });
}
