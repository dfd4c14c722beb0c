import { describe, expect, test } from 'vitest';
import { hangupConfig } from './hangup.spec.ts';
import { graph, runOnCall } from '../../testing/flow-harness.ts';

describe('hangup node', () => {
  test('the prompt is optional', () => {
    expect(hangupConfig.safeParse({}).success).toBe(true);
  });

  test('says goodbye and ends the call', async () => {
    const r = await runOnCall(graph([{ id: 'h', type: 'hangup', config: { prompt: { text: 'Goodbye' } } }]));
    expect(r.tts.texts).toEqual(['Goodbye']);
    expect(r.outcome).toEqual({ kind: 'hangup', endReason: 'flow_ended' });
  });
});
