/**
 * Routing benchmark: the decision engine (RouterCore, the code between "a task is ready or an agent is free"
 * and "an offer is made") with 1,000 agents, 200 queues with skills, 200 arrivals/s and agent state churn,
 * on a virtual clock. Measures decision latency (p50/p99/p99.9) at 200/s, and the highest sustained decision
 * rate when the same workload runs flat out on one core. Excludes the PostgreSQL commit and the WebSocket send
 * (measured separately as `engine.*`: the full RoutingEngine with an embedded PostgreSQL, fewer decisions).
 * Prints one JSON object; progress on stderr. Options: --seconds=120 --rate=200
 */
import { cpus } from 'node:os';
import { engineFigures } from './engine.ts';
import { performance } from 'node:perf_hooks';
import { RouterCore } from '../../server/src/routing/router.core.ts';
import { seededRandom } from '../../server/src/routing/simulation.ts';
import { strategyNames } from '../../server/src/routing/strategies/index.ts';
import type { TaskChannel } from '../../server/src/routing/routing.types.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const SECONDS = Number(args.get('seconds') ?? 120);
const RATE = Number(args.get('rate') ?? 200);
const AGENTS = 1000;
const QUEUES = 200;
const SKILLS = ['mandarin', 'cantonese', 'english', 'billing', 'loans', 'cards', 'fraud', 'vip', 'tech', 'sales'];
const log = (...a: unknown[]) => console.error('[bench/routing]', ...a);

type Ev = { at: number; kind: 'arrival' | 'end' | 'churn'; id?: string };

function run(rate: number, seconds: number, seed: number) {
  const random = seededRandom(seed);
  const core = new RouterCore({ random, day: () => 'bench' });
  const queueIds = Array.from({ length: QUEUES }, (_, i) => `q${i}`);
  queueIds.forEach((id, i) =>
    core.upsertQueue({ id, strategy: strategyNames.filter((s) => s !== 'ring_all')[i % 7]!, serviceLevelSeconds: 20, maxWaitSeconds: null, overflow: [{ afterSeconds: 30, action: 'relax_skills', by: 1 }], priorityRules: [{ attribute: 'vip', equals: true, boost: 10 }], agingPerMinute: 1, acwSeconds: 0 }),
  );
  const agentIds = Array.from({ length: AGENTS }, (_, i) => `a${i}`);
  for (const id of agentIds) {
    const memberships = new Map<string, { skillLevel: number; priority: number }>();
    for (let k = 0; k < 4; k++) memberships.set(queueIds[Math.floor(random() * QUEUES)]!, { skillLevel: 1 + Math.floor(random() * 5), priority: 1 });
    const skills = new Map(SKILLS.filter(() => random() < 0.5).map((s) => [s, 1 + Math.floor(random() * 5)] as [string, number]));
    core.upsertAgent({ id, state: 'available', capacity: { voice: 1, chat: 3 }, callBlocksChats: true, memberships, skills }, 0);
  }
  // A binary heap would be faster; events are few enough per step that a sorted insert suffices here.
  const events: Ev[] = [];
  const push = (e: Ev) => {
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid]!.at <= e.at) lo = mid + 1;
      else hi = mid;
    }
    events.splice(lo, 0, e);
  };
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  push({ at: exp(1 / rate), kind: 'arrival' });
  for (let t = 0.02; t < seconds; t += 0.02) push({ at: t, kind: 'churn' }); // 50 state changes/s
  const latencies: number[] = [];
  let decisions = 0;
  let next = 0;
  let busyMs = 0;
  let lastAt = 0;
  const started = performance.now();
  while (events.length > 0) {
    const e = events.shift()!;
    if (e.at > seconds) break;
    const now = e.at * 1000;
    const t0 = performance.now();
    let scope: Iterable<string> | undefined;
    if (e.kind === 'arrival') {
      const queueId = queueIds[Math.floor(random() * QUEUES)]!;
      scope = [queueId];
      const channel: TaskChannel = random() < 0.5 ? 'voice' : 'chat';
      const skill = SKILLS[Math.floor(random() * SKILLS.length)]!;
      core.enqueue({ id: `t${next++}`, queueId, channel, priority: 0, enqueuedAt: now, attributes: { vip: random() < 0.05 }, previousAgentId: null, requiredSkills: random() < 0.5 ? [{ skill, minLevel: 2, weight: 1 }] : [] });
      push({ at: e.at + exp(1 / rate), kind: 'arrival' });
    } else if (e.kind === 'end') {
      const { agentId } = core.complete(e.id!, now);
      scope = agentId ? core.queuesOf(agentId) : [];
    } else {
      const id = agentIds[Math.floor(random() * AGENTS)]!;
      const state = core.agentState(id);
      if (state === 'available') core.setAgentState(id, 'away');
      else if (state === 'away') core.setAgentState(id, core.agentLoad(id).work.length ? 'busy' : 'available');
      scope = core.queuesOf(id);
    }
    // Overflow and maximum waits are time-driven: the router re-evaluates them every second.
    const full = Math.floor(e.at) !== Math.floor(lastAt);
    lastAt = e.at;
    const touched = full ? core.tick(now).touchedQueues : undefined;
    const made = touched && touched.size > 0 ? [...core.route(now, touched), ...core.route(now, scope)] : core.route(now, scope);
    const elapsed = performance.now() - t0;
    busyMs += elapsed;
    for (const d of made) {
      latencies.push(elapsed);
      decisions++;
      core.accept(d.taskId, d.agentIds[0]!, now);
      push({ at: e.at + exp(4), kind: 'end', id: d.taskId });
    }
  }
  const wallMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 1000) / 1000;
  return { arrivals: next, decisions, p50Ms: pct(50), p99Ms: pct(99), p999Ms: pct(99.9), maxMs: pct(100), routerBusyMs: busyMs, wallMs };
}

log(`warming up`);
run(RATE, 10, 7);
log(`${AGENTS} agents, ${QUEUES} queues, ${RATE} arrivals/s for ${SECONDS} virtual seconds`);
const steady = run(RATE, SECONDS, 1);
log(`flat out: decisions per second of router CPU time`);
const flat = run(RATE, SECONDS, 2);
log(`the full engine on an embedded PostgreSQL`);
const engine = await engineFigures(Number(args.get('engine-tasks') ?? 1000), log);

console.log(
  JSON.stringify({
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    date: new Date().toISOString(),
    workload: { agents: AGENTS, queues: QUEUES, arrivalsPerSecond: RATE, stateChangesPerSecond: 50, virtualSeconds: SECONDS },
    decisions: steady.decisions,
    decisionLatencyMs: { p50: steady.p50Ms, p99: steady.p99Ms, p999: steady.p999Ms, max: steady.maxMs },
    sustainedDecisionsPerSecond: Math.round(flat.decisions / (flat.routerBusyMs / 1000)),
    simulationWallSeconds: Math.round(flat.wallMs) / 1000,
    engine,
  }),
);
