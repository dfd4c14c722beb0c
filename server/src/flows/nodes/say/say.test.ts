import { describe, expect, test } from 'vitest';
import { sayConfig } from './say.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

describe('say node', () => {
  test('the spec needs text and defaults the language to auto', () => {
    expect(sayConfig.parse({ prompt: { text: 'hi' } }).prompt.language).toBe('auto');
    expect(sayConfig.safeParse({ prompt: { text: ' ' } }).success).toBe(false);
  });

  test('speaks the text with variables filled in, one voice per script run, at 8 kHz', async () => {
    const r = await runOnCall(graph([
      { id: 's', type: 'say', config: { prompt: { text: '您好{{caller}} hello' } }, next: { next: 'bye' } }, ...ends('bye'),
    ]));
    expect(r.tts.texts).toEqual(['您好13800138000', 'hello']);
    const played = r.call.played[0]!.source as { pcm: Int16Array; sampleRate: number };
    expect(played.sampleRate).toBe(8000);
    expect(played.pcm.length).toBe(800 * ('您好13800138000'.length + 'hello'.length));
    expect(r.exits).toEqual(['s:next', 'bye:hangup']);
  });
});
