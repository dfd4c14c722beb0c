import { describe, expect, test } from 'vitest';
import { surveyConfig, surveySpec } from './survey.spec.ts';
import type { SurveyPort } from '../../engine/flow-types.ts';
import { validateGraph, type FlowReferences } from '../../flow-validation.ts';
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

  test('publishing needs a published survey flow of the same channel', async () => {
    const CHAT_SURVEY = '44444444-4444-4444-8444-444444444444';
    const refs = {
      queues: async (ids: string[]) => new Set(ids),
      flows: async (ids: string[]) => new Set(ids),
      secrets: async () => new Set<string>(),
      prompts: async () => new Set<string>(),
      // Only these two are published; the third id is a draft nobody published.
      publishedChannels: async (ids: string[]) => new Map(ids.flatMap((id): [string, 'voice' | 'chat'][] => (id === SURVEY ? [[id, 'voice']] : id === CHAT_SURVEY ? [[id, 'chat']] : []))),
    } as unknown as FlowReferences;
    const withSurvey = (surveyFlowId: string) => graph([
      { id: 'csat', type: 'survey', config: { surveyFlowId }, next: { next: 'q' } },
      { id: 'q', type: 'queue', config: { queueId: QUEUE } },
    ]);
    expect(await validateGraph(withSurvey(SURVEY), 'voice', refs)).toEqual([]);
    expect(await validateGraph(withSurvey(CHAT_SURVEY), 'voice', refs)).toEqual([
      expect.objectContaining({ code: 'unknown_flow', nodeId: 'csat', field: 'surveyFlowId', message: expect.stringContaining('needs a voice survey flow') }),
    ]);
    expect(await validateGraph(withSurvey('55555555-5555-4555-8555-555555555555'), 'voice', refs)).toEqual([
      expect.objectContaining({ code: 'unknown_flow', nodeId: 'csat', field: 'surveyFlowId', message: expect.stringContaining('not published') }),
    ]);
    // The exit must be connected like any required exit.
    const open = graph([{ id: 'csat', type: 'survey', config: { surveyFlowId: SURVEY } }]);
    expect(await validateGraph(open, 'voice', refs)).toEqual([expect.objectContaining({ code: 'missing_branch', nodeId: 'csat', field: 'next.next' })]);
  });
});
