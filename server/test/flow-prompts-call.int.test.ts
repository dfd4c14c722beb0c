// An uploaded prompt on a real call: an MP3 made by sox (a 2.5 s, 1000 Hz tone, 44.1 kHz stereo) is uploaded to
// the library, a flow plays it by id and hangs up, the demo number points at the flow, and baresip dials it. What
// baresip decoded from the RTP it received is measured: the 1000 Hz tone is there, loud, for about 2.5 s.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toneShare } from '@kefu/media';
import { Baresip } from '@kefu/sip/testing';
import { channel } from './audio-fixtures.ts';
import { soxTone, uploadPrompt } from './flow-prompt-fixtures.ts';
import type { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { startVoiceKefu, until } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let sipPort: number;
let caller: Baresip | undefined;

beforeAll(async () => {
  ({ server, admin, sipPort } = await startVoiceKefu());
});
afterAll(async () => {
  await caller?.stop();
  await server?.stop();
});

/** Seconds of 20 ms frames in which the tone carries most of the energy and the frame is not quiet. */
function toneSeconds(pcm: Int16Array, hz: number): number {
  let frames = 0;
  for (let at = 0; at + 160 <= pcm.length; at += 160) {
    let energy = 0;
    for (let i = at; i < at + 160; i++) energy += (pcm[i]! / 32768) ** 2;
    if (Math.sqrt(energy / 160) > 0.05 && toneShare(pcm, hz, 8000, at, 160) > 0.6) frames++;
  }
  return frames * 0.02;
}

describe('a play node with an uploaded prompt', () => {
  test('plays the prompt to a real caller: the tone is heard, not silent, for its length', async () => {
    const prompt = await uploadPrompt(admin, 'call tone', soxTone('mp3', 2.5, ['-r', '44100', '-c', '2'], 1000));
    expect(prompt.status).toBe(201);
    const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
    const flow = (await admin.post('/api/v1/flows', {
      divisionId, name: 'Uploaded prompt on a call', channel: 'voice',
      graph: { start: 'p', nodes: [{ id: 'p', type: 'play', config: { promptId: prompt.body.id }, next: { next: 'bye' } }, { id: 'bye', type: 'hangup', config: {} }] },
    })).body;
    expect((await admin.post(`/api/v1/flows/${flow.id}/publish`, {})).status).toBe(200);
    const number = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
    expect((await admin.patch(`/api/v1/voice/numbers/${number.id}`, { flowId: flow.id })).status).toBe(200);

    caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    // The flow hangs up after the prompt.
    await caller.waitForEvent('CALL_CLOSED', 30_000);
    const call = await until(async () => (await admin.get('/api/v1/interactions?limit=5')).body.items.find((i: { to: string; state: string }) => i.to === '4000' && i.state === 'ended'), 'the ended call');
    const path = (await admin.get(`/api/v1/interactions/${call.id}/flow-path`)).body as { nodeId: string; event: string; port: string | null }[];
    expect(path.map((e) => `${e.nodeId}:${e.event}:${e.port ?? ''}`)).toEqual(['p:enter:', 'p:leave:next', 'bye:enter:', 'bye:leave:hangup']);

    const heard = channel(caller.heardFile());
    const seconds = toneSeconds(heard, 1000);
    expect(seconds).toBeGreaterThan(2.2);
    expect(seconds).toBeLessThan(2.8);
  }, 120_000);
});
