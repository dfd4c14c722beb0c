import { describe, expect, test } from 'vitest';
import { setVariableConfig } from './set-variable.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

describe('set variable node', () => {
  test('the spec refuses a bad variable name', () => {
    expect(setVariableConfig.safeParse({ assignments: [{ variable: '1x', value: 'a' }] }).success).toBe(false);
  });

  test('assigns in order, so a later value can use an earlier one', async () => {
    const r = await runOnCall(graph([
      { id: 'v', type: 'set_variable', config: { assignments: [{ variable: 'a', value: 'x{{caller}}' }, { variable: 'b', value: '{{a}}!' }] }, next: { next: 's' } },
      { id: 's', type: 'say', config: { prompt: { text: '{{b}}' } }, next: { next: 'bye' } }, ...ends('bye'),
    ]));
    expect(r.tts.texts).toContain('x13800138000!');
  });
});
