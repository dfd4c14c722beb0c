// A deterministic call-center simulation on a virtual clock, driving RouterCore directly: Poisson arrivals
// (piecewise constant rates), exponential handle times, agents who answer at once. Used by the simulation test
// (against Erlang C) and the benchmark. No timers, no wall clock: the same seed gives the same figures.
import { RouterCore } from './router.core.ts';
import type { StrategyName } from './strategies/index.ts';

/** A seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const exponential = (random: () => number, mean: number) => -Math.log(1 - random()) * mean;

/** A binary min-heap of timed events. */
class EventHeap<T> {
  private readonly items: { at: number; seq: number; value: T }[] = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  push(at: number, value: T): void {
    const items = this.items;
    items.push({ at, seq: this.seq++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(parent, i)) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  pop(): { at: number; value: T } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }
  private less(a: number, b: number): boolean {
    const x = this.items[a]!;
    const y = this.items[b]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}

export interface SimulationPeriod {
  /** Length in seconds. */
  seconds: number;
  /** Arrivals per second during the period. */
  arrivalRate: number;
  /** Agents signed in (available) during the period. */
  agents: number;
}

export interface SimulationInput {
  periods: readonly SimulationPeriod[];
  handleSeconds: number;
  serviceLevelSeconds: number;
  seed: number;
  strategy?: StrategyName;
}

export interface PeriodResult {
  arrivals: number;
  answered: number;
  withinTarget: number;
  waitSecondsSum: number;
}

export interface SimulationResult {
  periods: PeriodResult[];
  calls: number;
  serviceLevel: number;
  averageSpeedOfAnswer: number;
  /** Agent-seconds available while calls waited (must be 0: the router wastes no agent time). */
  idleWhileWaitingSeconds: number;
}

type SimEvent = { kind: 'arrival'; period: number } | { kind: 'end'; taskId: string } | { kind: 'period'; period: number };

export function simulate(input: SimulationInput): SimulationResult {
  const random = seededRandom(input.seed);
  const core = new RouterCore({ random, day: () => 'sim' });
  const queueId = 'q';
  core.upsertQueue({ id: queueId, strategy: input.strategy ?? 'longest_idle', serviceLevelSeconds: input.serviceLevelSeconds, maxWaitSeconds: null, overflow: [], priorityRules: [], agingPerMinute: 0, acwSeconds: 0 });
  const maxAgents = Math.max(...input.periods.map((p) => p.agents));
  const agentIds = Array.from({ length: maxAgents }, (_, i) => `agent-${i}`);
  for (const id of agentIds) {
    core.upsertAgent({ id, state: 'offline', capacity: { voice: 1 }, callBlocksChats: true, memberships: new Map([[queueId, { skillLevel: 3, priority: 1 }]]), skills: new Map() }, 0);
  }
  const heap = new EventHeap<SimEvent>();
  const starts: number[] = [];
  let t = 0;
  for (let p = 0; p < input.periods.length; p++) {
    starts.push(t);
    heap.push(t, { kind: 'period', period: p });
    t += input.periods[p]!.seconds;
  }
  const end = t;
  const results: PeriodResult[] = input.periods.map(() => ({ arrivals: 0, answered: 0, withinTarget: 0, waitSecondsSum: 0 }));
  const periodOf = new Map<string, number>();
  let waiting = 0;
  let idleAgents = 0;
  let lastAt = 0;
  let idleWhileWaiting = 0;
  let next = 0;

  const scheduleArrival = (from: number, period: number) => {
    const rate = input.periods[period]!.arrivalRate;
    if (rate <= 0) return;
    const at = from + exponential(random, 1 / rate);
    const periodEnd = starts[period]! + input.periods[period]!.seconds;
    if (at < periodEnd) heap.push(at, { kind: 'arrival', period });
  };
  const countIdle = () => {
    idleAgents = 0;
    for (const id of agentIds) if (core.agentState(id) === 'available') idleAgents++;
  };

  while (heap.size > 0) {
    const { at, value: event } = heap.pop()!;
    if (at > end && event.kind === 'arrival') continue;
    if (waiting > 0 && idleAgents > 0) idleWhileWaiting += (at - lastAt) * Math.min(waiting, idleAgents);
    lastAt = at;
    const now = at * 1000;
    if (event.kind === 'period') {
      const n = input.periods[event.period]!.agents;
      agentIds.forEach((id, i) => {
        const state = core.agentState(id);
        if (i < n && (state === 'offline' || state === 'away')) core.setAgentState(id, core.agentLoad(id).work.length > 0 ? 'busy' : 'available');
        if (i >= n && state !== 'offline' && state !== 'away') core.setAgentState(id, 'away');
      });
      scheduleArrival(at, event.period);
    } else if (event.kind === 'arrival') {
      const id = `task-${next++}`;
      periodOf.set(id, event.period);
      results[event.period]!.arrivals++;
      core.enqueue({ id, queueId, channel: 'voice', priority: 0, enqueuedAt: now, attributes: {}, previousAgentId: null, requiredSkills: [] });
      waiting++;
      scheduleArrival(at, event.period);
    } else {
      core.complete(event.taskId, now);
    }
    for (const decision of core.route(now)) {
      const agentId = decision.agentIds[0]!;
      const { waitSeconds } = core.accept(decision.taskId, agentId, now);
      waiting--;
      const r = results[periodOf.get(decision.taskId)!]!;
      r.answered++;
      r.waitSecondsSum += waitSeconds;
      if (waitSeconds <= input.serviceLevelSeconds) r.withinTarget++;
      heap.push(at + exponential(random, input.handleSeconds), { kind: 'end', taskId: decision.taskId });
    }
    if (waiting > 0) countIdle();
    else idleAgents = 0;
  }

  const total = results.reduce((s, r) => ({ a: s.a + r.answered, w: s.w + r.withinTarget, sum: s.sum + r.waitSecondsSum }), { a: 0, w: 0, sum: 0 });
  return {
    periods: results,
    calls: total.a,
    serviceLevel: total.w / total.a,
    averageSpeedOfAnswer: total.sum / total.a,
    idleWhileWaitingSeconds: idleWhileWaiting,
  };
}
