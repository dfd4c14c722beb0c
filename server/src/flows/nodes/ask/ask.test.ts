import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PocketsphinxAsr } from '../../../speech/asr.ts';
import { EspeakTts, PromptSynthesizer } from '../../../speech/tts.ts';
import { matchChoice } from './ask.node.ts';
import { askSpec, askConfig } from './ask.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const node = {
  id: 'a', type: 'ask' as const,
  config: { prompt: { text: 'What can I help you with?' }, variable: 'topic', retries: 0, choices: [{ value: 'orders', phrases: ['order status', 'my order'] }, { value: 'billing', phrases: ['billing', 'account balance'] }] },
  next: { orders: 'o', billing: 'b', nomatch: 'n', timeout: 't' },
};

describe('ask node', () => {
  test('has one exit per choice', () => {
    expect(askSpec.ports(askConfig.parse(node.config))).toEqual({ required: ['orders', 'billing'], optional: ['nomatch', 'timeout'] });
  });

  test('matches the longest phrase contained in what was said', () => {
    const choices = [{ value: 'a', phrases: ['order'] }, { value: 'b', phrases: ['order status'] }];
    expect(matchChoice(choices, 'Order status, please')).toBe('b');
    expect(matchChoice(choices, 'reorder')).toBeUndefined();
  });

  test('recognizes a spoken phrase (espeak at 16 kHz, pocketsphinx with the grammar) and follows its choice', async () => {
    const speech = await new PromptSynthesizer({ provider: new EspeakTts(), cacheDir: path.join(os.tmpdir(), 'kefu-ask-test') }).speak('account balance', 'en', 16000);
    const r = await runOnCall(graph([node, ...ends('o', 'b', 'n', 't')]), { speech: [speech], asr: new PocketsphinxAsr() });
    expect(r.exits).toEqual(['a:billing', 'b:hangup']);
    expect(r.path.find((e) => e.event === 'leave')!.input).toBe('account balance');
  }, 60_000);

  test('silence takes the timeout exit', async () => {
    const r = await runOnCall(graph([node, ...ends('o', 'b', 'n', 't')]), { speech: [] });
    expect(r.exits).toEqual(['a:timeout', 't:hangup']);
  });

  test('words that match no choice take nomatch', async () => {
    const r = await runOnCall(graph([node, ...ends('o', 'b', 'n', 't')]), { speech: [new Int16Array(3200)], asr: { name: 'fixed', recognize: async () => ({ text: 'weather forecast' }) } });
    expect(r.exits).toEqual(['a:nomatch', 'n:hangup']);
  });
});
