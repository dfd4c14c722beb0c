import { describe, expect, test } from 'vitest';
import { transferConfig } from './transfer.spec.ts';
import { graph, runOnCall } from '../../testing/flow-harness.ts';

describe('transfer node', () => {
  test('the spec takes a number, agent, extension or flow target', () => {
    expect(transferConfig.safeParse({ target: { kind: 'number', number: '+8613800138000' } }).success).toBe(true);
    expect(transferConfig.safeParse({ target: { kind: 'number', number: 'sip:evil' } }).success).toBe(false);
    expect(transferConfig.safeParse({ target: { kind: 'queue' } }).success).toBe(false);
  });

  test('ends the flow with a blind transfer to the target', async () => {
    const r = await runOnCall(graph([{ id: 't', type: 'transfer', config: { target: { kind: 'extension', extension: '1002' } } }]));
    expect(r.outcome).toEqual({ kind: 'transfer', target: { kind: 'extension', extension: '1002' } });
  });
});
