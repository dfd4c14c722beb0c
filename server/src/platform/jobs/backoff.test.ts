import { expect, test } from 'vitest';
import { backoffMs } from './job-runner.ts';

test('retry delays double per attempt within ±20 % jitter and stop growing at the cap', () => {
  const options = { backoffBaseMs: 1000, backoffMaxMs: 10_000 };
  expect([1, 2, 3, 4, 5, 9].map((a) => backoffMs(a, options, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  expect(backoffMs(1, options, () => 0)).toBe(800);
  expect(backoffMs(1, options, () => 1)).toBe(1200);
});
