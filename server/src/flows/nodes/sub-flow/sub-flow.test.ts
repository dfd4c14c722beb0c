import { describe, expect, test } from 'vitest';
import { subFlowConfig } from './sub-flow.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const SUB = '22222222-2222-4222-8222-222222222222';

describe('sub-flow node', () => {
  test('the spec needs a flow id', () => {
    expect(subFlowConfig.safeParse({ flowId: 'x' }).success).toBe(false);
  });

  test('runs the other flow, whose return comes back to next, sharing variables', async () => {
    const sub = graph([
      { id: 'x', type: 'set_variable', config: { assignments: [{ variable: 'from_sub', value: 'yes' }] }, next: { next: 'r' } },
      { id: 'r', type: 'return' },
    ]);
    const r = await runOnCall(graph([
      { id: 'call', type: 'sub_flow', config: { flowId: SUB }, next: { next: 's' } },
      { id: 's', type: 'say', config: { prompt: { text: 'sub {{from_sub}}' } }, next: { next: 'bye' } }, ...ends('bye'),
    ]), { subFlows: { [SUB]: sub } });
    expect(r.exits).toEqual(['call:sub_flow', 'x:next', 'r:end', 's:next', 'bye:hangup']);
    expect(r.tts.texts).toContain('sub yes');
  });

  test('a sub-flow that is not published follows the error exit', async () => {
    const r = await runOnCall(graph([{ id: 'call', type: 'sub_flow', config: { flowId: SUB }, next: { next: 'bye', error: 'err' } }, ...ends('bye', 'err')]));
    expect(r.exits).toEqual(['call:sub_flow', 'err:hangup']);
  });
});
