/**
 * Flows benchmark. (1) TTS cache: latency of a miss (espeak-ng + sox), a disk hit (a new process's first
 * request) and a memory hit, over distinct prompts. (2) Calls held in the demo IVR: sipp places calls into 4000 of
 * a real `kefu start` (embedded PostgreSQL, demo seed); each call runs the published demo flow — business hours,
 * then the bilingual menu whose prompt plays while RFC 4733 digit collection is on — and sipp hangs up after
 * --hold ms, before the menu gives up. Per step: calls attempted/succeeded/failed, the most concurrent calls, how
 * many runs entered the menu (path log), Kefu's CPU (% of one core, all threads) and RSS. One JSON object.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../server/src/platform/db/embedded-postgres.ts';
import { EspeakTts, PromptSynthesizer } from '../../server/src/speech/tts.ts';
import { sippStep, startKefu, stopKefu, type SippStep } from '../kefu-load.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RATES = (args.get('rates') ?? '10,25,50').split(',').map(Number);
const STEP_SECONDS = Number(args.get('seconds') ?? 10);
const HOLD_MS = Number(args.get('hold') ?? 15_000);
const PROMPTS = Number(args.get('prompts') ?? 20);
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

async function login(httpPort: number): Promise<{ get: (p: string) => Promise<any> }> {
  const r = await fetch(`http://127.0.0.1:${httpPort}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@demo.kefu', password }) });
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  return { get: async (p) => (await fetch(`http://127.0.0.1:${httpPort}${p}`, { headers: { cookie } })).json() };
}

interface Step extends SippStep { enteredMenu: number }

async function runStep(kefuPid: number, sipPort: number, rate: number, dir: string, menuEntered: () => Promise<number>): Promise<Step> {
  const before = await menuEntered();
  const step = await sippStep({ kefuPid, sipPort, number: '4000', rate, seconds: STEP_SECONDS, holdMs: HOLD_MS, dir });
  await new Promise((r) => setTimeout(r, 1000)); // the path log writes in batches
  return { ...step, enteredMenu: (await menuEntered()) - before };
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
  const kefu = await startKefu({ dataDir: path.join(dir, 'data'), httpPort, sipPort, password });
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
    await stopKefu(kefu);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
