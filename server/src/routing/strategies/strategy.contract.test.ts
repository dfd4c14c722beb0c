// One contract, run against every registered strategy (STYLE.md): whatever a strategy prefers, it offers
// only candidates, never twice the same, one agent (or all for ring-all), deterministically, without
// mutating what it is given.
import { describe, expect, test } from 'vitest';
import type { Candidate, StrategyContext, StrategyTask } from '../routing.types.ts';
import { strategies, strategyNames } from './index.ts';

const now = 1_800_000_000_000;
const task = (over: Partial<StrategyTask> = {}): StrategyTask => ({
  id: 't1',
  queueId: 'q1',
  channel: 'voice',
  enqueuedAt: now - 10_000,
  previousAgentId: null,
  requiredSkills: [{ skill: 'mandarin', minLevel: 2, weight: 1 }],
  ...over,
});
const candidate = (agentId: string, i: number): Candidate => ({
  agentId,
  idleSince: now - 1000 * ((i * 7) % 11),
  lastAssignedInQueueAt: i % 3 === 0 ? 0 : now - 500 * ((i * 5) % 13),
  interactionsToday: (i * 3) % 5,
  occupancy: ((i * 2) % 4) / 4,
  skills: new Map([['mandarin', 2 + (i % 4)]]),
  queueSkillLevel: 1 + (i % 5),
});
const pool = Array.from({ length: 12 }, (_, i) => candidate(`agent-${String(i).padStart(2, '0')}`, i));

function seeded(seed: number): StrategyContext {
  let s = seed >>> 0;
  return { now, random: () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) };
}

describe.each(strategyNames)('strategy %s', (name) => {
  const strategy = strategies[name];

  test('offers nobody when there are no candidates', () => {
    expect(strategy.choose(task(), [], seeded(1))).toEqual([]);
  });

  test('offers the only candidate when there is one', () => {
    expect(strategy.choose(task(), [pool[3]!], seeded(1))).toEqual([pool[3]!.agentId]);
  });

  test('offers only candidates, each at most once', () => {
    const chosen = strategy.choose(task(), pool, seeded(2));
    const ids = new Set(pool.map((c) => c.agentId));
    expect(chosen.length).toBeGreaterThan(0);
    expect(chosen.every((id) => ids.has(id))).toBe(true);
    expect(new Set(chosen).size).toBe(chosen.length);
  });

  test('offers one agent, or every candidate when it rings all', () => {
    expect(strategy.choose(task(), pool, seeded(3))).toHaveLength(strategy.ringAll ? pool.length : 1);
  });

  test('gives the same answer for the same inputs and random seed', () => {
    expect(strategy.choose(task(), pool, seeded(4))).toEqual(strategy.choose(task(), pool, seeded(4)));
  });

  test('gives the same answer whatever the order of the candidates', () => {
    const reversed = [...pool].reverse();
    expect(strategy.choose(task(), reversed, seeded(5))).toEqual(strategy.choose(task(), pool, seeded(5)));
  });

  test('does not change the candidates or the task it is given', () => {
    const copy = pool.map((c) => ({ ...c, skills: new Map(c.skills) }));
    const t = task({ previousAgentId: 'agent-05' });
    const before = JSON.stringify(t);
    strategy.choose(t, copy, seeded(6));
    expect(copy).toEqual(pool.map((c) => ({ ...c, skills: new Map(c.skills) })));
    expect(JSON.stringify(t)).toBe(before);
  });

  test("never offers a previous agent who is not among the candidates", () => {
    const chosen = strategy.choose(task({ previousAgentId: 'agent-absent' }), pool.slice(0, 4), seeded(7));
    expect(chosen).not.toContain('agent-absent');
  });

  test('has a description for the admin console', () => {
    expect(strategy.description.length).toBeGreaterThan(5);
  });
});
