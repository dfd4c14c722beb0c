// The issue's "Done when" path with real peers on loopback: baresip A calls 4000 through the demo trunk, baresip B
// registered as extension 1001 (agent1) answers; a 440 Hz tone goes one way and 1 kHz the other, measured at each
// end; the stereo recording holds the caller left and the agent right; the hangup fills the CDR.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bestShare, channel } from './audio-fixtures.ts';
import { HOLD_NOTES_HZ } from '../src/voice/hold-music.ts';
import { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { Baresip } from '@kefu/sip/testing';
import { registerDeskPhone, startVoiceKefu, until } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let sipPort: number;
const phones: Baresip[] = [];
let tmp: string;
let agent: Baresip | undefined;
let caller: Baresip | undefined;
let second: Baresip | undefined;

beforeAll(async () => {
  // Calls wait in the demo's routing queue; no after-call work, so that the next test's call is offered at once.
  ({ server, admin, sipPort } = await startVoiceKefu({ demoNumberToQueue: true }));
  const general = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'General');
  expect((await admin.patch(`/api/v1/routing/queues/${general.id}`, { acwSeconds: 0 })).status).toBe(200);

  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-voice-call-'));
});
afterAll(async () => {
  for (const p of phones) await p.stop();
  await server?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** The largest share of the energy at `hz` in any 200 ms window (8 kHz PCM), for audio that changes over time. */


async function agentPhone(extension: string, toneHz: number): Promise<Baresip> {
  const phone = await registerDeskPhone(admin, sipPort, extension, toneHz);
  phones.push(phone);
  return phone;
}

describe('an inbound call to 4000', () => {
  test('reaches agent1 on extension 1001 with audio both ways, a stereo recording and a filled CDR', async () => {
    agent = await agentPhone('1001', 1000);
    caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
    phones.push(caller);
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    const live = await until(async () => {
      const list = (await admin.get('/api/v1/interactions?state=live')).body.items;
      return list.find((i: { answeredAt: string | null }) => i.answeredAt);
    }, 'the agent answering');
    await agent.waitForEvent('CALL_ESTABLISHED', 30_000);
    // Let both tones flow for a few seconds.
    await new Promise((r) => setTimeout(r, 4000));
    caller.command('hangup');
    const ended = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
      return i.state === 'ended' ? i : undefined;
    }, 'the interaction to end');
    await agent.waitForEvent('CALL_CLOSED', 30_000);

    // CDR
    const users = (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[];
    expect(ended).toMatchObject({
      channel: 'voice', direction: 'inbound', from: '13800138000', to: '4000', externalRef: expect.any(String),
      agentId: users.find((u) => u.email === 'agent1@demo.kefu')!.id, hangupBy: 'customer', sipCause: 200, endReason: 'normal',
    });
    for (const field of ['arrivedAt', 'flowEndedAt', 'queuedAt', 'offeredAt', 'answeredAt', 'endedAt']) expect(ended[field], field).toEqual(expect.any(String));
    expect(Date.parse(ended.arrivedAt)).toBeLessThanOrEqual(Date.parse(ended.offeredAt));
    expect(Date.parse(ended.offeredAt)).toBeLessThanOrEqual(Date.parse(ended.answeredAt));
    expect(ended.ringMs).toBeGreaterThanOrEqual(0);
    expect(ended.talkMs).toBeGreaterThan(3000);
    expect(ended.quality.mos).toBeGreaterThan(4);
    expect(ended.quality.lossPct).toBeLessThan(1);
    expect(ended.quality.jitterMs).toEqual(expect.any(Number));
    expect(ended.segments.map((s: { kind: string }) => s.kind)).toEqual(['queue', 'agent']);
    expect(ended.segments[0]).toMatchObject({ outcome: 'answered' });
    expect(ended.segments[1]).toMatchObject({ endpoint: '1001', outcome: 'normal', endedAt: expect.any(String) });

    // Each end heard the other's tone.
    expect(bestShare(channel(caller.heardFile(), 1), 1000)).toBeGreaterThan(0.5);
    expect(bestShare(channel(agent.heardFile(), 1), 440)).toBeGreaterThan(0.5);

    // The recording: stored, stereo, customer left (440 Hz) and agent right (1 kHz).
    const recordings = await until(async () => {
      const list = (await admin.get(`/api/v1/interactions/${live.id}/recordings`)).body;
      return list[0]?.state === 'stored' ? list : undefined;
    }, 'the stored recording');
    expect(recordings).toHaveLength(1);
    expect(recordings[0].channels).toBe(2);
    const audio = await fetch(`${server.baseUrl}/api/v1/recordings/${recordings[0].id}/audio`, { headers: { cookie: admin.cookie! } });
    const file = path.join(tmp, 'call.wav');
    await fs.writeFile(file, Buffer.from(await audio.arrayBuffer()));
    expect(spawnSync('soxi', ['-c', file], { encoding: 'utf8' }).stdout.trim()).toBe('2');
    expect(Number(spawnSync('soxi', ['-D', file], { encoding: 'utf8' }).stdout.trim())).toBeGreaterThan(3);
    expect(bestShare(channel(file, 1), 440)).toBeGreaterThan(0.5);
    expect(bestShare(channel(file, 2), 1000)).toBeGreaterThan(0.5);
  }, 120_000);

  test('held by the agent, the customer hears music on hold; the agent hangs up and the CDR says so, with the hold time', async () => {
    if (!agent || !caller) throw new Error('the first call test sets up the phones');
    agent.events.length = 0;
    caller.events.length = 0;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'the agent answering');
    await agent.waitForEvent('CALL_ESTABLISHED', 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    agent.command('hold');
    await until(async () => (await admin.get(`/api/v1/interactions/${live.id}`)).body.segments.some((s: { kind: string }) => s.kind === 'hold') || undefined, 'the hold');
    await new Promise((r) => setTimeout(r, 3000));
    agent.command('resume');
    await until(async () => ((await admin.get(`/api/v1/interactions/${live.id}`)).body.holdMs > 0) || undefined, 'the resume');
    await new Promise((r) => setTimeout(r, 1000));
    agent.command('hangup');
    const ended = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
      return i.state === 'ended' ? i : undefined;
    }, 'the interaction to end');
    await caller.waitForEvent('CALL_CLOSED', 30_000);
    expect(ended).toMatchObject({ hangupBy: 'agent', sipCause: 200, endReason: 'normal' });
    expect(ended.holdMs).toBeGreaterThan(2000);
    expect(ended.talkMs).toBeGreaterThan(ended.holdMs);
    expect(ended.segments.map((s: { kind: string }) => s.kind)).toEqual(['queue', 'agent', 'hold', 'agent']);

    // The customer heard the agent (1 kHz) and, in between, the music's notes.
    const heard = channel(caller.heardFile(), 1);
    expect(bestShare(heard, 1000)).toBeGreaterThan(0.5);
    for (const hz of HOLD_NOTES_HZ) expect(bestShare(heard, hz), `${hz} Hz`).toBeGreaterThan(0.5);
  }, 120_000);

  test('a blind transfer (REFER) from the answering agent to the other extension connects the customer there, with one recording per agent', async () => {
    if (!agent || !caller) throw new Error('the first call test sets up the phones');
    second = await agentPhone('1002', 700);
    agent.events.length = 0;
    caller.events.length = 0;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    // Both agents ring (ring-all); whoever answers transfers the customer to the other one.
    const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'an agent answering');
    const users = (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[];
    const agent1 = users.find((u) => u.email === 'agent1@demo.kefu')!.id;
    const agent2 = users.find((u) => u.email === 'agent2@demo.kefu')!.id;
    const first = live.agentId === agent1 ? agent : second;
    const target = live.agentId === agent1 ? '1002' : '1001';
    const targetPhone = live.agentId === agent1 ? second : agent;
    const targetHz = live.agentId === agent1 ? 700 : 1000;
    targetPhone.events.length = 0;
    await new Promise((r) => setTimeout(r, 1500));
    first.command('transfer', `sip:${target}@127.0.0.1:${sipPort}`);
    await targetPhone.waitForEvent('CALL_ESTABLISHED', 30_000);
    await until(async () => ((await admin.get(`/api/v1/interactions/${live.id}`)).body.agentId !== live.agentId) || undefined, 'the new agent');
    await new Promise((r) => setTimeout(r, 3500));
    caller.command('hangup');
    const ended = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
      return i.state === 'ended' ? i : undefined;
    }, 'the interaction to end');
    expect(ended).toMatchObject({ hangupBy: 'customer', endReason: 'normal', agentId: live.agentId === agent1 ? agent2 : agent1, answeredAt: live.answeredAt });
    expect(ended.segments.map((s: { kind: string; endpoint: string | null }) => `${s.kind}${s.endpoint ? `:${s.endpoint}` : ''}`))
      .toEqual(['queue', `agent:${target === '1002' ? '1001' : '1002'}`, 'queue', `agent:${target}`]);
    expect(ended.segments[2].outcome).toBe('answered');
    const recordings = await until(async () => {
      const list = (await admin.get(`/api/v1/interactions/${live.id}/recordings`)).body;
      return list.length === 2 && list.every((r: { state: string }) => r.state === 'stored') ? list : undefined;
    }, 'two stored recordings');
    const audio = await fetch(`${server.baseUrl}/api/v1/recordings/${recordings[1].id}/audio`, { headers: { cookie: admin.cookie! } });
    const file = path.join(tmp, 'after-transfer.wav');
    await fs.writeFile(file, Buffer.from(await audio.arrayBuffer()));
    expect(bestShare(channel(file, 1), 440)).toBeGreaterThan(0.5);
    expect(bestShare(channel(file, 2), targetHz)).toBeGreaterThan(0.5);
  }, 120_000);

  test('the agent adds a colleague: a three-way conference where each party hears the other two', async () => {
    if (!agent || !caller || !second) throw new Error('the earlier call tests set up the phones');
    for (const p of [agent, caller, second]) p.events.length = 0;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'an agent answering');
    const users = (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[];
    const agent1 = users.find((u) => u.email === 'agent1@demo.kefu')!.id;
    const [answering, colleague, answeringHz, colleagueHz, colleagueExt] = live.agentId === agent1
      ? [agent, second, 1000, 700, '1002'] as const
      : [second, agent, 700, 1000, '1001'] as const;
    await answering.waitForEvent('CALL_ESTABLISHED', 30_000);
    colleague.events.length = 0;
    const agentClient = await TestClient.login(server.baseUrl, live.agentId === agent1 ? 'agent1@demo.kefu' : 'agent2@demo.kefu', server.password);
    const added = await agentClient.post(`/api/v1/interactions/${live.id}/voice/colleagues`, { extension: colleagueExt });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ interactionId: live.id, colleagues: [colleagueExt] });
    await colleague.waitForEvent('CALL_ESTABLISHED', 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    caller.command('hangup');
    await until(async () => ((await admin.get(`/api/v1/interactions/${live.id}`)).body.state === 'ended') || undefined, 'the end of the call');
    await colleague.waitForEvent('CALL_CLOSED', 30_000);
    await answering.waitForEvent('CALL_CLOSED', 30_000);
    // Each party heard both others (a mix of two tones: each holds a good part of the energy).
    const atCaller = channel(caller.heardFile(), 1);
    expect(bestShare(atCaller, answeringHz)).toBeGreaterThan(0.3);
    expect(bestShare(atCaller, colleagueHz)).toBeGreaterThan(0.3);
    const atColleague = channel(colleague.heardFile(), 1);
    expect(bestShare(atColleague, 440)).toBeGreaterThan(0.3);
    expect(bestShare(atColleague, answeringHz)).toBeGreaterThan(0.3);
    const atAgent = channel(answering.heardFile(), 1);
    expect(bestShare(atAgent, colleagueHz)).toBeGreaterThan(0.3);
    const audit = (await admin.get('/api/v1/audit?action=voice.colleague_added&limit=5')).body.items;
    expect(audit[0]).toMatchObject({ targetId: live.id, details: { extension: colleagueExt } });
  }, 120_000);
});
