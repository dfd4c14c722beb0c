/**
 * Media benchmark: N concurrent relayed G.711 calls from a load generator in a child process,
 * through Kefu's engine (worker threads) and through rtpengine (userspace), side by side.
 * Prints one JSON object; progress goes to stderr.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MediaEngine } from '../../packages/media/src/index.ts';
import { portOf, RtpEngine, sdpFor } from './rtpengine.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const DURATION = Number(args.get('duration') ?? 8000);
const WARMUP = Number(args.get('warmup') ?? 2000);
const STEPS = (args.get('steps') ?? '100,250,500,750,1000,1250').split(',').filter(Boolean).map(Number);
const REC_STEPS = (args.get('rec-steps') ?? '100,200,300,400').split(',').filter(Boolean).map(Number);
const LOSS_LIMIT = 0.1;

const log = (...a: unknown[]) => console.error('[bench/media]', ...a);

interface RawGen { sent: number; received: number; minTransitMs: number; measuredMs: number; binMs: number; bins: [number, number][] }
interface GenResult { sent: number; received: number; lossPercent: number; transitP50Ms: number; transitP99Ms: number; transitMinMs: number; measuredMs: number; offeredPps: number; targetPps: number }
interface StepResult extends GenResult { calls: number; cpuPercent: number; cpuUsPerPacket: number; engineCpuUsPerReceivedPacket?: number; enginePackets?: number; addedJitterP99Ms: number; generatorLimited: boolean }
const GENERATORS = Number(args.get('generators') ?? 1);
/** SRTP per packet on the engine's WebRTC legs and in the WebRTC generator: `kefu` (default) or `werift`. */
const ENGINE_SRTP = args.get('engine-srtp') ?? 'kefu';
const GENERATOR_SRTP = args.get('generator-srtp') ?? 'kefu';

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
  async run(targets: number[][], window: Window): Promise<RawGen> {
    this.child.send({ cmd: 'start', targets, ...window });
    return this.next<RawGen>();
  }
  async close(): Promise<void> {
    this.child.send({ cmd: 'close' });
    await new Promise((r) => this.child.once('exit', r));
  }
}

/** One measurement window (epoch ms) for every generator of a step: after the warm-up, for the duration. */
interface Window { fromEpoch: number; untilEpoch: number }
function measurementWindow(): Window {
  const fromEpoch = Date.now() + WARMUP;
  return { fromEpoch, untilEpoch: fromEpoch + DURATION - WARMUP };
}

/** Merges generator reports (histograms added bin by bin). */
function merge(parts: RawGen[], calls: number): GenResult {
  const hist = new Map<number, number>();
  let sent = 0;
  let received = 0;
  for (const p of parts) {
    sent += p.sent;
    received += p.received;
    for (const [b, c] of p.bins) hist.set(b, (hist.get(b) ?? 0) + c);
  }
  const binMs = parts[0]!.binMs;
  const sorted = [...hist.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((a, [, c]) => a + c, 0);
  const pct = (p: number) => {
    let acc = 0;
    for (const [b, c] of sorted) if ((acc += c) >= total * p) return Math.round((b + 1) * binMs * 100) / 100;
    return 0;
  };
  const measuredMs = Math.max(...parts.map((p) => p.measuredMs));
  return {
    sent,
    received,
    lossPercent: sent ? Math.round((1e4 * 100 * Math.max(0, sent - received)) / sent) / 1e4 : 0,
    transitP50Ms: pct(0.5),
    transitP99Ms: pct(0.99),
    transitMinMs: Math.round(Math.min(...parts.map((p) => p.minTransitMs)) * 100) / 100,
    measuredMs: Math.round(measuredMs),
    offeredPps: Math.round(sent / (measuredMs / 1000)),
    targetPps: calls * 2 * 50,
  };
}

/** Several generator processes sharing the calls. */
class GeneratorPool {
  private constructor(private readonly gens: Generator[], private readonly split: number[]) {}
  static async start(calls: number): Promise<{ pool: GeneratorPool; ports: number[][] }> {
    const gens = await Promise.all(Array.from({ length: GENERATORS }, () => Generator.start()));
    const split = gens.map((_, i) => Math.floor(calls / GENERATORS) + (i < calls % GENERATORS ? 1 : 0));
    const ports = (await Promise.all(gens.map((g, i) => g.open(split[i]!)))).flat();
    return { pool: new GeneratorPool(gens, split), ports };
  }
  runRaw(targets: number[][], window = measurementWindow()): Promise<RawGen[]> {
    let o = 0;
    return Promise.all(this.gens.map((g, i) => {
      const t = targets.slice(o, o + this.split[i]!);
      o += this.split[i]!;
      return g.run(t, window);
    }));
  }
  async run(targets: number[][]): Promise<GenResult> {
    return merge(await this.runRaw(targets), targets.length);
  }
  async close(): Promise<void> {
    await Promise.all(this.gens.map((g) => g.close()));
  }
}

/** Packets received so far by the given engine endpoints. */
async function receivedBy(engine: MediaEngine, ids: string[]): Promise<number> {
  return (await Promise.all(ids.map((id) => engine.request('stats', id)))).reduce((a, st) => a + st.packetsReceived, 0);
}

/** CPU in percent of one core over the generator run (wall time measured around it). */
function summarize(calls: number, g: GenResult, cpuSeconds: number, wallMs: number, enginePackets?: number): StepResult {
  return {
    // CPU per packet the engine actually received and handled (from its own endpoint counters):
    // independent of how much the generators managed to offer under contention.
    ...(enginePackets ? { engineCpuUsPerReceivedPacket: Math.round((100 * cpuSeconds * 1e6) / enginePackets) / 100, enginePackets } : {}),
    calls,
    ...g,
    cpuPercent: Math.round((1000 * cpuSeconds) / (wallMs / 1000)) / 10,
    // CPU of the system under test per packet it forwarded (each call: 100 packets/s in, 100 out).
    cpuUsPerPacket: g.offeredPps ? Math.round((100 * cpuSeconds * 1e6) / (wallMs / 1000) / g.offeredPps) / 100 : 0,
    addedJitterP99Ms: Math.round((g.transitP99Ms - g.transitMinMs) * 100) / 100,
    // The generator could not offer the full 50 packets/s per leg: the step does not measure the target.
    generatorLimited: g.offeredPps < 0.95 * g.targetPps,
  };
}

async function kefuStep(calls: number, record: boolean): Promise<StepResult> {
  const { pool: gen, ports } = await GeneratorPool.start(calls);
  const engine = await MediaEngine.start({ bindAddress: '127.0.0.1', workers: 2, portRange: { min: 40000, max: 49999 }, requestTimeoutMs: 60_000 });
  const dir = record ? await mkdtemp(path.join(tmpdir(), 'kefu-bench-rec-')) : undefined;
  const targets: number[][] = [];
  const ids: string[] = [];
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
      ids.push(a.id, b.id);
    }
    const rx0 = await receivedBy(engine, ids);
    const cpu0 = process.cpuUsage(); // the whole process: main thread and media workers
    for (let i = 0; i < engine.workerCount; i++) await engine.call(i, 'health'); // reset
    const t0 = performance.now();
    const g = await gen.run(targets);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const rx = (await receivedBy(engine, ids)) - rx0;
    const health = await Promise.all(Array.from({ length: engine.workerCount }, (_, i) => engine.call(i, 'health')));
    log('worker health', JSON.stringify(health));
    return summarize(calls, g, (cpu.user + cpu.system) / 1e6, wall, rx);
  } finally {
    await engine.shutdown();
    await gen.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

class WebRtcGenerator {
  private constructor(private readonly child: ChildProcess) {}
  static async start(): Promise<WebRtcGenerator> {
    const child = fork(path.join(here, 'webrtc-generator.ts'), GENERATOR_SRTP === 'werift' ? ['--srtp=werift'] : [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const g = new WebRtcGenerator(child);
    await g.next();
    return g;
  }
  next<T>(): Promise<T> {
    return new Promise((r) => this.child.once('message', (m) => r(m as T)));
  }
  send(m: unknown): void {
    this.child.send(m as object);
  }
  async close(): Promise<void> {
    this.child.send({ cmd: 'close' });
    await new Promise((r) => this.child.once('exit', r));
  }
}

/** Browser-like werift peers ↔ engine WebRTC endpoint ⇄ bridge ⇄ engine RTP endpoint ↔ RTP generator. */
async function webrtcStep(calls: number): Promise<StepResult> {
  const { pool: gen, ports } = await GeneratorPool.start(calls);
  const wgen = await WebRtcGenerator.start();
  const engine = await MediaEngine.start({ bindAddress: '127.0.0.1', workers: 2, portRange: { min: 40000, max: 49999 }, requestTimeoutMs: 60_000 });
  try {
    const targets: number[][] = [];
    const webrtcIds: string[] = [];
    const rtpIds: string[] = [];
    for (let c = 0; c < calls; c++) {
      // Offer, answer and apply one call at a time, as softphones would.
      wgen.send({ cmd: 'offer', n: 1 });
      const { sdps } = await wgen.next<{ sdps: string[] }>();
      const group = `call-${c}`;
      const w = await engine.createWebRtcEndpoint({ group, ...(ENGINE_SRTP === 'werift' ? { fastSrtp: false } : {}) });
      webrtcIds.push(w.id);
      const r = await engine.createRtpEndpoint({ group });
      const answer = await engine.request('webrtcAnswer', w.id, sdps[0]!);
      wgen.send({ cmd: 'answer', sdps: [answer], from: c });
      await wgen.next();
      await engine.request('configureRtp', r.id, { address: '127.0.0.1', port: ports[c]![1]! }, { codec: 'PCMU' });
      await engine.bridge(w.id, r.id);
      targets.push([0, r.port]);
      rtpIds.push(r.id);
    }
    wgen.send({ cmd: 'connected' });
    await wgen.next();
    const rx0 = await receivedBy(engine, [...webrtcIds, ...rtpIds]);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const window = measurementWindow();
    wgen.send({ cmd: 'start', ...window });
    const [rtpParts, webrtcPart] = await Promise.all([gen.runRaw(targets, window), wgen.next<RawGen>()]);
    log('worker health', JSON.stringify(await Promise.all(Array.from({ length: engine.workerCount }, (_, i) => engine.call(i, 'health')))));
    const silent = (await Promise.all(webrtcIds.map((id) => engine.request('stats', id)))).filter((st) => st.packetsReceived === 0).length;
    log(`webrtc endpoints that received nothing: ${silent} of ${calls}`);
    log('webrtc parts', JSON.stringify([...rtpParts, webrtcPart].map((p) => ({ sent: p.sent, received: p.received }))));
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const rx = (await receivedBy(engine, [...webrtcIds, ...rtpIds])) - rx0;
    return summarize(calls, merge([...rtpParts, webrtcPart], calls), (cpu.user + cpu.system) / 1e6, wall, rx);
  } finally {
    await engine.shutdown();
    await wgen.close();
    await gen.close();
  }
}

async function rtpengineStep(calls: number): Promise<StepResult> {
  const { pool: gen, ports } = await GeneratorPool.start(calls);
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
    if (r.lossPercent < LOSS_LIMIT && !r.generatorLimited) best = n;
    else break;
  }
  return { steps: out, maxCallsUnderLossLimit: best };
}

// Kefu and rtpengine alternate at each load step, so both see the same machine conditions.
async function sideBySide(steps: number[]): Promise<{ kefu: { steps: StepResult[]; maxCallsUnderLossLimit: number }; rtpengine: { steps: StepResult[]; maxCallsUnderLossLimit: number } }> {
  const kefu = { steps: [] as StepResult[], maxCallsUnderLossLimit: 0 };
  const rtpengine = { steps: [] as StepResult[], maxCallsUnderLossLimit: 0 };
  let kefuDone = false;
  let rtpDone = false;
  for (const n of steps) {
    if (!kefuDone) {
      const r = await kefuStep(n, false);
      log('kefu relay', JSON.stringify(r));
      kefu.steps.push(r);
      if (r.lossPercent < LOSS_LIMIT && !r.generatorLimited) kefu.maxCallsUnderLossLimit = n;
      else kefuDone = true;
    }
    if (!rtpDone) {
      const r = await rtpengineStep(n);
      log('rtpengine', JSON.stringify(r));
      rtpengine.steps.push(r);
      if (r.lossPercent < LOSS_LIMIT && !r.generatorLimited) rtpengine.maxCallsUnderLossLimit = n;
      else rtpDone = true;
    }
    if (kefuDone && rtpDone) break;
  }
  return { kefu, rtpengine };
}

const { kefu, rtpengine } = await sideBySide(STEPS);
const kefuRecording = await ladder('kefu relay + stereo recording', REC_STEPS, (n) => kefuStep(n, true));
const WEBRTC_STEPS = (args.get('webrtc-steps') ?? '25,50,100,150').split(',').filter(Boolean).map(Number);
const kefuWebrtc = await ladder('kefu WebRTC ↔ RTP bridge', WEBRTC_STEPS, (n) => webrtcStep(n));

console.log(JSON.stringify({
  benchmark: 'media',
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  config: { durationMs: DURATION, warmupMs: WARMUP, lossLimitPercent: LOSS_LIMIT, kefuWorkers: 2, generatorProcesses: GENERATORS, engineSrtp: ENGINE_SRTP, webrtcGeneratorSrtp: GENERATOR_SRTP },
  kefuRelay: kefu,
  rtpengineUserspace: rtpengine,
  kefuRelayWithStereoRecording: kefuRecording,
  kefuWebrtcToRtpBridge: kefuWebrtc,
  loadAverage: loadavg(),
  ratioKefuToRtpengine: rtpengine.maxCallsUnderLossLimit ? Math.round((100 * kefu.maxCallsUnderLossLimit) / rtpengine.maxCallsUnderLossLimit) / 100 : null,
}, null, 2));
