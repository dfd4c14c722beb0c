import { describe, expect, test } from 'vitest';
import { callbackConfig } from './callback.spec.ts';
import { graph, runOnCall } from '../../testing/flow-harness.ts';

const QUEUE = '11111111-1111-4111-8111-111111111111';

describe('callback node', () => {
  test('the spec needs a queue id', () => {
    expect(callbackConfig.safeParse({}).success).toBe(false);
  });

  test("confirms and asks for a callback to the caller's own number", async () => {
    const r = await runOnCall(graph([{ id: 'cb', type: 'callback', config: { queueId: QUEUE, prompt: { text: '我们会尽快回电' } } }]));
    expect(r.tts.texts).toEqual(['我们会尽快回电']);
    expect(r.outcome).toEqual({ kind: 'callback', queueId: QUEUE });
  });

  test('a number collected first is the one called back', async () => {
    const r = await runOnCall(graph([
      { id: 'n', type: 'collect_digits', config: { prompt: { text: 'number' }, variable: 'cb_number', minLength: 5, maxLength: 12 }, next: { next: 'cb' } },
      { id: 'cb', type: 'callback', config: { queueId: QUEUE, numberVariable: 'cb_number' } },
    ]), { keys: ['13900001111#'] });
    expect(r.outcome).toEqual({ kind: 'callback', queueId: QUEUE, number: '13900001111' });
  });
});
