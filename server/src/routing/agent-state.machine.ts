// Agent states and the transitions between them. `busy`, `acw` and `missed` are entered by the router
// (work assigned, work ended, an offer unanswered); people choose offline, available and away.
import type { AgentStateName } from './routing.types.ts';

export const agentTransitions = {
  offline: ['available', 'away'],
  available: ['offline', 'away', 'busy', 'missed'],
  away: ['offline', 'available', 'busy'],
  busy: ['available', 'away', 'offline', 'acw', 'missed'],
  acw: ['available', 'away', 'offline', 'busy'],
  missed: ['available', 'away', 'offline'],
} as const satisfies Record<AgentStateName, readonly AgentStateName[]>;

/** The states a person may choose (for themselves, or a supervisor for an agent). */
export const chosenStates = ['offline', 'available', 'away'] as const;
export type ChosenState = (typeof chosenStates)[number];

/** States in which new work may be offered (busy: while capacity is left, e.g. a third chat). */
export const routableStates: ReadonlySet<AgentStateName> = new Set(['available', 'busy']);

export function canTransition(from: AgentStateName, to: AgentStateName): boolean {
  return from === to || (agentTransitions[from] as readonly AgentStateName[]).includes(to);
}
