import { describe, expect, test } from 'vitest';
import { collectDigitsConfig } from './collect-digits.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const node = (extra: Record<string, unknown> = {}) => ({
  id: 'c', type: 'collect_digits' as const,
  config: { prompt: { text: 'Enter your order number, then hash' }, variable: 'order', minLength: 6, maxLength: 8, pattern: '^[0-9]+$', retries: 1, ...extra },
  next: { next: 'ok', invalid: 'bad', timeout: 'quiet' },
});
const say = { id: 'ok', type: 'say' as const, config: { prompt: { text: 'order {{order}}' } }, next: { next: 'bye' } };

describe('collect digits node', () => {
  test('the spec defaults the terminator to # and bounds lengths', () => {
    expect(collectDigitsConfig.parse({ prompt: { text: 'x' }, variable: 'v' }).terminator).toBe('#');
    expect(collectDigitsConfig.safeParse({ prompt: { text: 'x' }, variable: 'v', maxLength: 99 }).success).toBe(false);
  });

  test('stores a valid number without its terminator in the variable', async () => {
    const r = await runOnCall(graph([node(), say, ...ends('bye', 'bad', 'quiet')]), { keys: ['1234567#'] });
    expect(r.call.collects[0]).toMatchObject({ min: 6, max: 8, terminator: '#' });
    expect(r.exits).toEqual(['c:next', 'ok:next', 'bye:hangup']);
    expect(r.tts.texts).toContain('order 1234567');
  });

  test('too short asks again, then goes to invalid', async () => {
    const r = await runOnCall(graph([node(), say, ...ends('bye', 'bad', 'quiet')]), { keys: ['12#', '345#'] });
    expect(r.exits).toEqual(['c:invalid', 'bad:hangup']);
  });

  test('nothing entered goes to timeout after the retries', async () => {
    const r = await runOnCall(graph([node({ retries: 0 }), say, ...ends('bye', 'bad', 'quiet')]), { keys: [''] });
    expect(r.exits).toEqual(['c:timeout', 'quiet:hangup']);
  });
});
