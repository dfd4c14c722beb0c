// The shapes RouterCore works with: queue rules, agents with memberships and capacity, tasks, decisions.
import type { StrategyName } from './strategies/index.ts';
import type { AgentStateName, SkillRequirement, TaskChannel } from './routing.types.ts';

export type OverflowRule =
  | { afterSeconds: number; action: 'queue'; queueId: string }
  | { afterSeconds: number; action: 'relax_skills'; by: number };

/** Adds `boost` to a task's priority when its attribute equals the value (e.g. vip = true). */
export interface PriorityRule {
  attribute: string;
  equals: string | number | boolean;
  boost: number;
}

export interface CoreQueue {
  id: string;
  strategy: StrategyName;
  serviceLevelSeconds: number;
  maxWaitSeconds: number | null;
  overflow: readonly OverflowRule[];
  priorityRules: readonly PriorityRule[];
  /** Priority points a waiting task gains per minute. */
  agingPerMinute: number;
  acwSeconds: number;
}

export interface Membership {
  skillLevel: number;
  /** 1 is served first; agents of a higher number get tasks only when no better-priority agent can. */
  priority: number;
}

export interface CoreAgentInput {
  id: string;
  state: AgentStateName;
  capacity: Partial<Record<TaskChannel, number>>;
  callBlocksChats: boolean;
  memberships: ReadonlyMap<string, Membership>;
  skills: ReadonlyMap<string, number>;
}

export interface CoreAgent extends CoreAgentInput {
  idleSince: number;
  work: Map<string, TaskChannel>;
  reserved: Map<string, TaskChannel>;
  interactionsToday: number;
  lastAssignedInQueue: Map<string, number>;
}

export interface CoreTaskInput {
  id: string;
  queueId: string;
  channel: TaskChannel;
  priority: number;
  enqueuedAt: number;
  attributes: Readonly<Record<string, unknown>>;
  previousAgentId: string | null;
  requiredSkills: readonly SkillRequirement[];
}

export interface CoreTask extends CoreTaskInput {
  status: 'waiting' | 'offered' | 'assigned';
  boost: number;
  relaxBy: number;
  overflowStep: number;
  offeredTo: string[];
  declinedBy: Set<string>;
  assignedTo: string | null;
}

export interface Decision {
  taskId: string;
  queueId: string;
  agentIds: string[];
}

export interface QueueCounters {
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithinTarget: number;
  handleSecondsSum: number;
  handled: number;
  waitSecondsSum: number;
}
