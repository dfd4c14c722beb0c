// A uniformly random candidate (the context's random source is seeded in tests).
import type { Strategy } from '../routing.types.ts';

export const random: Strategy = {
  description: 'A random available agent',
  ringAll: false,
  choose: (_task, candidates, context) => {
    if (candidates.length === 0) return [];
    const sorted = [...candidates].sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
    return [sorted[Math.min(sorted.length - 1, Math.floor(context.random() * sorted.length))]!.agentId];
  },
};
