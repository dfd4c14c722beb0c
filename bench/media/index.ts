/**
 * Media benchmark: N concurrent relayed G.711 calls from a load generator in a child process,
 * through Kefu's engine (worker threads) and through rtpengine (userspace), side by side.
 * Prints one JSON object; progress goes to stderr.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MediaEngine } from '../../packages/media/src/index.ts';
import { portOf, RtpEngine, sdpFor } from './rtpengine.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const DURATION = Number(args.get('duration') ?? 8000);
const WARMUP = Number(args.get('warmup') ?? 2000);
const STEPS = (args.get('steps') ?? '100,250,500,750,1000,1250').split(',').map(Number);
const REC_STEPS = (args.get('rec-steps') ?? '100,200,300,400').split(',').map(Number);
const LOSS_LIMIT = 0.1;

const log = (...a: unknown[]) => console.error('[bench/media]', ...a);

interface GenResult { sent: number; received: number; lossPercent: number; transitP50Ms: number; transitP99Ms: number; transitMinMs: number; measuredMs: number }
interface StepResult extends GenResult { calls: number; cpuPercent: number; addedJitterP99Ms: number }

class Generator {
  private constructor(private readonly child: ChildProcess) {}
  static async start(): Promise<Generator> {
    const child = fork(path.join(here, 'load-generator.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const g = new Generator(child);
    await g.next();
    return g;
  }
  private next<T>(): Promise<T> {
    return new Promise((r) => this.child.once('message', (m) => r(m as T)));
  }
  async open(calls: number): Promise<number[][]> {
    this.child.send({ cmd: 'open', calls });
    return (await this.next<{ ports: number[][] }>()).ports;
  }
  async run(targets: number[][]): Promise<GenResult> {
    this.child.send({ cmd: 'start', targets, durationMs: DURATION, warmupMs: WARMUP });
    return this.next<GenResult>();
  }
  async close(): Promise<void> {
    this.child.send({ cmd: 'close' });
    await new Promise((r) => this.child.once('exit', r));
  }
}

/** CPU in percent of one core over the generator run (wall time measured around it). */
function summarize(calls: number, g: GenResult, cpuSeconds: number, wallMs: number): StepResult {
  return { calls, ...g, cpuPercent: Math.round((1000 * cpuSeconds) / (wallMs / 1000)) / 10, addedJitterP99Ms: Math.round((g.transitP99Ms - g.transitMinMs) * 100) / 100 };
}

async function kefuStep(calls: number, record: boolean): Promise<StepResult> {
  const gen = await Generator.start();
  const ports = await gen.open(calls);
  const engine = await MediaEngine.start({ bindAddress: '127.0.0.1', workers: 2, portRange: { min: 40000, max: 49999 }, requestTimeoutMs: 60_000 });
  const dir = record ? await mkdtemp(path.join(tmpdir(), 'kefu-bench-rec-')) : undefined;
  const targets: number[][] = [];
  try {
    for (let c = 0; c < calls; c++) {
      const group = `call-${c}`;
      const [ga, gb] = ports[c]!;
      const a = await engine.createRtpEndpoint({ group });
      const b = await engine.createRtpEndpoint({ group });
      await engine.request('configureRtp', a.id, { address: '127.0.0.1', port: ga! }, { codec: 'PCMU' });
      await engine.request('configureRtp', b.id, { address: '127.0.0.1', port: gb! }, { codec: 'PCMU' });
      await engine.bridge(a.id, b.id);
      if (dir) await engine.record({ path: path.join(dir, `${c}.wav`), left: a.id, right: b.id });
      targets.push([a.port, b.port]);
    }
    const cpu0 = process.cpuUsage(); // the whole process: main thread and media workers
    const t0 = performance.now();
    const g = await gen.run(targets);
    const cpu = process.cpuUsage(cpu0);
    return summarize(calls, g, (cpu.user + cpu.system) / 1e6, performance.now() - t0);
  } finally {
    await engine.shutdown();
    await gen.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

async function rtpengineStep(calls: number): Promise<StepResult> {
  const gen = await Generator.start();
  const ports = await gen.open(calls);
  const rtp = await RtpEngine.start(22222, 30000, 39999);
  const targets: number[][] = [];
  try {
    for (let c = 0; c < calls; c++) {
      const [ga, gb] = ports[c]!;
      const callId = `bench-${c}`;
      const offer = await rtp.command({ command: 'offer', 'call-id': callId, 'from-tag': 'a', sdp: sdpFor(ga!, c) });
      const answer = await rtp.command({ command: 'answer', 'call-id': callId, 'from-tag': 'a', 'to-tag': 'b', sdp: sdpFor(gb!, c) });
      // B sends to the port in the offer's rewritten SDP, A to the one in the answer's.
      targets.push([portOf(String(answer.sdp)), portOf(String(offer.sdp))]);
    }
    const cpu0 = rtp.cpuSeconds();
    const t0 = performance.now();
    const g = await gen.run(targets);
    return summarize(calls, g, rtp.cpuSeconds() - cpu0, performance.now() - t0);
  } finally {
    await rtp.stop();
    await gen.close();
  }
}

async function ladder(name: string, steps: number[], step: (n: number) => Promise<StepResult>): Promise<{ steps: StepResult[]; maxCallsUnderLossLimit: number }> {
  const out: StepResult[] = [];
  let best = 0;
  for (const n of steps) {
    const r = await step(n);
    log(name, JSON.stringify(r));
    out.push(r);
    if (r.lossPercent < LOSS_LIMIT) best = n;
    else break;
  }
  return { steps: out, maxCallsUnderLossLimit: best };
}

const kefu = await ladder('kefu relay', STEPS, (n) => kefuStep(n, false));
const rtpengine = await ladder('rtpengine', STEPS, (n) => rtpengineStep(n));
const kefuRecording = await ladder('kefu relay + stereo recording', REC_STEPS, (n) => kefuStep(n, true));

console.log(JSON.stringify({
  benchmark: 'media',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  config: { durationMs: DURATION, warmupMs: WARMUP, lossLimitPercent: LOSS_LIMIT, kefuWorkers: 2, generatorProcesses: 1 },
  kefuRelay: kefu,
  rtpengineUserspace: rtpengine,
  kefuRelayWithStereoRecording: kefuRecording,
  ratioKefuToRtpengine: rtpengine.maxCallsUnderLossLimit ? Math.round((100 * kefu.maxCallsUnderLossLimit) / rtpengine.maxCallsUnderLossLimit) / 100 : null,
}, null, 2));
