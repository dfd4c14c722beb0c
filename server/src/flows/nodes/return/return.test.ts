import { describe, expect, test } from 'vitest';
import { returnConfig } from './return.spec.ts';
import { graph, runOnCall } from '../../testing/flow-harness.ts';

describe('return node', () => {
  test('takes no settings', () => {
    expect(returnConfig.safeParse({ x: 1 }).success).toBe(false);
  });

  test('in a top-level flow it ends the call', async () => {
    expect((await runOnCall(graph([{ id: 'r', type: 'return' }]))).outcome).toEqual({ kind: 'hangup', endReason: 'flow_ended' });
  });
});
