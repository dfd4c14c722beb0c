import { describe, expect, test } from 'vitest';
import { voicemailConfig } from './voicemail.spec.ts';
import { graph, runOnCall } from '../../testing/flow-harness.ts';

describe('voicemail node', () => {
  test('the spec bounds the message length', () => {
    expect(voicemailConfig.safeParse({ maxSeconds: 2 }).success).toBe(false);
    expect(voicemailConfig.parse({}).maxSeconds).toBe(120);
  });

  test('ends with a voicemail outcome whose greeting is the spoken prompt', async () => {
    const r = await runOnCall(graph([{ id: 'v', type: 'voicemail', config: { greeting: { text: '请留言' }, maxSeconds: 30 } }]));
    const o = r.outcome as { kind: string; greeting: { pcm: Int16Array; sampleRate: number }; maxDurationMs: number };
    expect(o.kind).toBe('voicemail');
    expect(o.maxDurationMs).toBe(30_000);
    expect(o.greeting.sampleRate).toBe(8000);
    expect(o.greeting.pcm.length).toBe(3 * 800);
  });
});
