// The agent using the smallest share of their capacity (chats, emails), then the longest idle.
import { pickMin, type Strategy } from '../routing.types.ts';

export const leastOccupied: Strategy = {
  description: 'The agent using the least of their capacity',
  ringAll: false,
  choose: (_task, candidates) => {
    const lowest = Math.min(...candidates.map((c) => c.occupancy));
    const best = pickMin(candidates.filter((c) => c.occupancy === lowest), (c) => c.idleSince);
    return best ? [best.agentId] : [];
  },
};
