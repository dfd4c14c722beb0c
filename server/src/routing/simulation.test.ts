// The router against queueing theory: a deterministic simulation on a virtual clock (seeded Poisson arrivals,
// exponential handle times, agents answering at once) must reproduce Erlang C, which holds only when no agent
// sits idle while a call waits. Tolerances are about two standard errors of the replications below (8 × 24 h:
// SL 85.0 % vs 84.6 %, ASA 7.2 s vs 8.2 s).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { agentsForServiceLevel, averageSpeedOfAnswer, serviceLevel } from './erlang-c.ts';
import { simulate, type SimulationPeriod } from './simulation.ts';

/** ../shared/testdata beside the repository, as for every test vector. */
const CSV = path.resolve(import.meta.dirname, '../../../../shared/testdata/callcenter/anonymous-bank-1999-arrivals-6min.csv');

/** Calls per hour of one day of the Anonymous Bank 1999 data (6-minute intervals, 10 per hour). */
function hourlyCalls(date: string): number[] {
  const lines = fs.readFileSync(CSV, 'utf8').trim().split('\n').slice(1);
  const day = lines.map((l) => l.split(',')).filter((c) => c[2] === date);
  expect(day).toHaveLength(240);
  return Array.from({ length: 24 }, (_, h) => day.slice(h * 10, h * 10 + 10).reduce((sum, c) => sum + Number(c[0]), 0));
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('simulation against Erlang C', () => {
  test('a steady 360 calls per 30 min, 240 s handle time and 55 agents give Erlang C service level and speed of answer', () => {
    const input = { arrivalRate: 360 / 1800, handleSeconds: 240, agents: 55 };
    const runs = Array.from({ length: 8 }, (_, i) =>
      simulate({ periods: [{ seconds: 24 * 3600, arrivalRate: input.arrivalRate, agents: input.agents }], handleSeconds: 240, serviceLevelSeconds: 15, seed: i + 1 }),
    );
    expect(mean(runs.map((r) => r.calls))).toBeGreaterThan(17_000);
    // Erlang C: 84.6 % within 15 s and ASA 8.2 s; tolerance ±3 points and ±20 %.
    expect(Math.abs(mean(runs.map((r) => r.serviceLevel)) - serviceLevel(input, 15))).toBeLessThan(0.03);
    expect(Math.abs(mean(runs.map((r) => r.averageSpeedOfAnswer)) / averageSpeedOfAnswer(input) - 1)).toBeLessThan(0.2);
    expect(runs.every((r) => r.idleWhileWaitingSeconds === 0)).toBe(true);
  }, 120_000);

  test('a day of the bank data (×10), staffed per hour for 80 % in 20 s, meets the Erlang C forecast', () => {
    const handleSeconds = 180;
    const periods: SimulationPeriod[] = hourlyCalls('1999-07-04').map((calls) => {
      const arrivalRate = (calls * 10) / 3600;
      return { seconds: 3600, arrivalRate, agents: arrivalRate > 0 ? agentsForServiceLevel(arrivalRate, handleSeconds, 0.8, 20) : 0 };
    });
    const runs = [1, 2].map((seed) => simulate({ periods, handleSeconds, serviceLevelSeconds: 20, seed }));
    // The forecast: Erlang C per hour, weighted by each hour's arrivals.
    let calls = 0;
    let slSum = 0;
    let asaSum = 0;
    periods.forEach((p, h) => {
      const arrivals = mean(runs.map((r) => r.periods[h]!.arrivals));
      if (arrivals === 0) return;
      const input = { arrivalRate: p.arrivalRate, handleSeconds, agents: p.agents };
      calls += arrivals;
      slSum += arrivals * serviceLevel(input, 20);
      asaSum += arrivals * averageSpeedOfAnswer(input);
    });
    expect(calls).toBeGreaterThan(20_000);
    // Erlang C is a steady state; hour-to-hour staffing changes add transients, hence ±5 points and ±40 %.
    expect(Math.abs(mean(runs.map((r) => r.serviceLevel)) - slSum / calls)).toBeLessThan(0.05);
    expect(Math.abs(mean(runs.map((r) => r.averageSpeedOfAnswer)) / (asaSum / calls) - 1)).toBeLessThan(0.4);
    expect(runs.every((r) => r.idleWhileWaitingSeconds === 0)).toBe(true);
  }, 120_000);

  test('the same seed gives the same figures', () => {
    const input = { periods: [{ seconds: 3600, arrivalRate: 0.2, agents: 55 }], handleSeconds: 240, serviceLevelSeconds: 15, seed: 42 };
    expect(simulate(input)).toEqual(simulate(input));
  });
});
