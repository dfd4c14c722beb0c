import { describe, expect, test } from 'vitest';
import { surveyAnswerConfig, surveyAnswerSpec } from './survey-answer.spec.ts';
import type { SurveyPort } from '../../engine/flow-types.ts';
import { ends, graph, runAsText, runOnCall, TENANT } from '../../testing/flow-harness.ts';

const CHAT = '33333333-3333-4333-8333-333333333333';

function recorder() {
  const answers: { tenantId: string; answer: Parameters<SurveyPort['answer']>[1] }[] = [];
  const port: SurveyPort = { mark: async () => undefined, answer: async (tenantId, answer) => void answers.push({ tenantId, answer }) };
  return { answers, port };
}

/** "Rate this call from 1 to 5": a menu whose every key leads to the answer node, then goodbye. */
const rateByMenu = (answer: Record<string, unknown> = {}) => graph([
  {
    id: 'rate', type: 'menu',
    config: { prompt: { text: '请为本次服务打分，1到5分 / rate this call from 1 to 5' }, options: ['1', '2', '3', '4', '5'].map((digit) => ({ digit })), retries: 0 },
    next: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [`key_${d}`, 'store'])),
  },
  { id: 'store', type: 'survey_answer', config: { question: 'csat', text: '本次服务满意度', ...answer }, next: { next: 'bye' } },
  ...ends('bye'),
]);

describe('survey answer node', () => {
  test('the spec needs a lower-case question key and a scale whose maximum is above its minimum', () => {
    expect(surveyAnswerConfig.safeParse({}).success).toBe(false);
    expect(surveyAnswerConfig.safeParse({ question: 'CSAT score' }).success).toBe(false);
    const c = surveyAnswerConfig.parse({ question: 'csat' });
    expect(c).toMatchObject({ score: '{{last_input}}', scaleMin: 1, scaleMax: 5, text: '' });
    const bad = surveyAnswerConfig.safeParse({ question: 'csat', scaleMin: 5, scaleMax: 5 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['scaleMax']);
    expect(surveyAnswerSpec.ports(c)).toEqual({ required: ['next'], optional: ['invalid'] });
  });

  test('on a call, key 4 of the rating menu is stored as a score of 4 out of 1–5', async () => {
    const { answers, port } = recorder();
    const r = await runOnCall(rateByMenu(), { keys: ['4'], services: { surveys: port } });
    expect(r.exits).toEqual(['rate:key_4', 'store:next', 'bye:hangup']);
    expect(answers).toEqual([{
      tenantId: TENANT,
      answer: {
        interactionId: r.call.interactionId, surveyFlowId: 'main', flowVersion: 1, nodeId: 'store', questionKey: 'csat', questionText: '本次服务满意度',
        score: 4, scaleMin: 1, scaleMax: 5, choice: null, comment: null,
      },
    }]);
  });

  test('a score off the scale is not stored: the invalid exit when connected, else next', async () => {
    const { answers, port } = recorder();
    const viaNext = await runOnCall(graph([
      { id: 'store', type: 'survey_answer', config: { question: 'csat', score: '9' }, next: { next: 'bye' } }, ...ends('bye'),
    ]), { services: { surveys: port } });
    const viaInvalid = await runOnCall(graph([
      { id: 'store', type: 'survey_answer', config: { question: 'csat', score: 'great' }, next: { next: 'bye', invalid: 'again' } }, ...ends('bye', 'again'),
    ]), { services: { surveys: port } });
    expect(viaNext.exits).toEqual(['store:next', 'bye:hangup']);
    expect(viaInvalid.exits).toEqual(['store:invalid', 'again:hangup']);
    expect(answers).toEqual([]);
  });

  test('in a chat, a button choice and a comment are stored without a score', async () => {
    const { answers, port } = recorder();
    const r = await runAsText(graph([
      { id: 'resolved', type: 'buttons', config: { text: '问题解决了吗？Was your problem solved?', buttons: [{ id: 'yes', label: '是 Yes' }, { id: 'no', label: '否 No' }], variable: 'resolved' }, next: { yes: 'why', no: 'why' } },
      { id: 'why', type: 'collect', config: { text: '还有什么建议？', variable: 'why' }, next: { next: 'store' } },
      { id: 'store', type: 'survey_answer', config: { question: 'resolved', score: '', choice: '{{resolved}}', comment: '{{why}}' }, next: { next: 'thanks' } },
      { id: 'thanks', type: 'message', config: { text: '谢谢！' }, next: { next: 'done' } },
      { id: 'done', type: 'return' },
    ]), [{ kind: 'text', text: '否 No' }, { kind: 'text', text: '等待时间太长' }], { services: { surveys: port }, interactionId: CHAT });
    expect(r.result).toMatchObject({ status: 'ended', end: { kind: 'end' } });
    expect(r.outputs.at(-1)).toEqual({ kind: 'text', text: '谢谢！' });
    expect(answers.map((a) => a.answer)).toEqual([expect.objectContaining({ interactionId: CHAT, questionKey: 'resolved', score: null, choice: 'no', comment: '等待时间太长' })]);
    expect(r.state.vars.survey_resolved).toBe('no');
  });

  test('in the simulator (no interaction) nothing is stored and the flow goes on', async () => {
    const { answers, port } = recorder();
    const r = await runAsText(graph([
      { id: 'store', type: 'survey_answer', config: { question: 'csat', score: '5' }, next: { next: 'done' } },
      { id: 'done', type: 'return' },
    ]), [], { services: { surveys: port } });
    expect(r.exits).toEqual(['store:next', 'done:end']);
    expect(answers).toEqual([]);
  });
});
