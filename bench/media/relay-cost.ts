/**
 * CPU per relayed RTP packet on the plain relay path (`node --import tsx bench/media/relay-cost.ts
 * [--calls=100] [--duration=8000] [--warmup=2000] [--runs=3] [--record]`, prints one JSON object).
 *
 * This process is the system under test: one MediaCore on its main thread (no worker threads, so
 * everything this process spends is the engine's), C calls of two RTP endpoints each, configured
 * toward the load generator and bridged (same codec: relayed without decoding). The generator is
 * bench/media/load-generator.ts in a child process: two sockets per call, 20 ms PCMU both ways at
 * 50 packets/s per leg, paced on a monotonic schedule; its CPU is not counted here.
 *
 * Figures per run, over the measurement window after the warm-up:
 * - `cpuUsPerPacket`: this process's CPU (user + system) ÷ packets the engine forwarded (sum of the
 *   endpoints' packetsSent): receive + relay + send, the 20 ms ticker of every endpoint and RTCP
 *   included, as in production. CPU time, not wall time, so it moves much less with machine load.
 * - `idleTickCpuPercent`: the same endpoints with no packets (the ticker alone), measured first.
 * - `elu`: event-loop utilisation of the main thread; `gc`: collections in the window (count, ms,
 *   bytes allocated in the young generation per packet, from v8.GCProfiler's before/after spaces).
 *
 * The figure depends on how many packets one wake-up of the event loop finds: at 10 k packets/s an
 * idle loop wakes for almost every packet (epoll_wait, two recvmsg, a context switch), while a busy
 * or descheduled one drains several per wake-up and each costs less. To compare two builds on a
 * shared machine, run them side by side in the same minutes (both see the same load) and repeat;
 * runs marked `rateShort` did not forward the offered rate and are cheaper per packet for that reason.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { MediaCore } from '../../packages/media/src/engine/media-core.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const CALLS = Number(args.get('calls') ?? 100);
const DURATION = Number(args.get('duration') ?? 8000);
const WARMUP = Number(args.get('warmup') ?? 2000);
const RUNS = Number(args.get('runs') ?? 3);
const RECORD = args.has('record');
const log = (...a: unknown[]) => console.error('[bench/media/relay-cost]', ...a);
const cpuUs = (c: NodeJS.CpuUsage) => c.user + c.system;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

interface GenReport { sent: number; received: number }
interface SpaceStats { spaceName: string; spaceUsedSize: number }
interface GcStat { gcType: string; cost: number; beforeGC: { heapSpaceStatistics: SpaceStats[] }; afterGC: { heapSpaceStatistics: SpaceStats[] } }

const child = fork(path.join(here, 'load-generator.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const next = <T>() => new Promise<T>((r) => child.once('message', (m) => r(m as T)));
await next();

const core = new MediaCore({ bindAddress: '127.0.0.1' });
child.send({ cmd: 'open', calls: CALLS });
const { ports } = await next<{ ports: number[][] }>();
const targets: number[][] = [];
const ids: string[] = [];
const recDir = RECORD ? await mkdtemp(path.join(tmpdir(), 'kefu-relay-cost-')) : undefined;
for (let c = 0; c < CALLS; c++) {
  const [ga, gb] = ports[c]!;
  const a = await core.createRtpEndpoint();
  const b = await core.createRtpEndpoint();
  core.configureRtp(a.id, { address: '127.0.0.1', port: ga! }, { codec: 'PCMU' });
  core.configureRtp(b.id, { address: '127.0.0.1', port: gb! }, { codec: 'PCMU' });
  core.bridge(a.id, b.id);
  if (recDir) core.record({ path: path.join(recDir, `c${c}.wav`), left: a.id, right: b.id });
  targets.push([a.port, b.port]);
  ids.push(a.id, b.id);
}
const forwarded = () => ids.reduce((n, id) => n + core.stats(id).packetsSent, 0);

/** Young-generation bytes allocated between GCs: Σ(used before a GC − used after the previous one). */
function youngBytes(stats: GcStat[], startUsed: number, endUsed: number): number {
  const young = (s: SpaceStats[]) => s.filter((x) => x.spaceName === 'new_space' || x.spaceName === 'new_large_object_space').reduce((a, x) => a + x.spaceUsedSize, 0);
  let prevAfter = startUsed;
  let total = 0;
  for (const g of stats) {
    total += Math.max(0, young(g.beforeGC.heapSpaceStatistics) - prevAfter);
    prevAfter = young(g.afterGC.heapSpaceStatistics);
  }
  return total + Math.max(0, endUsed - prevAfter);
}
const youngUsed = () => v8.getHeapSpaceStatistics().filter((x) => x.space_name === 'new_space' || x.space_name === 'new_large_object_space').reduce((a, x) => a + x.space_used_size, 0);

// The ticker alone: endpoints configured and bridged, nothing sent.
await new Promise((r) => setTimeout(r, 500));
const idle0 = process.cpuUsage();
const idleT0 = performance.now();
await new Promise((r) => setTimeout(r, 2000));
const idleTickCpuPercent = round((100 * cpuUs(process.cpuUsage(idle0))) / ((performance.now() - idleT0) * 1000), 1);
log(`${CALLS} calls, ${ids.length} endpoints; ticker alone ${idleTickCpuPercent} % of a core`);

const runs = [];
let genSoFar: GenReport = { sent: 0, received: 0 };
for (let run = 0; run < RUNS; run++) {
  const fromEpoch = Date.now() + WARMUP;
  const untilEpoch = fromEpoch + DURATION - WARMUP;
  child.send({ cmd: 'start', targets, fromEpoch, untilEpoch });
  const report = next<GenReport>();
  await new Promise((r) => setTimeout(r, fromEpoch - Date.now()));
  const f0 = forwarded();
  const gc = new v8.GCProfiler();
  const young0 = youngUsed();
  gc.start();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, untilEpoch - Date.now()));
  const cpu = cpuUs(process.cpuUsage(cpu0));
  const ms = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const young1 = youngUsed();
  const gcStats = (gc.stop()?.statistics ?? []) as unknown as GcStat[];
  const packets = forwarded() - f0;
  const g = await report; // the generator's counters add up over runs
  const gSent = g.sent - genSoFar.sent;
  const gReceived = g.received - genSoFar.received;
  genSoFar = g;
  const scavenges = gcStats.filter((s) => s.gcType === 'Scavenge');
  const r = {
    packets,
    packetsPerSecond: Math.round((packets * 1000) / ms),
    /** The generator (or this process, descheduled) did not move ≥ 95 % of 100 packets/s per call: fewer, larger wake-ups make packets cheaper, so compare only runs that are not. */
    rateShort: packets * 1000 < 0.95 * 100 * CALLS * ms,
    cpuUsPerPacket: round(cpu / packets),
    cpuPercent: round((100 * cpu) / (ms * 1000), 1),
    elu: round(elu.utilization, 3),
    gc: {
      scavenges: scavenges.length,
      scavengeMs: round(scavenges.reduce((a, s) => a + s.cost, 0) / 1000, 1),
      otherGcs: gcStats.length - scavenges.length,
      otherGcMs: round(gcStats.filter((s) => s.gcType !== 'Scavenge').reduce((a, s) => a + s.cost, 0) / 1000, 1),
      youngBytesPerPacket: Math.round(youngBytes(gcStats, young0, young1) / packets),
    },
    generator: { sent: gSent, received: gReceived, lossPercent: gSent ? round((100 * (gSent - gReceived)) / gSent, 3) : 0 },
  };
  log(`run ${run + 1}: ${r.cpuUsPerPacket} µs/packet, ${r.cpuPercent} % CPU, ${r.packetsPerSecond} packets/s${r.rateShort ? ' (SHORT OF RATE)' : ''}, ELU ${r.elu}, ${r.gc.scavenges} scavenges, ${r.gc.youngBytesPerPacket} B/packet`);
  runs.push(r);
}

child.send({ cmd: 'close' });
await core.close();
if (recDir) await rm(recDir, { recursive: true, force: true });
const us = runs.map((r) => r.cpuUsPerPacket).sort((a, b) => a - b);
console.log(JSON.stringify({
  benchmark: 'media/relay-cost',
  date: new Date().toISOString(),
  node: process.version,
  calls: CALLS,
  record: RECORD,
  measuredMsPerRun: DURATION - WARMUP,
  idleTickCpuPercent,
  cpuUsPerPacketMedian: us[Math.floor(us.length / 2)],
  cpuUsPerPacketMin: us[0],
  runs,
  loadAverage: loadavg().map((x) => round(x)),
}, null, 2));
process.exit(0);
