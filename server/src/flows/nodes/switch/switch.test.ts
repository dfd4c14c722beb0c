import { describe, expect, test } from 'vitest';
import { switchSpec, switchConfig } from './switch.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const node = {
  id: 'sw', type: 'switch' as const,
  config: { cases: [{ port: 'vip', variable: 'caller', op: 'matches', value: '^138' }, { port: 'short', variable: 'caller', op: 'lt', value: '1000' }] },
  next: { vip: 'v', short: 's', default: 'd' },
};

describe('switch node', () => {
  test('has one exit per case port and default', () => {
    expect(switchSpec.ports(switchConfig.parse(node.config))).toEqual({ required: ['vip', 'short', 'default'], optional: [] });
  });

  test('the first case that holds names the exit', async () => {
    const r = await runOnCall(graph([node, ...ends('v', 's', 'd')]));
    expect(r.exits).toEqual(['sw:vip', 'v:hangup']);
  });

  test('no case holding takes default', async () => {
    const r = await runOnCall(graph([{ ...node, config: { cases: [{ port: 'vip', variable: 'caller', op: 'eq', value: '1' }] }, next: { vip: 'v', default: 'd' } }, ...ends('v', 'd')]));
    expect(r.exits).toEqual(['sw:default', 'd:hangup']);
  });
});
