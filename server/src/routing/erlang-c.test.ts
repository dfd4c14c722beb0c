import { describe, expect, test } from 'vitest';
import { agentsForServiceLevel, averageSpeedOfAnswer, probabilityOfWait, serviceLevel } from './erlang-c.ts';

// The textbook vector: 360 calls in 30 minutes, 240 s average handle time, 55 agents (48 erlangs).
const vector = { arrivalRate: 360 / 1800, handleSeconds: 240, agents: 55 };

describe('Erlang C', () => {
  test('gives P(wait) ≈ 0.2387 for the known vector', () => {
    expect(probabilityOfWait(vector)).toBeCloseTo(0.2387, 4);
  });
  test('gives an average speed of answer ≈ 8.2 s for the known vector', () => {
    expect(averageSpeedOfAnswer(vector)).toBeCloseTo(8.18, 2);
  });
  test('gives ≈ 84.6 % answered within 15 s for the known vector', () => {
    expect(serviceLevel(vector, 15)).toBeCloseTo(0.846, 3);
  });
  test('says every call waits when the agents cannot keep up', () => {
    expect(probabilityOfWait({ ...vector, agents: 48 })).toBe(1);
    expect(averageSpeedOfAnswer({ ...vector, agents: 40 })).toBe(Infinity);
  });
  test('finds the fewest agents for a service-level target', () => {
    const n = agentsForServiceLevel(vector.arrivalRate, vector.handleSeconds, 0.8, 20);
    expect(serviceLevel({ ...vector, agents: n }, 20)).toBeGreaterThanOrEqual(0.8);
    expect(serviceLevel({ ...vector, agents: n - 1 }, 20)).toBeLessThan(0.8);
  });
  test('stays finite for a large center (500 agents)', () => {
    const p = probabilityOfWait({ arrivalRate: 2, handleSeconds: 240, agents: 500 });
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });
});
