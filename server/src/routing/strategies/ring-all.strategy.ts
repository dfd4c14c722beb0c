// Every candidate is offered the task at once; the first to accept wins (the others' offers are revoked).
// The list is ordered longest idle first so that a desktop may show who rings first.
import type { Strategy } from '../routing.types.ts';

export const ringAll: Strategy = {
  description: 'Ring every available agent; the first to accept wins',
  ringAll: true,
  choose: (_task, candidates) =>
    [...candidates].sort((a, b) => a.idleSince - b.idleSince || (a.agentId < b.agentId ? -1 : 1)).map((c) => c.agentId),
};
