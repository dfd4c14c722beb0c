import { describe, expect, test } from 'vitest';
import { decideOutbound, normalizeDialled, type OutboundRule } from './outbound-rules.ts';

const rule = (over: Partial<OutboundRule>): OutboundRule => ({ id: 'r', trunkId: 't', allowedPrefixes: [], deniedPrefixes: [], maxCallsPerHour: 10, ...over });

describe('decideOutbound', () => {
  test('allows a number under an allowed prefix and bars one under a denied prefix', () => {
    const rules = [rule({ allowedPrefixes: ['+86', '0'], deniedPrefixes: ['+86900', '0900'] })];
    expect(decideOutbound(rules, '+8613800138000', 0)).toEqual({ ok: true, rule: rules[0] });
    expect(decideOutbound(rules, '010 6552 9988', 0).ok).toBe(true);
    expect(decideOutbound(rules, '+86900123456', 0)).toEqual({ ok: false, reason: 'barred' });
    expect(decideOutbound(rules, '+44207946000', 0)).toEqual({ ok: false, reason: 'barred' });
  });

  test('bars everything without rules, and anything that is not a number', () => {
    expect(decideOutbound([], '+8613800138000', 0)).toEqual({ ok: false, reason: 'barred' });
    expect(decideOutbound([rule({})], 'sip-scanner', 0)).toEqual({ ok: false, reason: 'barred' });
    expect(normalizeDialled('+86 (10) 6552-9988')).toBe('+861065529988');
  });

  test('refuses a call over the hourly limit, or moves to a rule that still has room', () => {
    expect(decideOutbound([rule({ maxCallsPerHour: 2 })], '13800138000', 2)).toEqual({ ok: false, reason: 'limit' });
    const spare = rule({ id: 'spare', maxCallsPerHour: 100 });
    expect(decideOutbound([rule({ maxCallsPerHour: 2 }), spare], '13800138000', 2)).toEqual({ ok: true, rule: spare });
  });
});
