// The benchmark's UAS on @kefu/sip, in a process of its own so that its Node flags can be set (bench/sip/index.ts
// `--uas-node-flags`) and its CPU, garbage collection and event-loop delay measured without the driver in it.
//
// Prints `{"port":N}` on stdout once listening. Each line "stats" on stdin answers one JSON line with what happened
// since the previous "stats" (CPU, event-loop delay percentiles, GC pauses by kind, heap); "exit" closes the UA.
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createUserAgent, DigestAuthenticator, Registrar } from '../../packages/sip/src/index.ts';

const ua = await createUserAgent({ udp: { host: '127.0.0.1' } });
const registrar = new Registrar({ auth: new DigestAuthenticator({ realm: 'kefu.bench', lookup: () => ({ password: 'bench' }) }) });
ua.on('register', (r) => void registrar.handle(r));
const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
ua.on('invite', (inv) => void ua.createUAS(inv, { localSdp: sdp }).catch(() => {}));

// 1 ms resolution: the figure of interest is a 10 ms tail.
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
const gcKinds: Record<number, string> = { 1: 'scavenge', 2: 'mark_compact', 4: 'incremental', 8: 'weak_cb' };
let gc: Record<string, { count: number; totalMs: number; maxMs: number }> = {};
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    const kind = gcKinds[e.detail?.kind ?? 0] ?? 'other';
    const g = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    g.count++;
    g.totalMs += e.duration;
    g.maxMs = Math.max(g.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

let cpu = process.cpuUsage();
let elu = performance.eventLoopUtilization();
let since = performance.now();
const ms = (ns: number): number => +(ns / 1e6).toFixed(2);
function stats(): Record<string, unknown> {
  const c = process.cpuUsage(cpu);
  const wall = performance.now() - since;
  const u = performance.eventLoopUtilization(elu);
  const out = {
    event_loop_utilization: +u.utilization.toFixed(3),
    wall_s: +(wall / 1000).toFixed(2),
    cpu_user_s: +(c.user / 1e6).toFixed(2),
    cpu_system_s: +(c.system / 1e6).toFixed(2),
    loop_delay_ms: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), p999: ms(delay.percentile(99.9)), max: ms(delay.max) },
    gc: Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, { count: v.count, total_ms: +v.totalMs.toFixed(1), max_ms: +v.maxMs.toFixed(2) }])),
    heap_used_mb: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1),
    server_transactions: ua.transactions.serverCount,
    dialogs: ua.dialogCount,
  };
  delay.reset();
  gc = {};
  cpu = process.cpuUsage();
  elu = performance.eventLoopUtilization();
  since = performance.now();
  return out;
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify(stats())}\n`);
  if (line.trim() === 'exit') void ua.close(100).then(() => process.exit(0));
});
process.stdin.on('end', () => void ua.close(100).then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ port: ua.transport.entryFor('UDP')!.transport.localPort, pid: process.pid })}\n`);
