import { describe, expect, test } from 'vitest';
import { playNode } from './play.node.ts';
import { playConfig } from './play.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const PROMPT = '33333333-3333-4333-8333-333333333333';

describe('play node', () => {
  test('the spec takes a .wav prompt file name and refuses paths', () => {
    expect(playConfig.safeParse({ file: 'welcome.wav' }).success).toBe(true);
    expect(playConfig.safeParse({ file: '../etc/passwd' }).success).toBe(false);
    expect(playNode.type).toBe('play');
  });

  test('the spec takes a library prompt id, and needs exactly one of prompt and file', () => {
    expect(playConfig.safeParse({ promptId: PROMPT }).success).toBe(true);
    expect(playConfig.safeParse({ promptId: 'welcome' }).success).toBe(false);
    const neither = playConfig.safeParse({});
    expect(neither.success).toBe(false);
    expect(neither.error!.issues[0]).toMatchObject({ path: ['promptId'], message: 'choose a prompt from the library' });
    expect(playConfig.safeParse({ promptId: PROMPT, file: 'welcome.wav' }).success).toBe(false);
  });

  test('plays a library prompt to the caller at 8 kHz', async () => {
    const pcm = new Int16Array(8000).fill(1000);
    const r = await runOnCall(graph([{ id: 'p', type: 'play', config: { promptId: PROMPT }, next: { next: 'bye' } }, ...ends('bye')]), { prompts: { [PROMPT]: pcm } });
    expect(r.call.played[0]!.source).toEqual({ pcm, sampleRate: 8000 });
    expect(r.exits).toEqual(['p:next', 'bye:hangup']);
  });

  test('a prompt that is gone takes the error exit', async () => {
    const r = await runOnCall(graph([{ id: 'p', type: 'play', config: { promptId: PROMPT }, next: { next: 'bye', error: 'sorry' } }, ...ends('bye', 'sorry')]));
    expect(r.exits).toEqual(['p:error', 'sorry:hangup']);
  });

  test('plays the tenant prompt file to the caller and follows next', async () => {
    const r = await runOnCall(graph([{ id: 'p', type: 'play', config: { file: 'welcome.wav' }, next: { next: 'bye' } }, ...ends('bye')]));
    expect(r.call.played[0]!.source).toEqual({ file: '/prompts/welcome.wav' });
    expect(r.exits).toEqual(['p:next', 'bye:hangup']);
    expect(r.outcome).toEqual({ kind: 'hangup', endReason: 'flow_ended' });
  });
});
