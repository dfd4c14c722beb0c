import { describe, expect, test } from 'vitest';
import { playNode } from './play.node.ts';
import { playConfig } from './play.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

describe('play node', () => {
  test('the spec takes a .wav prompt file name and refuses paths', () => {
    expect(playConfig.safeParse({ file: 'welcome.wav' }).success).toBe(true);
    expect(playConfig.safeParse({ file: '../etc/passwd' }).success).toBe(false);
    expect(playNode.type).toBe('play');
  });

  test('plays the tenant prompt file to the caller and follows next', async () => {
    const r = await runOnCall(graph([{ id: 'p', type: 'play', config: { file: 'welcome.wav' }, next: { next: 'bye' } }, ...ends('bye')]));
    expect(r.call.played[0]!.source).toEqual({ file: '/prompts/welcome.wav' });
    expect(r.exits).toEqual(['p:next', 'bye:hangup']);
    expect(r.outcome).toEqual({ kind: 'hangup', endReason: 'flow_ended' });
  });
});
