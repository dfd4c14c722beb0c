import { describe, expect, test } from 'vitest';
import { collectConfig } from './collect.spec.ts';
import { graph, runAsText } from '../../testing/flow-harness.ts';

const node = { id: 'c', type: 'collect' as const, config: { text: 'Your order number?', variable: 'order', pattern: '^KF\\d{4}$', invalidText: 'That is not an order number.', retries: 1 }, next: { next: 'm', invalid: 'bad' } };
const tail = [{ id: 'm', type: 'message' as const, config: { text: 'Looking up {{order}}' }, next: { next: 'r' } }, { id: 'bad', type: 'message' as const, config: { text: 'bad' }, next: { next: 'r' } }, { id: 'r', type: 'return' as const }];

describe('collect node', () => {
  test('the spec needs a variable', () => {
    expect(collectConfig.safeParse({ text: 'x' }).success).toBe(false);
  });

  test('stores a value that matches the pattern', async () => {
    const r = await runAsText(graph([node, ...tail]), [{ kind: 'text', text: 'KF1234' }]);
    expect(r.outputs.at(-1)).toEqual({ kind: 'text', text: 'Looking up KF1234' });
  });

  test('asks again with the invalid text, then takes invalid', async () => {
    const r = await runAsText(graph([node, ...tail]), [{ kind: 'text', text: 'abc' }, { kind: 'text', text: 'KF12' }]);
    expect(r.outputs[1]).toEqual({ kind: 'text', text: 'That is not an order number. Your order number?' });
    expect(r.exits[0]).toBe('c:invalid');
  });
});
