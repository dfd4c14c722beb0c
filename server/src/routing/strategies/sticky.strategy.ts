// The customer's previous agent first (first-contact ownership); anyone else by longest idle.
import type { Strategy } from '../routing.types.ts';
import { longestIdle } from './longest-idle.strategy.ts';

export const sticky: Strategy = {
  description: "The customer's previous agent first, else the longest idle",
  ringAll: false,
  choose: (task, candidates, context) => {
    const previous = task.previousAgentId && candidates.find((c) => c.agentId === task.previousAgentId);
    return previous ? [previous.agentId] : longestIdle.choose(task, candidates, context);
  },
};
