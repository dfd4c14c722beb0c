// ExpiringMap: the one-timer store of retired transactions (Timer J, Timer L) under a fake clock.
import { describe, expect, it } from 'vitest';
import { ExpiringMap } from '../src/util/expiring-map.ts';
import { FakeClock } from '../src/testing/index.ts';

describe('ExpiringMap', () => {
  it('forgets an entry exactly ttl after it was set, and frees it within the slack with one timer', async () => {
    const clock = new FakeClock();
    const m = new ExpiringMap<string>(clock, 32_000, 1000);
    m.set('a', 'A');
    await clock.advance(10);
    m.set('b', 'B');
    expect(clock.pending).toBe(1); // one sweep timer for any number of entries
    await clock.advance(31_989);
    expect(m.get('a')).toBe('A');
    await clock.advance(1);
    expect(m.get('a')).toBeUndefined(); // at its deadline, as a per-entry timer would have fired
    expect(m.has('b')).toBe(true);
    await clock.advance(1_010);
    expect(m.size).toBe(0); // the sweep dropped b (deadline 32,010) by 33,010
    expect(clock.pending).toBe(0);
  });

  it('moves a re-set entry to the end with a new deadline; clear() stops the timer', async () => {
    const clock = new FakeClock();
    const m = new ExpiringMap<number>(clock, 100, 10);
    m.set('x', 1);
    m.set('y', 2);
    await clock.advance(60);
    m.set('x', 3);
    await clock.advance(50);
    expect(m.has('y')).toBe(false);
    expect(m.get('x')).toBe(3);
    await clock.advance(60);
    expect(m.size).toBe(0);
    m.set('z', 4);
    m.clear();
    expect(m.size).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
