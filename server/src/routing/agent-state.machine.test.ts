import { describe, expect, test } from 'vitest';
import { agentTransitions, canTransition, routableStates } from './agent-state.machine.ts';

describe('agent state machine', () => {
  test('an offline agent cannot be given work', () => {
    expect(canTransition('offline', 'busy')).toBe(false);
  });
  test('an agent who missed an offer must choose to become available again', () => {
    expect(canTransition('missed', 'busy')).toBe(false);
    expect(canTransition('missed', 'available')).toBe(true);
  });
  test('after-call work is entered only from busy', () => {
    const into = Object.entries(agentTransitions).filter(([, to]) => (to as readonly string[]).includes('acw')).map(([from]) => from);
    expect(into).toEqual(['busy']);
  });
  test('only available and busy agents are offered work', () => {
    expect([...routableStates].sort()).toEqual(['available', 'busy']);
  });
  test('every state can reach offline (sign-out always works)', () => {
    for (const from of Object.keys(agentTransitions) as (keyof typeof agentTransitions)[]) expect(canTransition(from, 'offline'), from).toBe(true);
  });
});
