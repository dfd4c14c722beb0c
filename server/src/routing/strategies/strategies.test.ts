// What each strategy prefers, one sentence each.
import { describe, expect, test } from 'vitest';
import type { Candidate, StrategyTask } from '../routing.types.ts';
import { strategies } from './index.ts';

const now = 1_800_000_000_000;
const task: StrategyTask = { id: 't', queueId: 'q', channel: 'chat', enqueuedAt: now, previousAgentId: null, requiredSkills: [{ skill: 'billing', minLevel: 1, weight: 2 }] };
const base: Candidate = { agentId: 'a', idleSince: now, lastAssignedInQueueAt: 0, interactionsToday: 0, occupancy: 0, skills: new Map(), queueSkillLevel: 1 };
const c = (agentId: string, over: Partial<Candidate>): Candidate => ({ ...base, agentId, ...over });
const ctx = { now, random: () => 0.99 };

describe('strategy preferences', () => {
  test('longest idle picks the agent free the longest', () => {
    expect(strategies.longest_idle.choose(task, [c('a', { idleSince: now - 5 }), c('b', { idleSince: now - 50 })], ctx)).toEqual(['b']);
  });
  test('round robin picks the agent this queue served least recently', () => {
    expect(strategies.round_robin.choose(task, [c('a', { lastAssignedInQueueAt: now - 5 }), c('b', { lastAssignedInQueueAt: now - 1 })], ctx)).toEqual(['a']);
  });
  test('fewest interactions picks the agent with the fewest today', () => {
    expect(strategies.fewest_interactions.choose(task, [c('a', { interactionsToday: 4 }), c('b', { interactionsToday: 2 })], ctx)).toEqual(['b']);
  });
  test('least occupied picks the agent using the least capacity', () => {
    expect(strategies.least_occupied.choose(task, [c('a', { occupancy: 0.66 }), c('b', { occupancy: 0.33 })], ctx)).toEqual(['b']);
  });
  test('best skill weighs the required skills', () => {
    const a = c('a', { skills: new Map([['billing', 2]]), queueSkillLevel: 3 }); // 3 + 2×2 = 7
    const b = c('b', { skills: new Map([['billing', 4]]), queueSkillLevel: 1 }); // 1 + 2×4 = 9
    expect(strategies.best_skill.choose(task, [a, b], ctx)).toEqual(['b']);
  });
  test('ring all offers everyone, longest idle first', () => {
    expect(strategies.ring_all.choose(task, [c('a', { idleSince: now }), c('b', { idleSince: now - 9 })], ctx)).toEqual(['b', 'a']);
  });
  test("sticky picks the customer's previous agent even when another is idle longer", () => {
    expect(strategies.sticky.choose({ ...task, previousAgentId: 'a' }, [c('a', { idleSince: now }), c('b', { idleSince: now - 99 })], ctx)).toEqual(['a']);
  });
  test('random follows its random source', () => {
    expect(strategies.random.choose(task, [c('a', {}), c('b', {}), c('c', {})], ctx)).toEqual(['c']);
    expect(strategies.random.choose(task, [c('a', {}), c('b', {}), c('c', {})], { now, random: () => 0 })).toEqual(['a']);
  });
});
