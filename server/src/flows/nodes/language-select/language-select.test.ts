import { describe, expect, test } from 'vitest';
import { languageSelectConfig } from './language-select.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const node = { id: 'l', type: 'language_select' as const, config: { prompt: { text: '普通话请按1 For English press 2' }, options: [{ digit: '1', language: 'zh' }, { digit: '2', language: 'en' }] }, next: { next: 's' } };
const say = { id: 's', type: 'say' as const, config: { prompt: { text: 'lang {{language}}' } }, next: { next: 'bye' } };

describe('language select node', () => {
  test('the spec knows zh, en and yue only', () => {
    expect(languageSelectConfig.safeParse({ prompt: { text: 'x' }, options: [{ digit: '1', language: 'fr' }] }).success).toBe(false);
  });

  test('the key pressed sets the language variable', async () => {
    expect((await runOnCall(graph([node, say, ...ends('bye')]), { keys: ['2'] })).tts.texts).toContain('lang en');
  });

  test('no key keeps the default', async () => {
    expect((await runOnCall(graph([node, say, ...ends('bye')]), { keys: [''] })).tts.texts).toContain('lang zh');
  });
});
