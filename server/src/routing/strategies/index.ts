// The strategy registry (STYLE.md: registries, not switches). Adding a strategy is adding a file and a line;
// strategy.contract.test.ts runs the same contract against every entry.
import type { Strategy } from '../routing.types.ts';
import { bestSkill } from './best-skill.strategy.ts';
import { fewestInteractions } from './fewest-interactions.strategy.ts';
import { leastOccupied } from './least-occupied.strategy.ts';
import { longestIdle } from './longest-idle.strategy.ts';
import { random } from './random.strategy.ts';
import { ringAll } from './ring-all.strategy.ts';
import { roundRobin } from './round-robin.strategy.ts';
import { sticky } from './sticky.strategy.ts';

export const strategyNames = ['longest_idle', 'round_robin', 'fewest_interactions', 'least_occupied', 'best_skill', 'ring_all', 'sticky', 'random'] as const;
export type StrategyName = (typeof strategyNames)[number];

export const strategies = {
  longest_idle: longestIdle,
  round_robin: roundRobin,
  fewest_interactions: fewestInteractions,
  least_occupied: leastOccupied,
  best_skill: bestSkill,
  ring_all: ringAll,
  sticky,
  random,
} as const satisfies Record<StrategyName, Strategy>;
