// A caller waiting in a voice queue, with real peers on loopback (baresip), the real router and database: agent1's
// phone (extension 1001) rings 8 s for a first call — nothing is announced to that caller meanwhile — and takes it,
// so the next caller waits with one staffed, busy agent. That caller hears the music on hold, then (every few
// seconds, from the queue node) their place and routing's estimated wait (position × average handle time ÷ staffed
// agents; no calls handled today: 180 s) with the callback offer; pressing 1 (RFC 4733) withdraws the routing task,
// stores a callback that keeps the caller's place, plays a confirmation and ends the call with a BYE. A third
// caller, in English, waits past the node's maximum wait and goes on at the overflow exit. What they hear is
// measured in the audio baresip decoded: the music's notes versus speech.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'drizzle-orm';
import { toneShare } from '@kefu/media';
import { createUserAgent, formatDtmfRelay } from '@kefu/sip';
import { Baresip, sdpOffer } from '@kefu/sip/testing';
import { channel } from './audio-fixtures.ts';
import { HOLD_NOTES_HZ } from '../src/voice/hold-music.ts';
import { announcementText, callbackConfirmationText } from '../src/voice/queue-announcer.ts';
import type { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { registerDeskPhone, startVoiceKefu, until } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let sipPort: number;
let divisionId: string;
const queues: Record<string, string> = {};
const phones: Baresip[] = [];
let agent: Baresip;

interface PathRow { nodeId: string; event: string; port: string | null; input: string | null }
const pathOf = async (id: string): Promise<PathRow[]> => (await admin.get(`/api/v1/interactions/${id}/flow-path`)).body;
const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> => server.kefu.database.withSystem(async (tx) => (await tx.execute(query)).rows as T[]);

async function flowOnNumber(name: string, number: string, graph: unknown): Promise<void> {
  const flow = await admin.post('/api/v1/flows', { divisionId, name, channel: 'voice', graph });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  expect(flow.body.problems).toEqual([]);
  expect((await admin.post(`/api/v1/flows/${flow.body.id}/publish`, {})).status).toBe(200);
  const n = await admin.post('/api/v1/voice/numbers', { divisionId, number, name, flowId: flow.body.id });
  expect(n.status, JSON.stringify(n.body)).toBe(201);
}

async function call(from: string, to: string): Promise<{ phone: Baresip; interactionId: string; answeredAt: number }> {
  const phone = await Baresip.start(`<sip:${from}@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU`, 440);
  phones.push(phone);
  phone.command('dial', `sip:${to}@127.0.0.1:${sipPort}`);
  await phone.waitForEvent('CALL_ESTABLISHED', 30_000);
  const answeredAt = Date.now();
  const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { from: string; to: string }) => i.from === from && i.to === to), `the call from ${from}`);
  return { phone, interactionId: live.id, answeredAt };
}

/** 200 ms windows of 8 kHz PCM: music (most energy on one of the hold notes), speech (loud, on none of them), other. */
function windows(pcm: Int16Array): ('music' | 'speech' | 'other')[] {
  const win = 1600;
  const out: ('music' | 'speech' | 'other')[] = [];
  for (let at = 0; at + win <= pcm.length; at += win) {
    let sum = 0;
    for (let i = at; i < at + win; i++) sum += pcm[i]! * pcm[i]!;
    const loud = Math.sqrt(sum / win) > 300;
    const note = Math.max(...HOLD_NOTES_HZ.map((hz) => toneShare(pcm, hz, 8000, at, win)));
    out.push(loud && note > 0.6 ? 'music' : loud && note < 0.3 ? 'speech' : 'other');
  }
  return out;
}

/**
 * What a caller heard: seconds of music and of speech, and the seconds of music before the first speech. (The
 * decoded dump holds only what arrived, so its time line is not the wall clock: durations, not positions.)
 */
function heard(file: string): { music: number; speech: number; musicBeforeSpeech: number; sequence: string } {
  const w = windows(channel(file));
  const first = w.indexOf('speech');
  const count = (label: string, list = w) => list.filter((x) => x === label).length * 0.2;
  // The order of what was heard: runs of music (M) and speech (S) of at least 0.6 s, short dropouts ignored.
  const runs: { label: string; n: number }[] = [];
  for (const x of w.filter((l) => l !== 'other')) {
    const last = runs.at(-1);
    if (last?.label === x) last.n++;
    else runs.push({ label: x, n: 1 });
  }
  const sequence = runs.filter((r) => r.n >= 3).map((r) => (r.label === 'music' ? 'M' : 'S')).join('').replace(/(.)\1+/g, '$1');
  return { music: count('music'), speech: count('speech'), musicBeforeSpeech: count('music', first < 0 ? w : w.slice(0, first)), sequence };
}

/** Seconds of speech in the server's own TTS of a text (what the caller must hear at least most of). */
async function spoken(text: string, language: 'zh' | 'en'): Promise<number> {
  const tts = (server.kefu.modules.flows as unknown as { tts: { speak(t: string, l: string, r: number): Promise<Int16Array> } }).tts;
  return windows(await tts.speak(text, language, 8000)).filter((x) => x === 'speech').length * 0.2;
}

beforeAll(async () => {
  ({ server, admin, sipPort } = await startVoiceKefu());
  for (const q of (await admin.get('/api/v1/routing/queues')).body as { id: string; name: string; divisionId: string }[]) queues[q.name] = q.id;
  divisionId = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'Support').divisionId;

  // Waiting in Support: announcements every 5 s with the callback offer (zh, the default language).
  await flowOnNumber('Queue wait: callback', '4101', {
    start: 'q',
    nodes: [{ id: 'q', type: 'queue', label: '', next: {}, config: { queueId: queues.Support, announcePosition: true, offerCallback: true, announceEverySeconds: 5 } }],
  });
  // Waiting in Sales, in English, at most 10 s: then an apology and goodbye.
  await flowOnNumber('Queue wait: overflow', '4102', {
    start: 'lang',
    nodes: [
      { id: 'lang', type: 'set_variable', label: '', config: { assignments: [{ variable: 'language', value: 'en' }] }, next: { next: 'q' } },
      { id: 'q', type: 'queue', label: '', config: { queueId: queues.Sales, announcePosition: true, announceEverySeconds: 5, maxWaitSeconds: 10 }, next: { overflow: 'sorry' } },
      { id: 'sorry', type: 'hangup', label: '', config: { prompt: { text: 'All our agents are still busy. Please call again later. Goodbye.', language: 'en' } }, next: {} },
    ],
  });

  // agent1's phone: registering makes agent1 available; the test answers it.
  agent = await registerDeskPhone(admin, sipPort, '1001', 1000, 'manual');
  phones.push(agent);
}, 120_000);

afterAll(async () => {
  for (const p of phones) await p.stop().catch(() => {});
  await server?.stop();
});

describe('a caller waiting in a voice queue', () => {
  let first: { phone: Baresip; interactionId: string; answeredAt: number };

  test('the first caller rings the free agent: nothing is announced while it rings', async () => {
    first = await call('13800138000', '4101');
    await agent.waitForEvent('CALL_INCOMING', 30_000);
    // Longer than the 5 s between announcements: the caller is not told a place in line while a phone rings for them.
    await new Promise((r) => setTimeout(r, 8000));
    agent.command('accept');
    await until(async () => (await admin.get(`/api/v1/interactions/${first.interactionId}`)).body.answeredAt, 'the agent answering', 30_000);
    const path = await pathOf(first.interactionId);
    expect(path.filter((e) => e.event === 'queue' && e.port === 'announce')).toEqual([]);
  }, 60_000);

  test('the next one hears music, then their place, the estimated wait and the callback offer; 1 books the callback and ends the call', async () => {
    const second = await call('13800138001', '4101');
    // One staffed agent (busy with the first caller), no calls handled today: 1 × 180 s ÷ 1.
    const announced = await until(async () => (await pathOf(second.interactionId)).find((e) => e.event === 'queue' && e.port === 'announce'), 'the announcement', 30_000);
    expect(announced).toMatchObject({ nodeId: 'q', input: 'position=1 wait=180s key=1' });
    // Let the announcement (about 6 s of Mandarin) play out and the music come back.
    await new Promise((r) => setTimeout(r, 9000));
    const task = await until(async () => (await rows<{ id: string; status: string; enqueued_at: Date }>(sql`SELECT id, status, enqueued_at FROM routing_tasks
      WHERE channel = 'voice' AND attributes->>'interactionId' = ${second.interactionId}`))[0], 'the waiting task');
    expect(task.status).toBe('queued');

    await second.phone.sendDtmf('1');
    await second.phone.waitForEvent('CALL_CLOSED', 30_000); // the service's BYE after the confirmation

    // Routing no longer holds the call's task; the callback keeps the caller's place.
    const [ended] = await rows<{ status: string }>(sql`SELECT status FROM routing_tasks WHERE id = ${task.id}`);
    expect(ended!.status).toBe('cancelled');
    const request = await until(async () => (await rows<{ id: string; number: string; queue_id: string; state: string; task_id: string | null; queued_since: Date }>(sql`
      SELECT id, number, queue_id, state, task_id, queued_since FROM voice_callback_requests WHERE interaction_id = ${second.interactionId}`)).find((r) => r.state === 'queued'), 'the callback queued in routing');
    expect(request).toMatchObject({ number: '13800138001', queue_id: queues.Support });
    const [callbackTask] = await rows<{ channel: string; status: string; enqueued_at: Date; callback_number: string | null }>(sql`
      SELECT channel, status, enqueued_at, callback_number FROM routing_tasks WHERE id = ${request.task_id}`);
    expect(callbackTask).toMatchObject({ channel: 'callback', status: 'queued', callback_number: '13800138001' });
    expect(Math.abs(new Date(callbackTask!.enqueued_at).getTime() - new Date(task.enqueued_at).getTime())).toBeLessThan(2000);

    const interaction = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${second.interactionId}`)).body;
      return i.state === 'ended' ? i : undefined;
    }, 'the interaction to end');
    expect(interaction.endReason).toBe('callback_requested');
    const path = await pathOf(second.interactionId);
    expect(path.map((e) => `${e.nodeId}:${e.event}:${e.port ?? ''}`)).toEqual(expect.arrayContaining(['q:enter:', 'q:leave:queue', 'q:queue:announce', 'q:queue:result', 'q:queue:callback']));
    expect(path.find((e) => e.port === 'result')!.input).toBe('callback');
    expect(path.find((e) => e.port === 'callback')!.input).toBe(request.id);

    // What the caller heard: music first, then speech that is not the music: the announcement and the confirmation
    // (at least 80 % of their synthesized speech; the confirmation alone is far less).
    const h = heard(second.phone.heardFile());
    const announcement = await spoken(announcementText({ position: 1, estimatedWaitSeconds: 180, callbackDigit: '1' }, 'zh'), 'zh');
    const confirmation = await spoken(callbackConfirmationText('zh'), 'zh');
    expect(announcement).toBeGreaterThan(2);
    expect(h.musicBeforeSpeech).toBeGreaterThan(3);
    expect(h.music).toBeGreaterThan(5);
    expect(h.speech).toBeGreaterThan(0.8 * (announcement + confirmation));
    expect(h.sequence).toMatch(/^M(SM)+S$/); // music, announcement, music (again), …, confirmation
  }, 120_000);

  test('past the maximum wait the caller goes on at the overflow exit (English announcements on the way)', async () => {
    const third = await call('13800138002', '4102');
    await third.phone.waitForEvent('CALL_CLOSED', 60_000);
    const path = await until(async () => {
      const p = await pathOf(third.interactionId);
      return p.some((e) => e.nodeId === 'sorry' && e.event === 'leave') ? p : undefined;
    }, 'the overflow path');
    expect(path.map((e) => `${e.nodeId}:${e.event}:${e.port ?? ''}:${e.event === 'queue' ? e.input : ''}`)).toEqual([
      'lang:enter::', 'lang:leave:next:', 'q:enter::', 'q:leave:queue:', 'q:queue:announce:position=1 wait=180s', 'q:queue:result:timeout', 'sorry:enter::', 'sorry:leave:hangup:',
    ]);
    const [task] = await rows<{ status: string }>(sql`SELECT status FROM routing_tasks WHERE channel = 'voice' AND attributes->>'interactionId' = ${third.interactionId}`);
    expect(task!.status).toBe('cancelled');
    // Music, the English announcement after about 5 s of it, then the apology.
    const h = heard(third.phone.heardFile());
    const announcement = await spoken(announcementText({ position: 1, estimatedWaitSeconds: 180 }, 'en'), 'en');
    const apology = await spoken('All our agents are still busy. Please call again later. Goodbye.', 'en');
    expect(announcement).toBeGreaterThan(2);
    expect(h.musicBeforeSpeech).toBeGreaterThan(3);
    expect(h.speech).toBeGreaterThan(0.8 * (announcement + apology));
  }, 120_000);

  test('the key sent as SIP INFO (application/dtmf-relay) books the callback too', async () => {
    const ua = await createUserAgent({ udp: { host: '127.0.0.1' } });
    try {
      const dialog = await ua.createUAC(`sip:4101@127.0.0.1:${sipPort}`, { localSdp: sdpOffer(41010), from: '<sip:13800138003@127.0.0.1>' });
      const closed = new Promise<string>((r) => dialog.once('destroy', (e: { reason: string }) => r(e.reason)));
      const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { from: string }) => i.from === '13800138003'), 'the call');
      const announced = await until(async () => (await pathOf(live.id)).find((e) => e.event === 'queue' && e.port === 'announce'), 'the announcement', 30_000);
      // The earlier caller's callback waits in Support with that caller's place: this one is second, 2 × 180 s ÷ 1.
      expect(announced.input).toBe('position=2 wait=360s key=1');
      const info = await dialog.request('INFO', { body: formatDtmfRelay('1'), contentType: 'application/dtmf-relay' });
      expect(info.status).toBe(200);
      expect(await closed).toBe('remote'); // the service's BYE after the confirmation
      const [request] = await until(async () => {
        const r = await rows<{ number: string; state: string }>(sql`SELECT number, state FROM voice_callback_requests WHERE interaction_id = ${live.id}`);
        return r.length ? r : undefined;
      }, 'the callback request');
      expect(request!.number).toBe('13800138003');
      const [task] = await rows<{ status: string }>(sql`SELECT status FROM routing_tasks WHERE channel = 'voice' AND attributes->>'interactionId' = ${live.id}`);
      expect(task!.status).toBe('cancelled');
    } finally {
      await ua.close();
    }
  }, 120_000);
});
