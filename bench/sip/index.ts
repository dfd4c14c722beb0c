// SIP benchmark: sipp uac -> a minimal UAS on @kefu/sip (answer, ACK, BYE) and sipp REGISTER+digest -> the stack's
// registrar, then the same loads against Kamailio (bench/sip/kamailio.cfg). Prints one JSON object on stdout.
//
//   npm run bench -- sip [--duration 60] [--step 8] [--targets stack,kamailio] [--children 2]
//                        [--uas-node-flags "..."] [--uas-tuned-flags "..."] [--confirm-runs 7] [--latency-runs 3]
//   npm run bench -- sip --targets stack --mode latency --rate 2000 --duration 10   (INVITE->100 at one rate,
//                        in a fresh warmed-up process, `--latency-runs` runs pooled)
//   npm run bench -- sip --targets stack --mode register --duration 10 --step 5      (REGISTER+digest only)
//
// The stack's UAS runs in a process of its own (uas.ts), which reports its CPU, event-loop utilization and delay
// and GC pauses for the latency runs. bench/sip/cost.ts measures CPU and GC per call without sockets.
//
// For each target and load: a rate ladder (x1.4 per step, `--step` seconds each) finds the highest rate with zero
// failed calls that sipp could actually place; that rate is then confirmed for `--duration` seconds (stepping
// down 10 % on failure). A second, stricter figure also asks that (almost) no request needed a retransmission:
// a server past its capacity still completes every call, because sipp's retransmissions after T1 (500 ms) make up
// for the requests it could not read in time, so "zero failed" alone overstates what it sustains.
// INVITE->100 p50/p99 come from sipp -trace_rtt at 80 % of each confirmed call rate.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const DURATION = Number(flag('duration', '60'));
const STEP = Number(flag('step', '8'));
const TARGETS = flag('targets', 'stack,kamailio').split(',');
const CHILDREN = Number(flag('children', '2'));
// `full` (default): ladders, confirmations and latency for every target. `latency`: INVITE->100 only, at `--rate`.
// `register`: the REGISTER+digest ladder and confirmation only. The targeted modes keep load runs short.
const MODE = flag('mode', 'full');
const RATE = Number(flag('rate', '0'));
/** Node flags of the stack's UAS process: none by default, as Kefu's server runs (see docs/sip.md, "Benchmark"). */
const UAS_NODE_FLAGS = flag('uas-node-flags', '').split(/\s+/).filter(Boolean);
/**
 * The INVITE->100 figure at 80 % of the strict rate is taken a second time with a UAS started with these flags
 * (empty: not at all): a young generation four times the default (fewer scavenges) and a scavenger without helper
 * threads (on two cores shared with sipp, the main thread waited for helpers that were not scheduled).
 */
const UAS_TUNED_FLAGS = flag('uas-tuned-flags', '--max-semi-space-size=64 --no-parallel-scavenge').split(/\s+/).filter(Boolean);
const log = (...a: unknown[]): void => console.error('[bench/sip]', ...a);

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

interface Target {
  name: string;
  port: number;
  /** What the target process did since the previous call (stack only: CPU, event-loop delay, GC). */
  stats?(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The stack's UAS runs in a child process (bench/sip/uas.ts, or the one BENCH_SIP_UAS names, e.g. in an export of
 * an older commit for A/B runs) with `--uas-node-flags`: its garbage collector and event loop are its own, and its
 * CPU, event-loop utilization and delay and GC pauses are reported per run.
 */
async function startStack(flags: string[] = UAS_NODE_FLAGS): Promise<Target> {
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', process.env.BENCH_SIP_UAS ?? path.join(here, 'uas.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  // Node's own diagnostics (--trace-gc) also print on stdout: only JSON lines are answers, the rest goes to stderr.
  lines.on('line', (l) => (l.startsWith('{"') ? waiting.shift()?.(l) : process.stderr.write(`[uas] ${l}\n`)));
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', () => reject(new Error('bench UAS exited')));
    });
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    name: 'stack',
    port,
    stats: async () => {
      child.stdin!.write('stats\n');
      return JSON.parse(await next()) as Record<string, unknown>;
    },
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end('exit\n');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function startKamailio(): Promise<Target> {
  const port = await freePort();
  const run = mkdtempSync(path.join(tmpdir(), 'kefu-kamailio-'));
  const child: ChildProcess = spawn(
    'kamailio',
    ['-f', path.join(here, 'kamailio.cfg'), '-l', `udp:127.0.0.1:${port}`, '-n', String(CHILDREN), '-DD', '-E', '-Y', run, '-w', run, '-m', '256'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  await new Promise((r) => setTimeout(r, 1500));
  if (child.exitCode !== null) throw new Error(`kamailio exited: ${err}`);
  return {
    name: 'kamailio',
    port,
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(run, { recursive: true, force: true });
    },
  };
}

interface SippRun {
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  elapsedS: number;
  retransmissions: number;
  /** rtd 1 samples in ms (INVITE->100 for the call scenario). */
  rtt1: number[];
  /** sipp's own CPU time over its wall time (1.0 = a full core): sipp is single-threaded and shares the machine. */
  sippCpuShare: number;
}

async function sipp(target: Target, scenario: 'call' | 'register', rate: number, seconds: number, rtt = false): Promise<SippRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kefu-bench-sipp-'));
  const calls = Math.max(1, Math.round(rate * seconds));
  const sf = scenario === 'call' ? path.join(here, 'uac-100.xml') : path.join(here, 'register-digest.xml');
  const args = [
    '-sf', sf, `127.0.0.1:${target.port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-nostdin',
    '-r', String(rate), '-m', String(calls), '-l', String(Math.max(50, rate * 3)), '-s', '1000',
    '-trace_stat', '-stf', path.join(dir, 'stat.csv'), '-fd', '1', '-timeout', `${seconds + 40}s`,
    '-max_socket', '1000', '-buff_size', '4194304',
  ];
  if (scenario === 'register') args.push('-au', '1000', '-ap', 'bench');
  if (rtt) args.push('-trace_rtt', '-rtt_freq', '1');
  const t0 = Date.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  // sipp's own -timeout does not always fire with calls stuck in retransmission: a hard limit as well.
  const killer = setTimeout(() => child.kill('SIGINT'), (seconds + 45) * 1000);
  // utime + stime in clock ticks (100/s), read while sipp runs: its last reading before it exits.
  let sippTicks = 0;
  const sample = (): void => {
    try {
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      sippTicks = Number(f[11]) + Number(f[12]);
    } catch {
      /* gone already */
    }
  };
  const sampler = setInterval(sample, 250);
  await new Promise((r) => child.on('exit', r));
  clearInterval(sampler);
  clearTimeout(killer);
  const wall = (Date.now() - t0) / 1000;
  const stat = readFileSync(path.join(dir, 'stat.csv'), 'utf8').trim().split('\n');
  const head = stat[0]!.split(';');
  const last = stat[stat.length - 1]!.split(';');
  const col = (name: string): number => Number(last[head.indexOf(name)] ?? 0);
  const elapsed = (last[head.indexOf('ElapsedTime(C)')] ?? '0').split(':').map(Number);
  const elapsedS = elapsed.length === 4 ? elapsed[0]! * 3600 + elapsed[1]! * 60 + elapsed[2]! + elapsed[3]! / 1e6 : wall;
  const rtt1: number[] = [];
  if (rtt) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('_rtt.csv'))) {
      for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n').slice(1)) {
        const [, ms, no] = line.split(';');
        if (no?.trim() === '1' && ms) rtt1.push(Number(ms));
        if (process.env.BENCH_DEBUG && rtt1.length < 5) log('rtt line', line);
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const run: SippRun = { rate, calls, successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)'), elapsedS, retransmissions: col('Retransmissions(C)'), rtt1, sippCpuShare: +(sippTicks / 100 / wall).toFixed(2) };
  if (run.successful === 0 && stderr) log(`sipp: ${stderr.trim().slice(-400)}`);
  return run;
}

type Criterion = 'no-failures' | 'no-retransmissions';

function passed(r: SippRun, seconds: number, criterion: Criterion): boolean {
  // sipp must have kept the offered rate: a run that took longer means calls queued up somewhere.
  const completed = r.failed === 0 && r.successful === r.calls && r.elapsedS <= seconds * 1.05 + 0.3;
  // At most one request in a thousand retransmitted: every other one was answered within T1.
  return criterion === 'no-failures' ? completed : completed && r.retransmissions <= r.calls / 1000;
}

interface MaxRate {
  rate: number | null;
  ladder: number;
  confirmed: SippRun | undefined;
  attempts: { rate: number; held: boolean; achieved_per_s: number; sipp_cpu: number }[];
}

async function ladder(target: Target, scenario: 'call' | 'register', start: number): Promise<Record<Criterion, number>> {
  const best: Record<Criterion, number> = { 'no-failures': 0, 'no-retransmissions': 0 };
  for (let rate = start; rate <= 20_000; rate = Math.round(rate * 1.4)) {
    // A step gets a second chance: the machine is shared, and one noisy neighbour should not end the ladder.
    let ok = false;
    let strict = false;
    for (let attempt = 0; attempt < 2 && !strict; attempt++) {
      const r = await sipp(target, scenario, rate, STEP);
      log(`${target.name} ${scenario} ${rate}/s x ${STEP}s: ok=${r.successful} failed=${r.failed} retrans=${r.retransmissions} elapsed=${r.elapsedS.toFixed(1)}s sipp-cpu=${r.sippCpuShare}`);
      ok ||= passed(r, STEP, 'no-failures');
      strict ||= passed(r, STEP, 'no-retransmissions');
    }
    if (strict && best['no-retransmissions'] === best['no-failures']) best['no-retransmissions'] = rate;
    if (!ok) break;
    best['no-failures'] = rate;
  }
  return best;
}

/** At most this many confirmation runs per figure (each `--duration` seconds). */
const CONFIRM_RUNS = Number(flag('confirm-runs', '7'));

/**
 * Confirms a ladder rate over `--duration` seconds. A short ladder step can pass at a rate a longer run cannot hold
 * (what the stack keeps for 64*T1 = 32 s only reaches its full size after 32 s), so on failure it steps down —
 * by 15 %, or straight to just under the rate sipp actually managed when it fell far behind — until a run holds,
 * then bisects between the highest rate that held and the lowest that did not while they are more than 5 % apart.
 * Bounded by CONFIRM_RUNS runs; the old ladder (4 steps of 10 %) could end with no figure at all.
 */
async function confirm(target: Target, scenario: 'call' | 'register', best: number, criterion: Criterion): Promise<MaxRate> {
  let held: { rate: number; run: SippRun } | undefined;
  let failedAt = Infinity;
  const attempts: { rate: number; held: boolean; achieved_per_s: number; sipp_cpu: number }[] = [];
  let rate = best;
  for (let tries = 0; tries < CONFIRM_RUNS && rate > 0; tries++) {
    const r = await sipp(target, scenario, rate, DURATION);
    const ok = passed(r, DURATION, criterion);
    const achieved = r.successful / Math.max(r.elapsedS, 1e-3);
    attempts.push({ rate, held: ok, achieved_per_s: Math.round(achieved), sipp_cpu: r.sippCpuShare });
    log(`${target.name} ${scenario} confirm (${criterion}) ${rate}/s x ${DURATION}s: ok=${r.successful} failed=${r.failed} retrans=${r.retransmissions} elapsed=${r.elapsedS.toFixed(1)}s sipp-cpu=${r.sippCpuShare}${ok ? ' HELD' : ''}`);
    if (ok) {
      if (!held || rate > held.rate) held = { rate, run: r };
    } else failedAt = Math.min(failedAt, rate);
    let next: number;
    if (!held) next = Math.floor(Math.min(rate * 0.85, r.failed === 0 ? achieved * 0.95 : rate));
    else if (failedAt === Infinity || (failedAt - held.rate) / failedAt <= 0.05) break;
    else next = Math.floor((held.rate + failedAt) / 2);
    if (next === rate) break;
    rate = next;
  }
  return held
    ? { rate: held.run.successful / held.run.elapsedS, ladder: best, confirmed: held.run, attempts }
    : { rate: null, ladder: best, confirmed: undefined, attempts };
}

function pct(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]!;
}

function p99(xs: number[]): number | null {
  return pct(xs, 0.99);
}

const running = new Set<Target>();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void Promise.allSettled([...running].map((t) => t.close())).then(() => process.exit(130));
  });
}

function p50(xs: number[]): number | null {
  return xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null;
}

/** INVITE->100 runs per latency figure at the strict rate; the figure is the p99 of all their samples together. */
const LATENCY_RUNS = Number(flag('latency-runs', '3'));

interface LatencyFigure {
  rate: number;
  p50: number | null;
  p99: number | null;
  p99PerRun: (number | null)[];
  failed: number;
  retransmissions: number;
  uas: Record<string, unknown>[];
}

/**
 * INVITE->100 at `rate` in a fresh target process: warmed up at half the rate first (the optimizing compiler has seen
 * every path), then LATENCY_RUNS runs of up to 30 s whose samples are pooled. Why fresh: the ladders and
 * confirmations before it overload the target on purpose, and the stack then carries their residue for 64*T1 (32 s):
 * Timer J/L records of every overloaded call and the 2xx retransmissions of calls sipp abandoned. Measured in the same
 * process 5 s after a 3,000 calls/s overload, p99 was 64 ms against 8-24 ms fresh (docs/sip.md, "Tail latency").
 * Kamailio gets the same treatment (a fresh start), so the two stay comparable.
 */
async function freshLatency(start: () => Promise<Target>, rate: number): Promise<LatencyFigure> {
  const target = await start();
  running.add(target);
  try {
    await sipp(target, 'call', Math.max(1, Math.floor(rate / 2)), Math.max(3, Math.min(STEP, 8)));
    await new Promise((r) => setTimeout(r, 1000));
    const samples: number[] = [];
    const fig: LatencyFigure = { rate, p50: null, p99: null, p99PerRun: [], failed: 0, retransmissions: 0, uas: [] };
    for (let i = 0; i < LATENCY_RUNS; i++) {
      await target.stats?.();
      const run = await sipp(target, 'call', rate, Math.min(DURATION, 30), true);
      const uas = await target.stats?.();
      if (uas) fig.uas.push(uas);
      samples.push(...run.rtt1);
      fig.p99PerRun.push(p99(run.rtt1));
      fig.failed += run.failed;
      fig.retransmissions += run.retransmissions;
      log(`${target.name} (fresh) INVITE->100 at ${rate}/s, run ${i + 1}: ${run.rtt1.length} samples, p99 ${p99(run.rtt1)} ms, failed=${run.failed} retrans=${run.retransmissions}`);
    }
    fig.p50 = p50(samples);
    fig.p99 = p99(samples);
    return fig;
  } finally {
    running.delete(target);
    await target.close();
  }
}

async function measure(start: () => Promise<Target>): Promise<Record<string, unknown>> {
  if (MODE === 'latency') {
    if (!RATE) throw new Error('--mode latency needs --rate N');
    const fig = await freshLatency(start, RATE);
    return {
      rate_per_s: RATE,
      failed: fig.failed,
      retransmissions: fig.retransmissions,
      invite_100_p50_ms: fig.p50,
      invite_100_p99_ms: fig.p99,
      invite_100_p99_ms_per_run: fig.p99PerRun,
      uas: fig.uas,
    };
  }
  const target = await start();
  running.add(target);
  try {
    if (MODE === 'register') {
      const regLadder = await ladder(target, 'register', RATE || 200);
      await target.stats?.();
      const reg = await confirm(target, 'register', regLadder['no-failures'], 'no-failures');
      const uas = await target.stats?.();
      return {
        register_auth_per_s: reg.rate === null ? null : Math.round(reg.rate),
        register_auth_ladder_per_s: reg.ladder,
        register_auth_total: reg.confirmed?.successful ?? null,
        register_confirm_attempts: reg.attempts,
        ...(uas ? { uas_during_confirmations: uas } : {}),
      };
    }
    const callLadder = await ladder(target, 'call', 100);
    const calls = await confirm(target, 'call', callLadder['no-failures'], 'no-failures');
    const strict = await confirm(target, 'call', callLadder['no-retransmissions'], 'no-retransmissions');
    const latencyAt = async (m: MaxRate): Promise<{ rate: number; run: SippRun; uas: Record<string, unknown> | undefined }> => {
      const rate = Math.max(1, Math.floor((m.rate ?? m.ladder) * 0.8));
      await target.stats?.();
      const run = await sipp(target, 'call', rate, Math.min(DURATION, 30), true);
      const uas = await target.stats?.();
      log(`${target.name} INVITE->100 at ${rate}/s: ${run.rtt1.length} samples, failed=${run.failed} retrans=${run.retransmissions}`);
      return { rate, run, uas };
    };
    const lat = await latencyAt(calls);
    // The strict-rate figure is taken in a fresh, warmed-up process (see `freshLatency`), LATENCY_RUNS times.
    const latStrict = await freshLatency(target.name === 'stack' ? () => startStack() : startKamailio, Math.max(1, Math.floor((strict.rate ?? strict.ladder) * 0.8)));
    const latTuned = target.name === 'stack' && UAS_TUNED_FLAGS.length ? await freshLatency(() => startStack(UAS_TUNED_FLAGS), latStrict.rate) : undefined;
    const regLadder = await ladder(target, 'register', 200);
    const reg = await confirm(target, 'register', regLadder['no-failures'], 'no-failures');
    return {
      calls_per_s: calls.rate === null ? null : Math.round(calls.rate),
      calls_ladder_per_s: calls.ladder,
      calls_failed: calls.confirmed?.failed ?? null,
      calls_total: calls.confirmed?.successful ?? null,
      calls_retransmissions: calls.confirmed?.retransmissions ?? null,
      invite_100_p99_ms: p99(lat.run.rtt1),
      invite_100_p50_ms: p50(lat.run.rtt1),
      latency_rate_per_s: lat.rate,
      calls_no_retransmit_per_s: strict.rate === null ? null : Math.round(strict.rate),
      calls_no_retransmit_ladder_per_s: strict.ladder,
      calls_no_retransmit_total: strict.confirmed?.successful ?? null,
      invite_100_p99_ms_at_80pct_no_retransmit: latStrict.p99,
      invite_100_p50_ms_at_80pct_no_retransmit: latStrict.p50,
      invite_100_p99_ms_at_80pct_no_retransmit_per_run: latStrict.p99PerRun,
      latency_no_retransmit_rate_per_s: latStrict.rate,
      latency_no_retransmit_failed: latStrict.failed,
      latency_no_retransmit_retransmissions: latStrict.retransmissions,
      register_auth_per_s: reg.rate === null ? null : Math.round(reg.rate),
      register_auth_ladder_per_s: reg.ladder,
      register_confirm_attempts: reg.attempts,
      ...(latStrict.uas.length ? { uas_at_80pct_no_retransmit: latStrict.uas } : {}),
      ...(latTuned
        ? {
            tuned_flags: UAS_TUNED_FLAGS.join(' '),
            invite_100_p99_ms_at_80pct_no_retransmit_tuned: latTuned.p99,
            invite_100_p50_ms_at_80pct_no_retransmit_tuned: latTuned.p50,
            invite_100_p99_ms_at_80pct_no_retransmit_tuned_per_run: latTuned.p99PerRun,
            uas_at_80pct_no_retransmit_tuned: latTuned.uas,
          }
        : {}),
    };
  } finally {
    running.delete(target);
    await target.close();
  }
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {
    benchmark: 'sip',
    date: new Date().toISOString(),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
    duration_s: DURATION,
    step_s: STEP,
    kamailio_children: CHILDREN,
    mode: MODE,
    uas_node_flags: UAS_NODE_FLAGS.join(' '),
  };
  if (TARGETS.includes('stack')) out.stack = await measure(startStack);
  if (TARGETS.includes('kamailio')) out.kamailio = await measure(startKamailio);
  const s = out.stack as Record<string, number | null> | undefined;
  const k = out.kamailio as Record<string, number | null> | undefined;
  if (MODE !== 'full') {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  if (s && k) {
    out.ratio_vs_kamailio = {
      calls_per_s: k.calls_per_s && s.calls_per_s ? +(s.calls_per_s / k.calls_per_s).toFixed(2) : null,
      calls_no_retransmit_per_s: k.calls_no_retransmit_per_s && s.calls_no_retransmit_per_s ? +(s.calls_no_retransmit_per_s / k.calls_no_retransmit_per_s).toFixed(2) : null,
      register_auth_per_s: k.register_auth_per_s && s.register_auth_per_s ? +(s.register_auth_per_s / k.register_auth_per_s).toFixed(2) : null,
      register_auth_ladder_per_s: k.register_auth_ladder_per_s && s.register_auth_ladder_per_s ? +(s.register_auth_ladder_per_s / k.register_auth_ladder_per_s).toFixed(2) : null,
    };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
