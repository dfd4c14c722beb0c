// The agent who has been without work the longest gets the task: the fairest default for voice.
import { pickMin, type Strategy } from '../routing.types.ts';

export const longestIdle: Strategy = {
  description: 'The agent idle the longest',
  ringAll: false,
  choose: (_task, candidates) => {
    const best = pickMin(candidates, (c) => c.idleSince);
    return best ? [best.agentId] : [];
  },
};
