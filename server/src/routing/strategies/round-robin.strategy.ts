// Agents take turns per queue: the one this queue served least recently is next.
import { pickMin, type Strategy } from '../routing.types.ts';

export const roundRobin: Strategy = {
  description: 'Agents take turns in each queue',
  ringAll: false,
  choose: (_task, candidates) => {
    const best = pickMin(candidates, (c) => c.lastAssignedInQueueAt);
    return best ? [best.agentId] : [];
  },
};
