import { describe, expect, test } from 'vitest';
import { surveyConfig, surveySpec } from './survey.spec.ts';
import type { SurveyPort } from '../../engine/flow-types.ts';
import { graph, runAsText, runOnCall, TENANT } from '../../testing/flow-harness.ts';

const SURVEY = '22222222-2222-4222-8222-222222222222';
const QUEUE = '11111111-1111-4111-8111-111111111111';

/** A survey port that remembers what it was asked to store. */
function recorder() {
  const marks: { tenantId: string; mark: Parameters<SurveyPort['mark']>[1] }[] = [];
  const port: SurveyPort = { mark: async (tenantId, mark) => void marks.push({ tenantId, mark }), answer: async () => undefined };
  return { marks, port };
}

const flow = (sampleRate?: number) => graph([
  { id: 'csat', type: 'survey', config: { surveyFlowId: SURVEY, ...(sampleRate === undefined ? {} : { sampleRate }) }, next: { next: 'q' } },
  { id: 'q', type: 'queue', config: { queueId: QUEUE } },
]);

describe('survey node', () => {
  test('the spec needs a survey flow id, takes a sample rate of 0–100 (default 100) and has one exit', () => {
    expect(surveyConfig.safeParse({}).success).toBe(false);
    expect(surveyConfig.safeParse({ surveyFlowId: 'CSAT' }).success).toBe(false);
    expect(surveyConfig.parse({ surveyFlowId: SURVEY }).sampleRate).toBe(100);
    expect(surveyConfig.safeParse({ surveyFlowId: SURVEY, sampleRate: 101 }).success).toBe(false);
    expect(surveySpec.ports(surveyConfig.parse({ surveyFlowId: SURVEY }))).toEqual({ required: ['next'], optional: [] });
    expect(surveySpec.channels).toEqual(['voice', 'chat']);
  });

  test('on a call, marks the interaction with the survey flow and goes on to the queue', async () => {
    const { marks, port } = recorder();
    const r = await runOnCall(flow(), { services: { surveys: port } });
    expect(r.exits).toEqual(['csat:next', 'q:queue']);
    expect(r.outcome).toMatchObject({ kind: 'queue', queueId: QUEUE });
    expect(marks).toEqual([{ tenantId: TENANT, mark: { interactionId: r.call.interactionId, surveyFlowId: SURVEY, flowId: 'main', nodeId: 'csat', sampleRate: 100, sampled: true } }]);
    // The caller hears nothing from the node itself.
    expect(r.call.played).toHaveLength(0);
  });

  test('the sample rate leaves interactions out: marked as not sampled, and the flow goes on', async () => {
    const { marks, port } = recorder();
    const out = await runOnCall(flow(30), { services: { surveys: port, random: () => 0.5 } });
    const inn = await runOnCall(flow(30), { services: { surveys: port, random: () => 0.1 } });
    expect(marks.map((m) => m.mark.sampled)).toEqual([false, true]);
    expect(out.exits).toEqual(['csat:next', 'q:queue']);
    expect(inn.exits).toEqual(['csat:next', 'q:queue']);
    const none = recorder();
    await runOnCall(flow(0), { services: { surveys: none.port, random: () => 0 } });
    expect(none.marks[0]!.mark.sampled).toBe(false);
  });

  test('in a chat it sets the survey variable; without an interaction (the simulator) nothing is stored', async () => {
    const { marks, port } = recorder();
    const r = await runAsText(graph([
      { id: 'csat', type: 'survey', config: { surveyFlowId: SURVEY }, next: { next: 'bye' } },
      { id: 'bye', type: 'message', config: { text: 'survey {{survey}}' }, next: { next: 'h' } },
      { id: 'h', type: 'hand_off', config: { queueId: QUEUE } },
    ]), [], { services: { surveys: port } });
    expect(r.outputs).toEqual([{ kind: 'text', text: 'survey pending' }]);
    expect(r.result).toMatchObject({ status: 'ended', end: { kind: 'hand_off', queueId: QUEUE } });
    expect(marks).toEqual([]);
  });
});
