// The router's own vocabulary: what strategies see of a task and of the agents who could take it.
import type { AgentStateName, TaskChannel } from '@kefu/contracts';

export type { AgentStateName, TaskChannel };

export interface SkillRequirement {
  skill: string;
  /** 1–5; overflow may relax it. */
  minLevel: number;
  /** Weight in the best-skill-match score (default 1). */
  weight: number;
}

/** A task as strategies see it. */
export interface StrategyTask {
  readonly id: string;
  readonly queueId: string;
  readonly channel: TaskChannel;
  readonly enqueuedAt: number;
  /** The customer's previous agent (sticky routing), when known. */
  readonly previousAgentId: string | null;
  readonly requiredSkills: readonly SkillRequirement[];
}

/** An agent who could take the task now: member of the queue, routable, with capacity and the skills. */
export interface Candidate {
  readonly agentId: string;
  /** Epoch ms since the agent has had no work (longest idle). */
  readonly idleSince: number;
  /** Epoch ms of the last task this queue gave the agent (round robin); 0 when never. */
  readonly lastAssignedInQueueAt: number;
  readonly interactionsToday: number;
  /** Share of the agent's capacity in use, 0..1 (least occupied). */
  readonly occupancy: number;
  readonly skills: ReadonlyMap<string, number>;
  /** The membership's skill level in this queue, 1–5. */
  readonly queueSkillLevel: number;
}

export interface StrategyContext {
  readonly now: number;
  /** Uniform in [0, 1); seeded in tests and simulations. */
  random(): number;
}

export interface Strategy {
  readonly description: string;
  /** Offer to every candidate at once; the first to accept wins (voice). */
  readonly ringAll: boolean;
  /** The agents to offer the task to, best first: one agent, or all of them for ring-all. Never mutates. */
  choose(task: StrategyTask, candidates: readonly Candidate[], context: StrategyContext): string[];
}

/** Ties are broken by agent id so that every strategy is deterministic for equal inputs. */
export function pickMin<T extends { agentId: string }>(items: readonly T[], key: (item: T) => number): T | undefined {
  let best: T | undefined;
  let bestKey = Infinity;
  for (const item of items) {
    const k = key(item);
    if (k < bestKey || (k === bestKey && best !== undefined && item.agentId < best.agentId)) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}
