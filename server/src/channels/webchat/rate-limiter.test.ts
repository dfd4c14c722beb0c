import { describe, expect, test } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  test('allows a burst, refuses the next, and refills over time', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 1, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('v1'))).toEqual([true, true, true, false]);
    now = 1000;
    expect(limiter.take('v1')).toBe(true);
    expect(limiter.take('v1')).toBe(false);
  });

  test('keeps keys apart', () => {
    const limiter = new RateLimiter(1, 0.001, () => 0);
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
  });
});
