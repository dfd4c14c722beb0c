import { describe, expect, test } from 'vitest';
import { menuConfig, menuSpec } from './menu.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const menu = (next: Record<string, string>) => ({
  id: 'm', type: 'menu' as const,
  config: { prompt: { text: 'Press 1 for sales, 2 for support' }, invalidPrompt: { text: 'Sorry.' }, options: [{ digit: '1' }, { digit: '2' }], retries: 1 },
  next,
});

describe('menu node', () => {
  test('has one exit per key plus optional timeout and invalid', () => {
    const c = menuConfig.parse({ prompt: { text: 'x' }, options: [{ digit: '1' }, { digit: '9' }] });
    expect(menuSpec.ports(c)).toEqual({ required: ['key_1', 'key_9'], optional: ['timeout', 'invalid'] });
    expect(menuConfig.safeParse({ prompt: { text: 'x' }, options: [{ digit: '12' }] }).success).toBe(false);
  });

  test('plays the prompt with barge-in and follows the key pressed', async () => {
    const r = await runOnCall(graph([menu({ key_1: 'sales', key_2: 'support' }), ...ends('sales', 'support')]), { keys: ['2'] });
    expect(r.call.collects[0]).toMatchObject({ min: 1, max: 1, firstDigitTimeoutMs: 5000 });
    expect(r.call.played[0]!.during).toBe('collect');
    expect(r.exits).toEqual(['m:key_2', 'support:hangup']);
  });

  test('a wrong key asks again with the invalid prompt, then takes the invalid exit', async () => {
    const r = await runOnCall(graph([menu({ key_1: 'sales', key_2: 'support', invalid: 'bad' }), ...ends('sales', 'support', 'bad')]), { keys: ['7', '8'] });
    expect(r.tts.texts).toContain('Sorry. Press 1 for sales, 2 for support');
    expect(r.call.collects).toHaveLength(2);
    expect(r.exits).toEqual(['m:invalid', 'bad:hangup']);
  });

  test('silence retries, then takes the timeout exit', async () => {
    const r = await runOnCall(graph([menu({ key_1: 'sales', key_2: 'support', timeout: 'quiet' }), ...ends('sales', 'support', 'quiet')]), { keys: ['', ''] });
    expect(r.exits).toEqual(['m:timeout', 'quiet:hangup']);
  });

  test('a key pressed after a retry still counts', async () => {
    const r = await runOnCall(graph([menu({ key_1: 'sales', key_2: 'support' }), ...ends('sales', 'support')]), { keys: ['', '1'] });
    expect(r.exits).toEqual(['m:key_1', 'sales:hangup']);
  });
});
