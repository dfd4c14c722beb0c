// CallControl on real calls: a flow runner registered through the flow port plays a prompt the caller barges into
// with DTMF, collects digits up to a terminator and captures the caller's audio (measured), then queues the call in
// routing; agent1's baresip answers. From the desktop API the agent holds (music measured at the caller), mutes
// (the caller receives nothing), sends DTMF (received by the caller) and pauses the recording (silence in the file).
// Then a consultation with agent2 completed from the API, and a caller who gives up while queued (task abandoned).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bestShare, channel } from './audio-fixtures.ts';
import { Baresip } from '@kefu/sip/testing';
import type { ModuleFactory } from '../src/module.ts';
import type { CallControl, CaptureAudioResult, CollectDigitsResult, PlayResult } from '../src/voice/call-control.ts';
import { voiceFlowsFor, type FlowOutcome } from '../src/voice/flow-port.ts';
import { HOLD_NOTES_HZ } from '../src/voice/hold-music.ts';
import { TestClient } from './http-client.ts';
import { RealtimeClient } from './realtime-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { until, type VoiceModule } from './voice-fixtures.ts';

const FLOW_ID = randomUUID();
let server: TestKefu;
let admin: TestClient;
let sipPort: number;
let tmp: string;
let queueId: string;
const phones: Baresip[] = [];
let caller: Baresip;
let agent1: Baresip;
let agent2: Baresip;
const userIds: Record<string, string> = {};

/** `voicemail`: the flow queues with a short maximum wait (nobody available → the caller leaves a message). */
let mode: 'full' | 'voicemail' = 'full';
/** What the test flow saw, for the assertions. */
const seen: { prompt?: PlayResult; digits?: CollectDigitsResult; capture?: CaptureAudioResult; frames: Int16Array[]; call?: CallControl } = { frames: [] };

/** A flow of the test's own through the real port: prompt with barge-in, digits, capture, then the queue. */
const testFlows: ModuleFactory = (ctx) => {
  voiceFlowsFor(ctx).setRunner({
    async run(call, start): Promise<FlowOutcome> {
      if (start.flowId !== FLOW_ID) throw new Error(`unexpected flow ${start.flowId}`);
      seen.call = call;
      seen.frames = [];
      if (mode === 'voicemail') return { kind: 'queue', queueId, maxWaitMs: 1500 };
      // 3 s of 660 Hz at 16 kHz (resampled by the session), interrupted by the caller's first key.
      const pcm = Int16Array.from({ length: 48_000 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 660 * i) / 16_000)));
      seen.prompt = await call.play({ pcm, sampleRate: 16_000 }, { bargeIn: true });
      seen.digits = await call.collectDigits({ max: 6, terminator: '#', firstDigitTimeoutMs: 10_000, interDigitTimeoutMs: 5_000 });
      const capture = call.captureAudio({ sampleRate: 16_000, maxDurationMs: 1_000 });
      for await (const frame of capture) seen.frames.push(frame);
      seen.capture = await capture.done;
      return { kind: 'queue', queueId };
    },
  });
  return { name: 'test-flows' };
};

beforeAll(async () => {
  server = await startKefu({ env: { KEFU_SIP_PORT: '0', KEFU_SIP_HOST: '127.0.0.1', KEFU_RTP_PORT_MIN: '0' }, extraModules: [testFlows] });
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  const voice = server.kefu.modules.voice as VoiceModule;
  sipPort = voice.sip!.port!;
  await voice.mediaEngine();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-voice-control-'));
  const general = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'General');
  queueId = general.id;
  expect((await admin.patch(`/api/v1/routing/queues/${queueId}`, { acwSeconds: 0 })).status).toBe(200);
  const number = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
  expect((await admin.patch(`/api/v1/voice/numbers/${number.id}`, { flowId: FLOW_ID })).status).toBe(200);
  for (const u of (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[]) userIds[u.email] = u.id;
  agent1 = await agentPhone('1001', 1000);
  agent2 = await agentPhone('1002', 700);
  // agent2 registered too (phone login made them available): only agent1 takes queued calls here.
  await setState('agent2@demo.kefu', 'away');
  caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
  phones.push(caller);
});
afterAll(async () => {
  for (const p of phones) await p.stop();
  await server?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

async function agentPhone(extension: string, toneHz: number): Promise<Baresip> {
  const ext = (await admin.get('/api/v1/voice/extensions')).body.find((e: { extension: string }) => e.extension === extension);
  const phone = await Baresip.start(`<sip:${extension}@127.0.0.1:${sipPort};transport=udp>;auth_pass=${ext.password};regint=60;answermode=auto;audio_codecs=PCMU`, toneHz);
  phones.push(phone);
  await until(async () => (await admin.get('/api/v1/voice/registrations')).body.find((r: { extension: string }) => r.extension === extension), `extension ${extension} registered`);
  await until(async () => (await admin.get(`/api/v1/routing/agents/${userIds[`agent${extension.slice(-1)}@demo.kefu`]}`)).body.state === 'available' || undefined, `${extension}'s agent signed in by the phone`);
  return phone;
}

async function setState(email: string, state: 'available' | 'away'): Promise<void> {
  const reply = await admin.request('PUT', `/api/v1/routing/agents/${userIds[email]}/state`, { state });
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The largest share of the energy at `hz` in any 200 ms window. */

/** The longest run of near-silence (|x| < 300 for whole 20 ms frames), in ms. */
function longestSilenceMs(samples: Int16Array): number {
  let best = 0;
  let run = 0;
  for (let at = 0; at + 160 <= samples.length; at += 160) {
    let peak = 0;
    for (let i = at; i < at + 160; i++) peak = Math.max(peak, Math.abs(samples[i]!));
    run = peak < 300 ? run + 20 : 0;
    best = Math.max(best, run);
  }
  return best;
}


/** Waits until the test flow runs on a new call (its prompt starts right after). */
async function flowStarted(): Promise<void> {
  await until(() => seen.call !== undefined && !seen.call.signal.aborted, 'the flow to start');
  await sleep(500);
}

const liveAnswered = async () => until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'the agent answering', 60_000);
const endedOf = async (id: string) => until(async () => {
  const i = (await admin.get(`/api/v1/interactions/${id}`)).body;
  return i.state === 'ended' ? i : undefined;
}, 'the interaction to end');

describe('CallControl on a live call', () => {
  test('a flow plays, collects and captures; the agent holds, mutes, sends DTMF and pauses the recording from the desktop API', async () => {
    seen.call = undefined;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    await flowStarted();
    await caller.sendDtmf('5'); // barges into the prompt
    await caller.sendDtmf('12#', 400);
    const live = await liveAnswered();
    await agent1.waitForEvent('CALL_ESTABLISHED', 30_000);

    // The flow: the prompt was interrupted by 5; 1, 2 and the terminator followed; a second of the caller's 440 Hz.
    expect(seen.prompt).toEqual({ reason: 'digit', digit: '5' });
    expect(seen.digits).toEqual({ digits: '12', reason: 'terminator' });
    expect(seen.capture).toMatchObject({ reason: 'max_duration', durationMs: 1000 });
    expect(seen.frames.length).toBe(50);
    expect(seen.frames.every((f) => f.length === 320)).toBe(true);
    const captured = new Int16Array(seen.frames.length * 320);
    seen.frames.forEach((f, i) => captured.set(f, i * 320));
    expect(bestShare(captured, 440, 16_000)).toBeGreaterThan(0.5);
    expect(seen.call).toMatchObject({ interactionId: live.id, from: '13800138000', to: '4000', direction: 'inbound' });

    // The routing task of the call, assigned to agent1.
    const [task] = (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT status, assigned_agent_id, external_ref FROM routing_tasks WHERE external_ref = ${live.externalRef}`))).rows;
    expect(task).toMatchObject({ status: 'assigned', assigned_agent_id: userIds['agent1@demo.kefu'] });

    const desk = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    const other = await TestClient.login(server.baseUrl, 'agent3@demo.kefu', server.password);
    expect((await other.post(`/api/v1/interactions/${live.id}/voice/hold`, {})).status).toBe(403);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/dtmf`, { digits: 'x' })).body.error.field).toBe('digits');
    // The agent's desk and a supervisor's console watch the call's state; another agent may not.
    const deskSocket = await RealtimeClient.connect(server.baseUrl, { cookie: desk.cookie! });
    const supervisor = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
    const console_ = await RealtimeClient.connect(server.baseUrl, { cookie: supervisor.cookie! });
    const stranger = await RealtimeClient.connect(server.baseUrl, { cookie: other.cookie! });
    expect(await deskSocket.subscribe(`call:${live.id}`)).toMatchObject({ ok: true });
    expect(await console_.subscribe(`call:${live.id}`)).toMatchObject({ ok: true });
    expect(await stranger.subscribe(`call:${live.id}`)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await sleep(1000);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/hold`, {})).body).toMatchObject({ onHold: true, recording: true });
    // The hold made on the desk reaches the supervisor's console (and the desk itself) without a poll.
    expect(await console_.nextEvent('call.state', (s) => s.interactionId === live.id)).toMatchObject({ onHold: true, muted: false });
    expect(await deskSocket.nextEvent('call.state')).toMatchObject({ onHold: true });
    await Promise.all([deskSocket.close(), console_.close(), stranger.close()]);
    await sleep(2500);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/unhold`, {})).body.onHold).toBe(false);
    await sleep(1000);
    // baresip's dump holds the frames it decoded: it grows while the agent is heard and stands still while muted.
    const heardBytes = async () => (await fs.stat(caller.heardFile())).size;
    const beforeOpen = await heardBytes();
    await sleep(2500);
    const openGrowth = (await heardBytes()) - beforeOpen;
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/mute`, {})).body.muted).toBe(true);
    await sleep(300);
    const beforeMuted = await heardBytes();
    await sleep(2500);
    const mutedGrowth = (await heardBytes()) - beforeMuted;
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/unmute`, {})).body.muted).toBe(false);
    expect(openGrowth).toBeGreaterThan(16_000); // > 1 s of 8 kHz 16-bit audio in 2.5 s
    expect(mutedGrowth).toBeLessThan(openGrowth / 4);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/dtmf`, { digits: '7' })).status).toBe(200);
    await caller.waitForEvent('CALL_DTMF_START', 10_000);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/recording/pause`, {})).status).toBe(200);
    await sleep(2500);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/recording/resume`, {})).status).toBe(200);
    await sleep(1000);
    caller.command('hangup');
    const ended = await endedOf(live.id);
    expect(ended).toMatchObject({ hangupBy: 'customer', endReason: 'normal', agentId: userIds['agent1@demo.kefu'] });
    expect(ended.holdMs).toBeGreaterThan(2000);
    expect(ended.segments.map((s: { kind: string }) => s.kind)).toEqual(['flow', 'queue', 'agent', 'hold', 'agent']);
    const [done] = (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT status FROM routing_tasks WHERE external_ref = ${live.externalRef}`))).rows;
    expect(done).toMatchObject({ status: 'completed' });

    // At the caller: the prompt's tone, the agent, the music on hold, and at least 2 s of nothing while muted.
    const heard = channel(caller.heardFile(), 1);
    expect(bestShare(heard, 660)).toBeGreaterThan(0.5);
    expect(bestShare(heard, 1000)).toBeGreaterThan(0.5);
    for (const hz of HOLD_NOTES_HZ) expect(bestShare(heard, hz), `${hz} Hz`).toBeGreaterThan(0.5);
    // The recording: both channels silent for the paused time, the tones around it.
    const [recording] = await until(async () => {
      const list = (await admin.get(`/api/v1/interactions/${live.id}/recordings`)).body;
      return list[0]?.state === 'stored' ? list : undefined;
    }, 'the stored recording');
    const audio = await fetch(`${server.baseUrl}/api/v1/recordings/${recording.id}/audio`, { headers: { cookie: admin.cookie! } });
    const file = path.join(tmp, 'paused.wav');
    await fs.writeFile(file, Buffer.from(await audio.arrayBuffer()));
    const left = channel(file, 1);
    expect(bestShare(left, 440)).toBeGreaterThan(0.5);
    expect(longestSilenceMs(left)).toBeGreaterThan(2000);
    expect(longestSilenceMs(channel(file, 2))).toBeGreaterThan(2000);
    const audit = (await admin.get('/api/v1/audit?action=voice.call_recording_pause&limit=5')).body.items;
    expect(audit[0]).toMatchObject({ targetId: live.id });
  }, 180_000);

  test('a consultation from the desktop: the customer waits with music, the agent talks to agent2, then completes the transfer', async () => {
    for (const p of [caller, agent1, agent2]) p.events.length = 0;
    seen.call = undefined;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    await flowStarted();
    await caller.sendDtmf('##', 400); // barges in, then ends the digits
    const live = await liveAnswered();
    await agent1.waitForEvent('CALL_ESTABLISHED', 30_000);
    const desk = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    const bad = await desk.post(`/api/v1/interactions/${live.id}/voice/consult`, { target: { kind: 'extension', extension: '9999' } });
    expect(bad.status).toBe(400);
    const consult = await desk.post(`/api/v1/interactions/${live.id}/voice/consult`, { target: { kind: 'extension', extension: '1002' } });
    expect(consult.status, JSON.stringify(consult.body)).toBe(200);
    expect(consult.body).toMatchObject({ consulting: true, onHold: true });
    await agent2.waitForEvent('CALL_ESTABLISHED', 30_000);
    await sleep(2500);
    const completed = await desk.post(`/api/v1/interactions/${live.id}/voice/consult/complete`, {});
    expect(completed.body).toMatchObject({ consulting: false, onHold: false, agent: { extension: '1002' } });
    await agent1.waitForEvent('CALL_CLOSED', 30_000);
    await sleep(2500);
    // agent2 now has the call and hangs up from the desktop: the CDR says the agent hung up.
    const desk2 = await TestClient.login(server.baseUrl, 'agent2@demo.kefu', server.password);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/hangup`, {})).status).toBe(403); // agent1 left the call
    expect((await desk2.post(`/api/v1/interactions/${live.id}/voice/hangup`, {})).status).toBe(200);
    await caller.waitForEvent('CALL_CLOSED', 30_000);
    const ended = await endedOf(live.id);
    expect(ended).toMatchObject({ hangupBy: 'agent', agentId: userIds['agent2@demo.kefu'] });
    // agent1 heard agent2 while consulting; the caller heard music, then agent2.
    expect(bestShare(channel(agent1.heardFile(), 1), 700)).toBeGreaterThan(0.5);
    const heard = channel(caller.heardFile(), 1);
    expect(bestShare(heard, HOLD_NOTES_HZ[0])).toBeGreaterThan(0.5);
    expect(bestShare(heard, 700)).toBeGreaterThan(0.5);
  }, 180_000);

  test('a caller who gives up while queued leaves an abandoned task and interaction', async () => {
    await setState('agent1@demo.kefu', 'away');
    caller.events.length = 0;
    seen.call = undefined;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    await flowStarted();
    await caller.sendDtmf('##', 400);
    const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { queuedAt: string | null }) => i.queuedAt), 'the call queued');
    const queued = await until(async () => (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT status FROM routing_tasks WHERE external_ref = ${live.externalRef}`))).rows[0], 'the task');
    expect(queued).toMatchObject({ status: 'queued' });
    caller.command('hangup');
    const ended = await endedOf(live.id);
    expect(ended).toMatchObject({ hangupBy: 'customer', endReason: 'abandoned', answeredAt: null });
    const task = await until(async () => {
      const [t] = (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT status FROM routing_tasks WHERE external_ref = ${live.externalRef}`))).rows;
      return t?.status !== 'queued' ? t : undefined;
    }, 'the task to end');
    expect(task).toMatchObject({ status: 'abandoned' });
    await setState('agent1@demo.kefu', 'available');
  }, 120_000);

  test('with nobody available the caller hears a beep and leaves a voicemail attached to the interaction', async () => {
    await setState('agent1@demo.kefu', 'away');
    mode = 'voicemail';
    caller.events.length = 0;
    seen.call = undefined;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    await until(() => seen.call, 'the flow');
    const live = (await admin.get(`/api/v1/interactions/${seen.call!.interactionId}`)).body;
    await until(async () => (await admin.get(`/api/v1/interactions/${live.id}`)).body.segments.some((x: { kind: string }) => x.kind === 'voicemail') || undefined, 'the voicemail');
    await sleep(3000);
    caller.command('hangup');
    const ended = await endedOf(live.id);
    expect(ended).toMatchObject({ hangupBy: 'customer', endReason: 'voicemail', answeredAt: null });
    const [task] = (await server.kefu.database.withSystem((tx) => tx.execute(sql`SELECT status FROM routing_tasks WHERE external_ref = ${live.externalRef}`))).rows;
    expect(task).toMatchObject({ status: 'cancelled' });
    const [message] = await until(async () => {
      const list = (await admin.get(`/api/v1/interactions/${live.id}/recordings`)).body;
      return list[0]?.state === 'stored' ? list : undefined;
    }, 'the stored voicemail');
    expect(message).toMatchObject({ kind: 'voicemail', channels: 1 });
    const audio = await fetch(`${server.baseUrl}/api/v1/recordings/${message.id}/audio`, { headers: { cookie: admin.cookie! } });
    const file = path.join(tmp, 'voicemail.wav');
    await fs.writeFile(file, Buffer.from(await audio.arrayBuffer()));
    expect(spawnSync('soxi', ['-c', file], { encoding: 'utf8' }).stdout.trim()).toBe('1');
    expect(Number(spawnSync('soxi', ['-D', file], { encoding: 'utf8' }).stdout.trim())).toBeGreaterThan(2);
    expect(bestShare(channel(file, 1), 440)).toBeGreaterThan(0.5);
    expect(bestShare(channel(caller.heardFile(), 1), 1000)).toBeGreaterThan(0.5); // the beep
    mode = 'full';
    await setState('agent1@demo.kefu', 'available');
  }, 120_000);

  test('a supervisor listens, whispers to the agent, then barges in, from their own phone', async () => {
    const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
    const created = await admin.post('/api/v1/voice/extensions', { divisionId, extension: '1009', userId: userIds['supervisor@demo.kefu'] });
    expect(created.status).toBe(201);
    const supervisorPhone = await Baresip.start(`<sip:1009@127.0.0.1:${sipPort};transport=udp>;auth_pass=${created.body.password};regint=60;answermode=auto;audio_codecs=PCMU`, 300);
    phones.push(supervisorPhone);
    await until(async () => (await admin.get('/api/v1/voice/registrations')).body.find((r: { extension: string }) => r.extension === '1009'), 'the supervisor phone');
    await until(async () => (await admin.get(`/api/v1/routing/agents/${userIds['supervisor@demo.kefu']}`)).body.state === 'available' || undefined, 'phone login');
    await setState('supervisor@demo.kefu', 'away'); // the supervisor takes no queued calls here
    for (const p of [caller, agent1]) p.events.length = 0;
    seen.call = undefined;
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    await flowStarted();
    await caller.sendDtmf('##', 400);
    const live = await liveAnswered();
    await agent1.waitForEvent('CALL_ESTABLISHED', 30_000);
    const supervisor = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
    const desk = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    expect((await desk.post(`/api/v1/interactions/${live.id}/voice/monitor`, { mode: 'listen' })).status).toBe(403);

    const listening = await supervisor.post(`/api/v1/interactions/${live.id}/voice/monitor`, { mode: 'listen' });
    expect(listening.status, JSON.stringify(listening.body)).toBe(200);
    expect(listening.body.monitoring).toEqual([{ userId: userIds['supervisor@demo.kefu'], mode: 'listen' }]);
    await supervisorPhone.waitForEvent('CALL_ESTABLISHED', 30_000);
    await sleep(2500);
    expect((await supervisor.post(`/api/v1/interactions/${live.id}/voice/monitor`, { mode: 'whisper' })).body.monitoring[0].mode).toBe('whisper');
    await sleep(2500);
    // Everything the caller heard before the barge: no trace of the supervisor's 300 Hz.
    const beforeBarge = (await fs.stat(caller.heardFile())).size;
    expect((await supervisor.post(`/api/v1/interactions/${live.id}/voice/monitor`, { mode: 'barge' })).body.monitoring[0].mode).toBe('barge');
    await sleep(2500);
    caller.command('hangup');
    await endedOf(live.id);
    await supervisorPhone.waitForEvent('CALL_CLOSED', 30_000);

    const atCaller = channel(caller.heardFile(), 1);
    const samplesBefore = Math.floor((beforeBarge - 44) / 2);
    expect(bestShare(atCaller.subarray(0, samplesBefore), 300)).toBeLessThan(0.2);
    expect(bestShare(atCaller.subarray(samplesBefore), 300)).toBeGreaterThan(0.3); // barged in: heard by the caller
    expect(bestShare(channel(agent1.heardFile(), 1), 300)).toBeGreaterThan(0.3); // the whisper reached the agent
    const atSupervisor = channel(supervisorPhone.heardFile(), 1);
    expect(bestShare(atSupervisor, 440)).toBeGreaterThan(0.3);
    expect(bestShare(atSupervisor, 1000)).toBeGreaterThan(0.3);
    const audit = (await admin.get('/api/v1/audit?action=voice.call_monitored&limit=5')).body.items;
    expect(audit.map((a: { details: { mode: string } }) => a.details.mode)).toEqual(['barge', 'whisper', 'listen']);
  }, 180_000);
});
