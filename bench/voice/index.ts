/**
 * Voice benchmark: sipp places calls into the demo number 4000 of a real `kefu start` (embedded PostgreSQL) at
 * rising call rates. The flow: every call is answered, hears a prompt (the voicemail beep) and is recorded
 * (the demo division gets no voice queue and 4000 no IVR, so each call goes to voicemail) until sipp hangs up after
 * --hold ms; then the recording moves into the blob store. Per step: calls attempted/succeeded/failed, the most
 * concurrent calls sipp saw, Kefu's CPU (% of one core, all threads), RSS, and the recordings stored.
 * Prints one JSON object; progress goes to stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../server/src/platform/db/embedded-postgres.ts';
import { TestClient } from '../../server/test/http-client.ts';
import { sippStep, startKefu, stopKefu, type SippStep } from '../kefu-load.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const RATES = (args.get('rates') ?? '10,25,50').split(',').map(Number);
const STEP_SECONDS = Number(args.get('seconds') ?? 10);
const HOLD_MS = Number(args.get('hold') ?? 10_000);
const log = (...a: unknown[]) => console.error('[bench/voice]', ...a);
const password = 'bench-password-1';

interface Step extends SippStep { recordingsStored: number }

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

async function runStep(kefuPid: number, sipPort: number, rate: number, dir: string): Promise<Step> {
  const stored0 = storedRecordings(path.join(dir, 'data'));
  const step = await sippStep({ kefuPid, sipPort, number: '4000', rate, seconds: STEP_SECONDS, holdMs: HOLD_MS, dir });
  // The last recordings move into the blob store after their calls: wait (up to 60 s) until every one arrived.
  let recordingsStored = 0;
  for (let i = 0; i < 120 && recordingsStored < step.succeeded; i++) {
    await new Promise((r) => setTimeout(r, 500));
    recordingsStored = storedRecordings(path.join(dir, 'data')) - stored0;
  }
  return { ...step, recordingsStored };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-voice-'));
fs.chmodSync(dir, 0o755);
const httpPort = await freePort();
const sipPort = await freePort();
log('starting kefu', { httpPort, sipPort });
const kefu = await startKefu({ dataDir: path.join(dir, 'data'), httpPort, sipPort, password });
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
  await stopKefu(kefu);
  fs.rmSync(dir, { recursive: true, force: true });
}
