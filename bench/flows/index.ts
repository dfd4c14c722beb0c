/**
 * Flows benchmark. (1) TTS cache: latency of a miss (espeak-ng + sox), a disk hit (a new process's first
 * request) and a memory hit, over distinct prompts. (2) Calls held in the demo IVR: sipp places calls into 4000 of
 * a real `kefu start` (embedded PostgreSQL, demo seed); each call runs the published demo flow — business hours,
 * then the bilingual menu whose prompt plays while RFC 4733 digit collection is on — and sipp hangs up after
 * --hold ms, before the menu gives up. Per step: calls attempted/succeeded/failed, the most concurrent calls, how
 * many runs entered the menu (path log), Kefu's CPU (% of one core, all threads) and RSS. One JSON object.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../server/src/platform/db/embedded-postgres.ts';
import { EspeakTts, PromptSynthesizer } from '../../server/src/speech/tts.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RATES = (args.get('rates') ?? '10,25,50').split(',').map(Number);
const STEP_SECONDS = Number(args.get('seconds') ?? 10);
const HOLD_MS = Number(args.get('hold') ?? 15_000);
const PROMPTS = Number(args.get('prompts') ?? 20);
const repoRoot = path.resolve(import.meta.dirname, '../..');
const log = (...a: unknown[]) => console.error('[bench/flows]', ...a);
const password = 'bench-password-1';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100;
};

async function ttsLatency(dir: string) {
  const cacheDir = path.join(dir, 'tts');
  const texts = Array.from({ length: PROMPTS }, (_, i) => `您的订单${1000 + i}已发货。Your order ${1000 + i} has shipped.`);
  const time = async (s: PromptSynthesizer, t: string) => {
    const t0 = performance.now();
    await s.speak(t, 'auto', 8000);
    return performance.now() - t0;
  };
  const first = new PromptSynthesizer({ provider: new EspeakTts(), cacheDir });
  const miss: number[] = [];
  for (const t of texts) miss.push(await time(first, t));
  const memory: number[] = [];
  for (const t of texts) memory.push(await time(first, t));
  const second = new PromptSynthesizer({ provider: new EspeakTts(), cacheDir });
  const disk: number[] = [];
  for (const t of texts) disk.push(await time(second, t));
  const summary = (xs: number[]) => ({ p50Ms: pct(xs, 50), p95Ms: pct(xs, 95), maxMs: pct(xs, 100) });
  return { prompts: PROMPTS, note: 'each prompt mixes Chinese and English: two voices, two cached runs', miss: summary(miss), diskHit: summary(disk), memoryHit: summary(memory) };
}

function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
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
    if (await fetch(`http://127.0.0.1:${httpPort}/api/health`).then((r) => r.ok, () => false)) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('kefu did not start');
}

async function login(httpPort: number): Promise<{ get: (p: string) => Promise<any> }> {
  const r = await fetch(`http://127.0.0.1:${httpPort}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.kefu', password }) });
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  return { get: async (p) => (await fetch(`http://127.0.0.1:${httpPort}${p}`, { headers: { cookie } })).json() };
}

interface Step { rate: number; attempted: number; succeeded: number; failed: number; maxConcurrent: number; enteredMenu: number; cpuPercent: number; rssMb: number }

async function runStep(kefu: number, sipPort: number, rate: number, dir: string, menuEntered: () => Promise<number>): Promise<Step> {
  const total = Math.round(rate * STEP_SECONDS);
  const stf = path.join(dir, `stat-${rate}.csv`);
  const localPort = await freePort();
  const before = await menuEntered();
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
  await new Promise((r) => setTimeout(r, 1000)); // the path log writes in batches
  return {
    rate, attempted: col(last, 'OutgoingCall(C)'), succeeded: col(last, 'SuccessfulCall(C)'), failed: col(last, 'FailedCall(C)'),
    maxConcurrent: Math.max(...lines.slice(1).map((l) => col(l, 'CurrentCall'))), enteredMenu: (await menuEntered()) - before, cpuPercent, rssMb: Math.round(maxRss),
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-flows-'));
fs.chmodSync(dir, 0o755);
try {
  log('TTS cache latency');
  const tts = await ttsLatency(dir);
  log(tts);
  const httpPort = await freePort();
  const sipPort = await freePort();
  log('starting kefu', { httpPort, sipPort });
  const kefu = await startKefu(path.join(dir, 'data'), httpPort, sipPort);
  try {
    const api = await login(httpPort);
    const flowId = (await api.get('/api/v1/flows')).find((f: { name: string }) => f.name === 'Kefu demo IVR').id as string;
    const menuEntered = async () => ((await api.get(`/api/v1/flows/${flowId}/path-stats`)) as { nodeId: string; entered: number }[]).find((n) => n.nodeId === 'menu')?.entered ?? 0;
    log('warm-up (media workers, first synthesis of the menu prompt)');
    await runStep(kefu.pid!, sipPort, 2, dir, menuEntered);
    const steps: Step[] = [];
    for (const rate of RATES) {
      log(`step: ${rate} calls/s for ${STEP_SECONDS} s, held ${HOLD_MS} ms in the menu`);
      const s = await runStep(kefu.pid!, sipPort, rate, dir, menuEntered);
      log(s);
      steps.push(s);
    }
    const clean = steps.filter((s) => s.failed === 0 && s.succeeded === s.attempted && s.enteredMenu === s.attempted);
    console.log(JSON.stringify({
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
      date: new Date().toISOString(),
      tts,
      calls: {
        flow: 'demo IVR: answer, business hours, bilingual menu prompt (TTS, cached) with RFC 4733 collection; caller silent; sipp hangs up',
        holdMs: HOLD_MS,
        steps,
        maxConcurrentInMenuWithoutFailures: clean.length ? Math.max(...clean.map((s) => s.maxConcurrent)) : 0,
      },
    }));
  } finally {
    kefu.kill('SIGTERM');
    await new Promise((r) => kefu.on('exit', r));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
