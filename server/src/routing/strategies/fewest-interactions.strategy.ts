// The agent with the fewest interactions today, then the longest idle among them.
import { pickMin, type Strategy } from '../routing.types.ts';

export const fewestInteractions: Strategy = {
  description: 'The agent with the fewest interactions today',
  ringAll: false,
  choose: (_task, candidates) => {
    const fewest = Math.min(...candidates.map((c) => c.interactionsToday));
    const best = pickMin(candidates.filter((c) => c.interactionsToday === fewest), (c) => c.idleSince);
    return best ? [best.agentId] : [];
  },
};
