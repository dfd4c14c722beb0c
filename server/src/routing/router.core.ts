// The routing decision engine, in memory and free of I/O: queues, agents with capacity and skills, waiting
// tasks in priority order, reservations (offers) and assignments. The service around it persists every step
// and sends offers; the simulation and the benchmark drive it directly with a virtual clock.
import { routableStates } from './agent-state.machine.ts';
import { strategies } from './strategies/index.ts';
import type { AgentStateName, Candidate, StrategyContext, TaskChannel } from './routing.types.ts';
import type { CoreAgent, CoreAgentInput, CoreQueue, CoreTask, CoreTaskInput, Decision, Membership, QueueCounters } from './router.core.types.ts';

export type { CoreAgentInput, CoreQueue, CoreTaskInput, Decision, Membership, OverflowRule, PriorityRule, QueueCounters } from './router.core.types.ts';

const capacityChannel = (channel: TaskChannel): TaskChannel => (channel === 'callback' ? 'voice' : channel);
const emptyCounters = (): QueueCounters => ({ offered: 0, answered: 0, abandoned: 0, answeredWithinTarget: 0, handleSecondsSum: 0, handled: 0, waitSecondsSum: 0 });
/** Without history, estimated waits assume three minutes per task. */
export const DEFAULT_HANDLE_SECONDS = 180;

export class RouterCore {
  private readonly queues = new Map<string, CoreQueue>();
  private readonly members = new Map<string, Set<string>>();
  private readonly agents = new Map<string, CoreAgent>();
  private readonly tasks = new Map<string, CoreTask>();
  /** Tasks neither offered nor assigned. */
  private readonly waitingTasks = new Set<CoreTask>();
  /** The same tasks by queue, so that a change in one queue looks at that queue only. */
  private readonly waitingByQueue = new Map<string, Set<CoreTask>>();
  private readonly counters = new Map<string, QueueCounters>();
  private day = '';

  constructor(private readonly context: { random(): number; /** The current day (UTC date) for the per-day counters. */ day?(): string }) {}

  // Configuration

  upsertQueue(queue: CoreQueue): void {
    this.queues.set(queue.id, queue);
    if (!this.members.has(queue.id)) this.members.set(queue.id, new Set());
  }

  removeQueue(queueId: string): void {
    this.queues.delete(queueId);
    this.members.delete(queueId);
  }

  queue(queueId: string): CoreQueue | undefined {
    return this.queues.get(queueId);
  }

  upsertAgent(input: CoreAgentInput, now: number): void {
    const existing = this.agents.get(input.id);
    for (const [queueId, set] of this.members) if (!input.memberships.has(queueId)) set.delete(input.id);
    for (const queueId of input.memberships.keys()) this.members.get(queueId)?.add(input.id);
    if (existing) {
      Object.assign(existing, input);
      return;
    }
    this.agents.set(input.id, { ...input, idleSince: now, work: new Map(), reserved: new Map(), interactionsToday: 0, lastAssignedInQueue: new Map() });
  }

  agentState(agentId: string): AgentStateName | undefined {
    return this.agents.get(agentId)?.state;
  }

  setAgentState(agentId: string, state: AgentStateName): void {
    const agent = this.agents.get(agentId);
    if (agent) agent.state = state;
  }

  /** The agent's tasks in hand and on offer. */
  agentLoad(agentId: string): { work: string[]; reserved: string[] } {
    const agent = this.agents.get(agentId);
    return { work: [...(agent?.work.keys() ?? [])], reserved: [...(agent?.reserved.keys() ?? [])] };
  }

  // Tasks

  /** Adds a waiting task; `restored` ones (reloaded after a restart) were counted when first offered. */
  enqueue(input: CoreTaskInput, options: { restored?: boolean } = {}): void {
    const queue = this.queues.get(input.queueId);
    let boost = 0;
    for (const rule of queue?.priorityRules ?? []) if (input.attributes[rule.attribute] === rule.equals) boost += rule.boost;
    const task: CoreTask = { ...input, status: 'waiting', boost, relaxBy: 0, overflowStep: 0, offeredTo: [], declinedBy: new Set(), assignedTo: null };
    this.tasks.set(input.id, task);
    this.addWaiting(task);
    if (!options.restored) this.count(input.queueId).offered++;
  }

  /** A task that was already assigned before a restart: it occupies its agent's capacity. */
  restoreAssigned(input: CoreTaskInput, agentId: string): void {
    this.tasks.set(input.id, { ...input, status: 'assigned', boost: 0, relaxBy: 0, overflowStep: 0, offeredTo: [], declinedBy: new Set(), assignedTo: agentId });
    this.agents.get(agentId)?.work.set(input.id, input.channel);
  }

  has(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  task(taskId: string): Readonly<CoreTask> | undefined {
    return this.tasks.get(taskId);
  }

  /**
   * Matches waiting tasks (highest priority, then longest waiting, first) to agents and reserves them. With
   * `queueIds`, only those queues' tasks are considered: after a task arrives (its queue) or an agent frees up
   * (the agent's queues) nothing else can have become routable.
   */
  route(now: number, queueIds?: Iterable<string>): Decision[] {
    const decisions: Decision[] = [];
    if (this.waitingTasks.size === 0 || !this.anyRoutableAgent()) return decisions;
    let waiting: CoreTask[];
    if (queueIds) {
      waiting = [];
      // A queue named twice must not list its tasks twice (each would be offered once per listing).
      for (const id of new Set(queueIds)) for (const t of this.waitingByQueue.get(id) ?? []) waiting.push(t);
    } else {
      waiting = [...this.waitingTasks];
    }
    if (waiting.length === 0) return decisions;
    waiting.sort((a, b) => this.priorityOf(b, now) - this.priorityOf(a, now) || a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : 1));
    const context: StrategyContext = { now, random: () => this.context.random() };
    // Tasks alike in queue, channel and skills find the same agents: once one finds none, skip the others.
    const hopeless = new Set<string>();
    for (const task of waiting) {
      const queue = this.queues.get(task.queueId);
      if (!queue) continue;
      const key = `${task.queueId}|${task.channel}|${task.relaxBy}|${task.requiredSkills.map((r) => `${r.skill}>${r.minLevel}`).join(',')}`;
      if (hopeless.has(key)) continue;
      const candidates = this.candidates(task);
      if (candidates.length === 0) {
        hopeless.add(key);
        continue;
      }
      const chosen = strategies[queue.strategy].choose(task, candidates, context);
      if (chosen.length === 0) continue;
      task.status = 'offered';
      this.removeWaiting(task);
      task.offeredTo = chosen;
      for (const agentId of chosen) this.agents.get(agentId)!.reserved.set(task.id, task.channel);
      decisions.push({ taskId: task.id, queueId: task.queueId, agentIds: chosen });
    }
    return decisions;
  }

  /** The agent took the task. Returns the other agents whose offers (ring-all) are withdrawn. */
  accept(taskId: string, agentId: string, now: number): { revoked: string[]; waitSeconds: number } {
    const task = this.tasks.get(taskId);
    const agent = this.agents.get(agentId);
    if (!task || !agent || task.status !== 'offered' || !task.offeredTo.includes(agentId)) throw new Error(`task ${taskId} is not offered to ${agentId}`);
    const revoked = task.offeredTo.filter((id) => id !== agentId);
    for (const id of task.offeredTo) this.agents.get(id)?.reserved.delete(taskId);
    task.status = 'assigned';
    task.assignedTo = agentId;
    task.offeredTo = [];
    agent.work.set(taskId, task.channel);
    agent.interactionsToday++;
    agent.lastAssignedInQueue.set(task.queueId, now);
    if (agent.state === 'available') agent.state = 'busy';
    const waitSeconds = (now - task.enqueuedAt) / 1000;
    const counters = this.count(task.queueId);
    counters.answered++;
    counters.waitSecondsSum += waitSeconds;
    if (waitSeconds <= (this.queues.get(task.queueId)?.serviceLevelSeconds ?? 0)) counters.answeredWithinTarget++;
    return { revoked, waitSeconds };
  }

  /** The agent rejected the offer, let it time out or went away: the task waits again, keeping its place. */
  decline(taskId: string, agentId: string, reason: 'rejected' | 'timeout' | 'disconnected'): void {
    const task = this.tasks.get(taskId);
    const agent = this.agents.get(agentId);
    agent?.reserved.delete(taskId);
    if (agent && reason === 'timeout' && agent.work.size === 0) agent.state = 'missed';
    if (!task || task.status !== 'offered' || !task.offeredTo.includes(agentId)) return;
    task.offeredTo = task.offeredTo.filter((id) => id !== agentId);
    task.declinedBy.add(agentId);
    if (task.offeredTo.length === 0) {
      task.status = 'waiting';
      this.addWaiting(task);
    }
  }

  /** The work ended (hang-up, chat closed). Returns the agent and whether after-call work follows. */
  complete(taskId: string, now: number, handleSeconds?: number): { agentId: string | null; acwSeconds: number } {
    const task = this.tasks.get(taskId);
    if (!task) return { agentId: null, acwSeconds: 0 };
    this.tasks.delete(taskId);
    this.removeWaiting(task);
    const agent = task.assignedTo ? this.agents.get(task.assignedTo) : undefined;
    if (!agent) return { agentId: null, acwSeconds: 0 };
    agent.work.delete(taskId);
    if (handleSeconds !== undefined) {
      const counters = this.count(task.queueId);
      counters.handled++;
      counters.handleSecondsSum += handleSeconds;
    }
    const acwSeconds = this.queues.get(task.queueId)?.acwSeconds ?? 0;
    if (agent.work.size === 0) {
      agent.idleSince = now;
      if (agent.state === 'busy') agent.state = acwSeconds > 0 ? 'acw' : 'available';
    }
    return { agentId: agent.id, acwSeconds: agent.state === 'acw' ? acwSeconds : 0 };
  }

  /** The customer left before an agent took the task. Returns agents whose offers are withdrawn. */
  cancel(taskId: string, now: number): { revoked: string[] } {
    const task = this.tasks.get(taskId);
    if (!task) return { revoked: [] };
    if (task.status === 'assigned') {
      this.complete(taskId, now);
      return { revoked: [] };
    }
    for (const id of task.offeredTo) this.agents.get(id)?.reserved.delete(taskId);
    this.tasks.delete(taskId);
    this.removeWaiting(task);
    this.count(task.queueId).abandoned++;
    return { revoked: task.offeredTo };
  }

  /** Applies overflow rules and maximum waits to waiting tasks. */
  tick(now: number): { moved: { taskId: string; queueId: string }[]; expired: string[]; touchedQueues: Set<string> } {
    const moved: { taskId: string; queueId: string }[] = [];
    const expired: string[] = [];
    /** Queues whose tasks became routable to more agents (relaxed skills, overflow arrivals). */
    const touchedQueues = new Set<string>();
    for (const task of this.waitingTasks) {
      const queue = this.queues.get(task.queueId);
      if (!queue) continue;
      const waited = (now - task.enqueuedAt) / 1000;
      if (queue.maxWaitSeconds !== null && waited >= queue.maxWaitSeconds) {
        expired.push(task.id);
        continue;
      }
      const rule = queue.overflow[task.overflowStep];
      if (!rule || waited < rule.afterSeconds) continue;
      task.overflowStep++;
      if (rule.action === 'relax_skills') {
        task.relaxBy += rule.by;
        touchedQueues.add(task.queueId);
      } else if (this.queues.has(rule.queueId)) {
        this.removeWaiting(task);
        task.queueId = rule.queueId;
        this.addWaiting(task);
        touchedQueues.add(task.queueId);
        task.overflowStep = 0;
        task.declinedBy.clear();
        moved.push({ taskId: task.id, queueId: rule.queueId });
      }
    }
    return { moved, expired, touchedQueues };
  }

  // Figures

  /** Position (1 = next) and estimated wait of a waiting task, from handle times and staffed agents. */
  estimate(taskId: string, now: number): { position: number; estimatedWaitSeconds: number | null } | undefined {
    const task = this.tasks.get(taskId);
    if (!task || task.status === 'assigned') return undefined;
    let position = 1;
    const mine = this.priorityOf(task, now);
    for (const other of this.tasks.values()) {
      if (other === task || other.queueId !== task.queueId || other.status === 'assigned') continue;
      const p = this.priorityOf(other, now);
      if (p > mine || (p === mine && (other.enqueuedAt < task.enqueuedAt || (other.enqueuedAt === task.enqueuedAt && other.id < task.id)))) position++;
    }
    return { position, estimatedWaitSeconds: this.estimatedWait(task.queueId, position) };
  }

  /** Expected wait of the task at `position`: position × average handle time ÷ staffed agents. */
  estimatedWait(queueId: string, position: number): number | null {
    let staffed = 0;
    for (const agentId of this.members.get(queueId) ?? []) {
      const state = this.agents.get(agentId)?.state;
      if (state === 'available' || state === 'busy' || state === 'acw') staffed++;
    }
    if (staffed === 0) return null;
    const c = this.counters.get(queueId);
    const aht = c && c.handled > 0 ? c.handleSecondsSum / c.handled : DEFAULT_HANDLE_SECONDS;
    return Math.round((position * aht) / staffed);
  }

  queueSnapshot(queueId: string, now: number) {
    let waiting = 0;
    let oldest = now;
    for (const t of this.tasks.values()) {
      if (t.queueId !== queueId || t.status === 'assigned') continue;
      waiting++;
      oldest = Math.min(oldest, t.enqueuedAt);
    }
    const agentsByState: Record<AgentStateName, number> = { offline: 0, available: 0, away: 0, busy: 0, acw: 0, missed: 0 };
    for (const agentId of this.members.get(queueId) ?? []) {
      const a = this.agents.get(agentId);
      if (a) agentsByState[a.state]++;
    }
    return { waiting, longestWaitSeconds: (now - oldest) / 1000, counters: { ...this.count(queueId) }, agentsByState };
  }

  /** Per-day counters restored after a restart. */
  restoreCounters(queueId: string, counters: QueueCounters): void {
    this.count(queueId);
    this.counters.set(queueId, counters);
  }

  /** The agents who serve a queue. */
  membersOf(queueId: string): string[] {
    return [...(this.members.get(queueId) ?? [])];
  }

  /** The queues an agent serves (to scope `route` after the agent frees up). */
  queuesOf(agentId: string): Iterable<string> {
    return this.agents.get(agentId)?.memberships.keys() ?? [];
  }

  // Internals

  private addWaiting(task: CoreTask): void {
    this.waitingTasks.add(task);
    let set = this.waitingByQueue.get(task.queueId);
    if (!set) this.waitingByQueue.set(task.queueId, (set = new Set()));
    set.add(task);
  }

  private removeWaiting(task: CoreTask): void {
    this.waitingTasks.delete(task);
    this.waitingByQueue.get(task.queueId)?.delete(task);
  }

  private count(queueId: string): QueueCounters {
    const today = this.context.day ? this.context.day() : new Date().toISOString().slice(0, 10);
    if (today !== this.day) {
      this.day = today;
      this.counters.clear();
      for (const agent of this.agents.values()) agent.interactionsToday = 0;
    }
    let c = this.counters.get(queueId);
    if (!c) this.counters.set(queueId, (c = emptyCounters()));
    return c;
  }

  private priorityOf(task: CoreTask, now: number): number {
    const aging = this.queues.get(task.queueId)?.agingPerMinute ?? 0;
    return task.priority + task.boost + (aging * (now - task.enqueuedAt)) / 60_000;
  }

  private anyRoutableAgent(): boolean {
    for (const agent of this.agents.values()) if (routableStates.has(agent.state)) return true;
    return false;
  }

  private hasCapacity(agent: CoreAgent, channel: TaskChannel): boolean {
    const ch = capacityChannel(channel);
    const cap = agent.capacity[ch] ?? 0;
    if (cap <= 0) return false;
    if (agent.work.size === 0 && agent.reserved.size === 0) return true;
    let used = 0;
    let voice = false;
    for (const held of [agent.work, agent.reserved]) {
      for (const c of held.values()) {
        const cc = capacityChannel(c);
        if (cc === ch) used++;
        if (cc === 'voice') voice = true;
      }
    }
    if (used >= cap) return false;
    return !(agent.callBlocksChats && voice && ch !== 'voice');
  }

  private occupancy(agent: CoreAgent): number {
    let total = 0;
    for (const n of Object.values(agent.capacity)) total += n ?? 0;
    return total > 0 ? (agent.work.size + agent.reserved.size) / total : 1;
  }

  private candidates(task: CoreTask): Candidate[] {
    const eligible: { agent: CoreAgent; membership: Membership }[] = [];
    let bestPriority = Infinity;
    for (const agentId of this.members.get(task.queueId) ?? []) {
      const agent = this.agents.get(agentId)!;
      if (!routableStates.has(agent.state) || agent.reserved.has(task.id) || !this.hasCapacity(agent, task.channel)) continue;
      if (!task.requiredSkills.every((r) => (agent.skills.get(r.skill) ?? 0) >= r.minLevel - task.relaxBy)) continue;
      const membership = agent.memberships.get(task.queueId)!;
      eligible.push({ agent, membership });
      bestPriority = Math.min(bestPriority, membership.priority);
    }
    let tier = eligible.filter((e) => e.membership.priority === bestPriority);
    // Agents who declined this task get it again only when nobody else can take it.
    const fresh = tier.filter((e) => !task.declinedBy.has(e.agent.id));
    if (fresh.length > 0) tier = fresh;
    return tier.map(({ agent, membership }) => ({
      agentId: agent.id,
      idleSince: agent.work.size === 0 ? agent.idleSince : Number.MAX_SAFE_INTEGER,
      lastAssignedInQueueAt: agent.lastAssignedInQueue.get(task.queueId) ?? 0,
      interactionsToday: agent.interactionsToday,
      occupancy: this.occupancy(agent),
      skills: agent.skills,
      queueSkillLevel: membership.skillLevel,
    }));
  }
}
