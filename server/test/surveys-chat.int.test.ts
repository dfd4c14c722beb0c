// The post-chat survey through the real server: a widget's chat flow with a survey node hands the chat to an agent;
// when the agent ends it, the visitor is not dropped but shown the survey flow's questions as bot messages with
// buttons; the answers are stored per question (with agent, queue, channel and contact), appear on the
// interaction's API and on the contact's CRM timeline, and the chat ends with the survey. A visitor who leaves
// first is asked nothing. Publishing refuses a survey flow that is missing, unpublished or of the other channel.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { VisitorServerMessage } from '@kefu/contracts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';
import { until } from './voice-fixtures.ts';
import { chatQueueForAgent1 } from './webchat-fixtures.ts';
import { VisitorClient } from './webchat-visitor.ts';

const SITE = 'https://shop.example';
/** Waits of this suite: generous, since routing and the bot answer slowly on a loaded machine. */
const WAIT = 30_000;

/** The first server message of a type that matches (VisitorClient.next with a longer wait). */
async function seen<T extends VisitorServerMessage['type']>(visitor: VisitorClient, type: T, match: (m: Extract<VisitorServerMessage, { type: T }>) => boolean) {
  let found: Extract<VisitorServerMessage, { type: T }> | undefined;
  await visitor.until(() => (found = visitor.received.find((m) => m.type === type && match(m as Extract<VisitorServerMessage, { type: T }>)) as never) !== undefined, WAIT);
  return found!;
}

let server: TestKefu;
let admin: TestClient;
let agent: TestClient;
let agentId: string;
let divisionId: string;
let queueId: string;
let surveyFlowId: string;
let widgetId: string;
const open: { close(): Promise<void> }[] = [];
const track = <T extends { close(): Promise<void> }>(c: T): T => {
  open.push(c);
  return c;
};

/** The survey: a 1–5 rating with buttons, then "was it solved?", then thanks. */
const surveyGraph = {
  start: 'rate',
  nodes: [
    {
      id: 'rate', type: 'buttons',
      config: { text: '请为本次服务打分 / Please rate this chat', buttons: ['1', '2', '3', '4', '5'].map((id) => ({ id, label: `${id} ★` })), variable: 'rating' },
      next: Object.fromEntries(['1', '2', '3', '4', '5'].map((id) => [id, 'csat'])),
    },
    { id: 'csat', type: 'survey_answer', config: { question: 'csat', text: '本次服务满意度', score: '{{rating}}' }, next: { next: 'solved' } },
    { id: 'solved', type: 'buttons', config: { text: '问题解决了吗？Was it solved?', buttons: [{ id: 'yes', label: '是 Yes' }, { id: 'no', label: '否 No' }], variable: 'solved' }, next: { yes: 'resolved', no: 'resolved' } },
    { id: 'resolved', type: 'survey_answer', config: { question: 'resolved', score: '', choice: '{{solved}}' }, next: { next: 'thanks' } },
    { id: 'thanks', type: 'message', config: { text: '感谢您的评价！Thank you!' }, next: { next: 'done' } },
    { id: 'done', type: 'return' },
  ],
};

const inboundGraph = (survey: string) => ({
  start: 'csat',
  nodes: [
    { id: 'csat', type: 'survey', config: { surveyFlowId: survey }, next: { next: 'agent' } },
    { id: 'agent', type: 'hand_off', config: { queueId } },
  ],
});

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  ({ agent, agentId, divisionId, queueId } = await chatQueueForAgent1(server, admin, 'Survey chats'));
  const survey = await admin.post('/api/v1/flows', { divisionId, name: 'Post-chat survey', channel: 'chat', graph: surveyGraph });
  expect(survey.body.problems, JSON.stringify(survey.body)).toEqual([]);
  surveyFlowId = survey.body.id;
});
afterAll(async () => {
  for (const c of open.splice(0)) await c.close();
  await server?.stop();
});

describe('publishing a flow with a survey node', () => {
  test('is refused while the survey flow is unpublished, missing or a voice flow, then allowed', async () => {
    const inbound = await admin.post('/api/v1/flows', { divisionId, name: 'Chat with survey', channel: 'chat', graph: inboundGraph(surveyFlowId) });
    expect(inbound.status).toBe(201);
    const unpublished = await admin.post(`/api/v1/flows/${inbound.body.id}/publish`, {});
    expect(unpublished.status).toBe(400);
    expect(unpublished.body.error.problems).toEqual([expect.objectContaining({ code: 'unknown_flow', nodeId: 'csat', field: 'surveyFlowId' })]);

    const voiceSurvey = await admin.post('/api/v1/flows', { divisionId, name: 'A voice survey', channel: 'voice', graph: { start: 'bye', nodes: [{ id: 'bye', type: 'hangup', config: {} }] } });
    expect((await admin.post(`/api/v1/flows/${voiceSurvey.body.id}/publish`, {})).status).toBe(200);
    const wrong = await admin.patch(`/api/v1/flows/${inbound.body.id}`, { graph: inboundGraph(voiceSurvey.body.id) });
    expect(wrong.body.problems).toEqual([expect.objectContaining({ code: 'unknown_flow', field: 'surveyFlowId', message: expect.stringContaining('needs a chat survey flow') })]);
    const missing = await admin.patch(`/api/v1/flows/${inbound.body.id}`, { graph: inboundGraph('99999999-9999-4999-8999-999999999999') });
    expect(missing.body.problems).toEqual([expect.objectContaining({ code: 'unknown_flow', field: 'surveyFlowId' })]);

    expect((await admin.post(`/api/v1/flows/${surveyFlowId}/publish`, {})).status).toBe(200);
    await admin.patch(`/api/v1/flows/${inbound.body.id}`, { graph: inboundGraph(surveyFlowId) });
    const published = await admin.post(`/api/v1/flows/${inbound.body.id}/publish`, {});
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const w = await admin.post('/api/v1/webchat/widgets', { name: 'Shop with survey', divisionId, queueId, allowedOrigins: [SITE], settings: { chatFlowId: inbound.body.id } });
    expect(w.status, JSON.stringify(w.body)).toBe(201);
    widgetId = w.body.id;
  });
});

/** A visitor whose chat (through the survey node) an agent accepts. */
async function surveyedChat(name: string) {
  const rt = track(await RealtimeClient.connect(server.baseUrl, { cookie: agent.cookie! }));
  expect(await rt.request('agent.set_state', { state: 'available' })).toMatchObject({ ok: true });
  const visitor = track(await VisitorClient.connect(server.baseUrl, widgetId, { hostOrigin: SITE }));
  visitor.send({ type: 'start', prechat: { name, question: '我的订单还没到 / where is my order' } });
  const offer = await rt.nextEvent('offer', (o) => o.channel === 'chat', WAIT);
  expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
  const assigned = await rt.nextEvent('chat.assigned', () => true, WAIT);
  await seen(visitor, 'status', (m) => m.status === 'assigned');
  const interactionId = assigned.interactionId as string;
  expect((await agent.post(`/api/v1/chats/${interactionId}/messages`, { clientMessageId: `a-${name}`, text: '已为您查询，明天送达。' })).status).toBe(201);
  return { rt, visitor, interactionId };
}

describe('the post-chat survey', () => {
  test('the agent ends the chat: the visitor gets the survey buttons, answers, and the answers are stored and shown', async () => {
    if (!widgetId) throw new Error('the publishing test creates the widget');
    const { visitor, interactionId } = await surveyedChat('Han Meimei');
    expect((await agent.post(`/api/v1/chats/${interactionId}/end`, {})).status).toBe(200);

    // The visitor stays: the bot is back with the rating question and its buttons.
    await seen(visitor, 'status', (m) => m.status === 'bot');
    const rate = await seen(visitor, 'message', (m) => m.message.sender === 'bot' && m.message.body.startsWith('请为本次服务打分'));
    expect(rate.message.buttons).toEqual(['1', '2', '3', '4', '5'].map((id) => ({ id, label: `${id} ★` })));
    // The agent's part is over: the CDR closed when the agent ended, talk time without the survey.
    const cdr = (await admin.get(`/api/v1/interactions/${interactionId}`)).body;
    expect(cdr).toMatchObject({ state: 'ended', hangupBy: 'agent', endReason: 'normal', agentId });

    visitor.send({ type: 'send', clientMessageId: 'v-rate', text: '4 ★' });
    const solved = await seen(visitor, 'message', (m) => m.message.sender === 'bot' && m.message.body.startsWith('问题解决了吗'));
    expect(solved.message.buttons?.map((b) => b.id)).toEqual(['yes', 'no']);
    visitor.send({ type: 'send', clientMessageId: 'v-solved', text: '是 Yes' });
    await seen(visitor, 'message', (m) => m.message.body === '感谢您的评价！Thank you!');
    await seen(visitor, 'status', (m) => m.status === 'ended');

    const survey = (await admin.get(`/api/v1/interactions/${interactionId}/survey`)).body;
    expect(survey.invitation).toMatchObject({ surveyFlowId, status: 'completed', agentId, queueId, sampleRate: 100 });
    expect(survey.answers).toEqual([
      expect.objectContaining({ questionKey: 'csat', questionText: '本次服务满意度', score: 4, scaleMin: 1, scaleMax: 5, choice: null, channel: 'chat', agentId, queueId, contactId: expect.any(String) }),
      expect.objectContaining({ questionKey: 'resolved', score: null, choice: 'yes', channel: 'chat', agentId, queueId }),
    ]);
    // For reports: the answers across interactions, filtered by question.
    const report = (await admin.get(`/api/v1/survey-answers?questionKey=csat&agentId=${agentId}`)).body.items;
    expect(report.map((a: { interactionId: string; score: number }) => [a.interactionId, a.score])).toContainEqual([interactionId, 4]);
    // The contact's timeline in the CRM shows both answers.
    const timeline = (await admin.get(`/api/v1/crm/contacts/${survey.answers[0].contactId}/timeline?kinds=survey_answer`)).body.items as { summary: string; data: { questionKey: string } }[];
    expect(timeline.map((e) => e.data.questionKey).sort()).toEqual(['csat', 'resolved']);
    expect(timeline.find((e) => e.data.questionKey === 'csat')!.summary).toContain('4/5');
  });

  test('a visitor who ends the chat first is asked nothing', async () => {
    const { visitor, interactionId } = await surveyedChat('Li Lei');
    visitor.send({ type: 'end' });
    await seen(visitor, 'status', (m) => m.status === 'ended');
    const survey = (await admin.get(`/api/v1/interactions/${interactionId}/survey`)).body;
    expect(survey.answers).toEqual([]);
    expect(await until(async () => ((await admin.get(`/api/v1/interactions/${interactionId}/survey`)).body.invitation.status === 'skipped' ? true : undefined), 'the skipped survey')).toBe(true);
    expect((await admin.get(`/api/v1/interactions/${interactionId}/survey`)).body.invitation).toMatchObject({ status: 'skipped', skipReason: 'customer_left' });
    expect(visitor.messages.some((m) => m.sender === 'bot')).toBe(false);
    // An agent ending it afterwards changes nothing.
    await agent.post(`/api/v1/chats/${interactionId}/end`, {});
    expect((await admin.get(`/api/v1/interactions/${interactionId}/survey`)).body.invitation.status).toBe('skipped');
  });

  test('an interaction outside the reader’s divisions is 404, and the report needs reports.read', async () => {
    expect((await agent.get('/api/v1/survey-answers')).status).toBe(403);
    const bad = await admin.get('/api/v1/survey-answers?questionKey=CSAT');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('questionKey');
    expect((await admin.get('/api/v1/interactions/99999999-9999-4999-8999-999999999999/survey')).status).toBe(404);
  });
});
