import { describe, expect, test } from 'vitest';
import { handOffConfig } from './hand-off.spec.ts';
import { graph, runAsText } from '../../testing/flow-harness.ts';

const QUEUE = '11111111-1111-4111-8111-111111111111';

describe('hand-off node', () => {
  test('the spec needs a queue id', () => {
    expect(handOffConfig.safeParse({}).success).toBe(false);
  });

  test('says its text and hands the chat to the queue', async () => {
    const r = await runAsText(graph([{ id: 'h', type: 'hand_off', config: { queueId: QUEUE, text: '正在为您转接人工客服', priority: 2 } }]), []);
    expect(r.outputs).toEqual([{ kind: 'text', text: '正在为您转接人工客服' }]);
    expect(r.result).toEqual({ status: 'ended', end: { kind: 'hand_off', queueId: QUEUE, priority: 2 } });
  });
});
