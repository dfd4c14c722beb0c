import { describe, expect, test } from 'vitest';
import { messageConfig } from './message.spec.ts';
import { graph, runAsText } from '../../testing/flow-harness.ts';

describe('message node', () => {
  test('the spec needs text', () => {
    expect(messageConfig.safeParse({ text: '' }).success).toBe(false);
  });

  test('sends the text with variables filled in', async () => {
    const r = await runAsText(graph([
      { id: 'v', type: 'set_variable', config: { assignments: [{ variable: 'name', value: '小王' }] }, next: { next: 'm' } },
      { id: 'm', type: 'message', config: { text: '你好，{{name}}' }, next: { next: 'r' } }, { id: 'r', type: 'return' },
    ]), []);
    expect(r.outputs).toEqual([{ kind: 'text', text: '你好，小王' }]);
    expect(r.result).toEqual({ status: 'ended', end: { kind: 'end' } });
  });
});
