// The post-call survey on real calls: baresip dials 4000, whose flow passes a survey node and queues the call;
// baresip on extension 1001 (agent1) answers. When the agent hangs up first the caller stays on the line, hears the
// survey flow's spoken question (measured in what the caller decoded: speech, not the agent's tone), presses 4
// (RFC 4733) and the answer is stored with the agent, queue and contact, shown on the interaction's API and the
// contact's CRM timeline; the CDR ended when the agent left. When the caller hangs up first nothing is asked.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toneShare } from '@kefu/media';
import { Baresip } from '@kefu/sip/testing';
import { channel } from './audio-fixtures.ts';
import type { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { registerDeskPhone, startVoiceKefu, until } from './voice-fixtures.ts';

const CALLER = '13800138000';

let server: TestKefu;
let admin: TestClient;
let sipPort: number;
let agent: Baresip;
let caller: Baresip;
let agent1: string;
let generalId: string;
let contactId: string;
const phones: Baresip[] = [];

interface PathRow { flowId: string; nodeId: string; event: string; port: string | null; input: string | null }
const pathOf = async (id: string): Promise<PathRow[]> => (await admin.get(`/api/v1/interactions/${id}/flow-path`)).body;

beforeAll(async () => {
  ({ server, admin, sipPort } = await startVoiceKefu());
  const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  const general = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'General');
  generalId = general.id;
  expect((await admin.patch(`/api/v1/routing/queues/${generalId}`, { acwSeconds: 0 })).status).toBe(200);
  agent1 = ((await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[]).find((u) => u.email === 'agent1@demo.kefu')!.id;
  // The demo CRM knows the caller's number: that contact's timeline gets the answers.
  const known = await admin.get(`/api/v1/crm/lookup?kind=phone&value=${CALLER}`);
  expect(known.status, JSON.stringify(known.body)).toBe(200);
  contactId = known.body.contact.id;

  // The survey flow: "rate this call from 1 to 5" by keys, the key stored as the csat score, goodbye.
  const survey = await admin.post('/api/v1/flows', {
    divisionId, name: 'Post-call survey', channel: 'voice',
    graph: {
      start: 'rate',
      nodes: [
        {
          id: 'rate', type: 'menu',
          config: { prompt: { text: '请为本次服务打分，1到5分。Please rate this call from 1 to 5.' }, options: ['1', '2', '3', '4', '5'].map((digit) => ({ digit })), timeoutMs: 10_000, retries: 1 },
          next: Object.fromEntries(['1', '2', '3', '4', '5'].map((d) => [`key_${d}`, 'csat'])),
        },
        { id: 'csat', type: 'survey_answer', config: { question: 'csat', text: '本次服务满意度' }, next: { next: 'bye' } },
        { id: 'bye', type: 'hangup', config: { prompt: { text: '谢谢您的评价，再见。Thank you, goodbye.' } } },
      ],
    },
  });
  expect(survey.body.problems, JSON.stringify(survey.body)).toEqual([]);
  expect((await admin.post(`/api/v1/flows/${survey.body.id}/publish`, {})).status).toBe(200);
  const inbound = await admin.post('/api/v1/flows', {
    divisionId, name: 'Support line with survey', channel: 'voice',
    graph: {
      start: 'csat',
      nodes: [
        { id: 'csat', type: 'survey', config: { surveyFlowId: survey.body.id }, next: { next: 'agents' } },
        { id: 'agents', type: 'queue', config: { queueId: generalId } },
      ],
    },
  });
  expect(inbound.body.problems, JSON.stringify(inbound.body)).toEqual([]);
  expect((await admin.post(`/api/v1/flows/${inbound.body.id}/publish`, {})).status).toBe(200);
  const demoNumber = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
  expect((await admin.patch(`/api/v1/voice/numbers/${demoNumber.id}`, { flowId: inbound.body.id })).status).toBe(200);

  agent = await registerDeskPhone(admin, sipPort, '1001', 1000);
  phones.push(agent);
  caller = await Baresip.start(`<sip:${CALLER}@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU`, 440);
  phones.push(caller);
}, 120_000);
afterAll(async () => {
  for (const p of phones) await p.stop();
  await server?.stop();
});

/** The caller dials 4000 and agent1 answers; resolves with the live interaction. */
async function connectedCall(): Promise<{ id: string; establishedAt: number }> {
  agent.events.length = 0;
  caller.events.length = 0;
  caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
  await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
  const establishedAt = Date.now();
  const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'agent1 answering', 30_000);
  await agent.waitForEvent('CALL_ESTABLISHED', 30_000);
  return { id: live.id, establishedAt };
}

describe('the post-call survey', () => {
  test('the agent hangs up first: the caller hears the survey question, presses 4, and the answer is stored', async () => {
    const call = await connectedCall();
    await new Promise((r) => setTimeout(r, 2000)); // caller and agent talk
    agent.command('hangup');
    const hungUpAt = Date.now();
    await agent.waitForEvent('CALL_CLOSED', 15_000);

    // The caller is still there: the survey flow's menu runs on the same interaction.
    const surveyPath = await until(async () => {
      const p = await pathOf(call.id);
      return p.some((e) => e.nodeId === 'rate' && e.event === 'enter') ? p : undefined;
    }, 'the survey question', 30_000);
    expect(surveyPath.filter((e) => e.event === 'leave').map((e) => `${e.nodeId}:${e.port}`)).toEqual(['csat:next', 'agents:queue']);
    expect(caller.events.some((e) => e.type === 'CALL_CLOSED')).toBe(false);
    // The agent's part is over: their CDR ended when they hung up (talk time without the survey).
    const cdr = (await admin.get(`/api/v1/interactions/${call.id}`)).body;
    expect(cdr).toMatchObject({ state: 'ended', hangupBy: 'agent', endReason: 'normal', agentId: agent1 });
    expect(cdr.talkMs).toBeGreaterThan(1500);
    expect(cdr.talkMs).toBeLessThan(Date.now() - call.establishedAt);

    await new Promise((r) => setTimeout(r, 3500)); // let the caller hear the question
    await caller.sendDtmf('4');
    const survey = await until(async () => {
      const s = (await admin.get(`/api/v1/interactions/${call.id}/survey`)).body;
      return s.answers.length && s.invitation.status === 'completed' ? s : undefined;
    }, 'the stored answer', 30_000);
    expect(survey.invitation).toMatchObject({ status: 'completed', agentId: agent1, queueId: generalId });
    expect(survey.answers).toEqual([expect.objectContaining({
      questionKey: 'csat', questionText: '本次服务满意度', score: 4, scaleMin: 1, scaleMax: 5, channel: 'voice', agentId: agent1, queueId: generalId, contactId,
    })]);
    // The goodbye ends the call.
    await caller.waitForEvent('CALL_CLOSED', 30_000);
    const path = await pathOf(call.id);
    expect(path.filter((e) => e.event === 'leave').map((e) => `${e.nodeId}:${e.port}:${e.input ?? ''}`)).toEqual(['csat:next:sampled', 'agents:queue:', 'rate:key_4:4', 'csat:next:4', 'bye:hangup:']);

    // What the caller heard after the agent left: speech (the question), not the agent's 1 kHz tone nor a ringback.
    const heard = channel(caller.heardFile(), 1);
    const from = Math.max(0, Math.round(((hungUpAt - call.establishedAt) / 1000 + 0.5) * 8000));
    const after = heard.subarray(from, from + 3 * 8000);
    expect(after.length).toBeGreaterThan(2 * 8000);
    let sum = 0;
    for (const s of after) sum += s * s;
    expect(Math.sqrt(sum / after.length) / 32768, 'RMS after the agent hung up').toBeGreaterThan(0.01);
    for (const hz of [1000, 425, 440, 450, 480]) expect(toneShare(after, hz, 8000, 0, after.length), `${hz} Hz`).toBeLessThan(0.3);
    // Before that the caller heard the agent.
    expect(toneShare(heard, 1000, 8000, 8000, 8000)).toBeGreaterThan(0.5);

    // The answer is on the contact's timeline in the CRM.
    const timeline = (await admin.get(`/api/v1/crm/contacts/${contactId}/timeline?kinds=survey_answer`)).body.items as { summary: string; data: Record<string, unknown> }[];
    expect(timeline).toEqual([expect.objectContaining({ data: expect.objectContaining({ interactionId: call.id, questionKey: 'csat', score: 4, channel: 'voice' }) })]);
    expect(timeline[0]!.summary).toContain('4/5');
  }, 150_000);

  test('the caller hangs up first: nothing is asked and nothing stored', async () => {
    const call = await connectedCall();
    await new Promise((r) => setTimeout(r, 1500));
    caller.command('hangup');
    await agent.waitForEvent('CALL_CLOSED', 15_000);
    await until(async () => ((await admin.get(`/api/v1/interactions/${call.id}`)).body.state === 'ended' ? true : undefined), 'the end of the call');
    const survey = await until(async () => {
      const s = (await admin.get(`/api/v1/interactions/${call.id}/survey`)).body;
      return s.invitation.status !== 'pending' ? s : undefined;
    }, 'the survey closed');
    expect(survey.invitation).toMatchObject({ status: 'skipped', skipReason: 'customer_hung_up' });
    expect(survey.answers).toEqual([]);
    expect((await pathOf(call.id)).some((e) => e.nodeId === 'rate')).toBe(false);
    expect((await admin.get(`/api/v1/interactions/${call.id}`)).body).toMatchObject({ hangupBy: 'customer' });
  }, 120_000);
});
