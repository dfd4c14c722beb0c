import { describe, expect, test } from 'vitest';
import { kbAnswerConfig, kbAnswerSpec } from './kb-answer.spec.ts';
import { graph, runAsText } from '../../testing/flow-harness.ts';

const articles = [{ id: 'a1', title: '宽带报修流程', snippet: '重启光猫后仍无法上网，请…', url: '/help/demo/articles/a1' }];
const search = async (_t: string, q: string) => (q.includes('宽带') ? articles : []);

const flow = graph([
  { id: 'q', type: 'collect', config: { text: '请描述您的问题', variable: 'question' }, next: { next: 'kb' } },
  { id: 'kb', type: 'kb_answer', config: { intro: '以下文章可能有帮助：' }, next: { found: 'ok', not_found: 'none' } },
  { id: 'ok', type: 'message', config: { text: '文章：{{kb_article_title}}' }, next: { next: 'r' } },
  { id: 'none', type: 'message', config: { text: '没有找到' }, next: { next: 'r' } },
  { id: 'r', type: 'return' },
]);

describe('kb answer node', () => {
  test('searches the last thing the customer wrote by default and has found / not_found exits', () => {
    const c = kbAnswerConfig.parse({});
    expect(c.query).toBe('{{last_input}}');
    expect(kbAnswerSpec.ports(c)).toEqual({ required: ['found', 'not_found'], optional: [] });
  });

  test('answers with the best article and its help-center link', async () => {
    const r = await runAsText(flow, [{ kind: 'text', text: '宽带上不了网' }], { services: { kbSearch: search } });
    expect(r.outputs).toContainEqual({ kind: 'text', text: '以下文章可能有帮助：\n\n宽带报修流程\n重启光猫后仍无法上网，请…\n/help/demo/articles/a1' });
    expect(r.outputs.at(-1)).toEqual({ kind: 'text', text: '文章：宽带报修流程' });
    expect(r.exits).toContain('kb:found');
  });

  test('nothing found takes not_found', async () => {
    const r = await runAsText(flow, [{ kind: 'text', text: '发票' }], { services: { kbSearch: search } });
    expect(r.exits).toContain('kb:not_found');
  });

  test('without a knowledge base the error path is followed', async () => {
    const r = await runAsText(flow, [{ kind: 'text', text: '宽带' }]);
    expect(r.result).toMatchObject({ status: 'ended', end: { kind: 'fallback' } });
  });
});
