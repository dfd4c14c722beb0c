import { describe, expect, test } from 'vitest';
import { ScannerGuard } from './scanner-guard.ts';

describe('ScannerGuard', () => {
  test('bans a source after the fifth failure within the window, and lifts the ban when it expires', () => {
    let now = 0;
    const guard = new ScannerGuard({ banMs: 600_000, now: () => now });
    for (let i = 0; i < 4; i++) expect(guard.fail('192.0.2.7')).toBe(false);
    expect(guard.isBanned('192.0.2.7')).toBe(false);
    expect(guard.fail('192.0.2.7')).toBe(true);
    expect(guard.isBanned('192.0.2.7')).toBe(true);
    expect(guard.isBanned('192.0.2.8')).toBe(false);
    now += 599_999;
    expect(guard.isBanned('192.0.2.7')).toBe(true);
    now += 1;
    expect(guard.isBanned('192.0.2.7')).toBe(false);
  });

  test('failures spread wider than the window do not add up', () => {
    let now = 0;
    const guard = new ScannerGuard({ banMs: 1000, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 10; i++) {
      expect(guard.fail('198.51.100.1')).toBe(false);
      now += 20_000;
    }
    expect(guard.isBanned('198.51.100.1')).toBe(false);
  });

  test('a success forgets earlier failures, and a zero ban time never bans', () => {
    const guard = new ScannerGuard({ banMs: 1000, maxFailures: 2, now: () => 0 });
    guard.fail('203.0.113.5');
    guard.succeed('203.0.113.5');
    expect(guard.fail('203.0.113.5')).toBe(false);
    const off = new ScannerGuard({ banMs: 0, maxFailures: 1 });
    expect(off.fail('203.0.113.5')).toBe(false);
    expect(off.isBanned('203.0.113.5')).toBe(false);
  });
});
