// An agent in the browser: Debian's chromium (fake microphone playing 660 Hz) signs agent1 in over the realtime
// WebSocket, registers the softphone of apps/web/src/pages/voice/softphone.ts and auto-answers; baresip calls 4000
// (440 Hz), routing offers the call to agent1, the voice service rings the browser (WebRTC endpoint of the media
// engine, DTLS-SRTP), and audio flows both ways: 440 Hz measured in the browser (WebAudio), 660 Hz in what the caller
// decoded and in the recording's agent channel. The caller hangs up and the browser is told.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bestShare, channel } from './audio-fixtures.ts';
import { launchChromiumWithMicrophone } from './desktop-fixtures.ts';
import { Baresip } from '@kefu/sip/testing';
import { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { startVoiceKefu, until } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let browser: Browser;
let caller: Baresip | undefined;
let tmp: string;
let sipPort: number;

beforeAll(async () => {
  ({ server, admin, sipPort } = await startVoiceKefu({ demoNumberToQueue: true }));
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-voice-webrtc-'));
  browser = await launchChromiumWithMicrophone(tmp, 660);
}, 180_000);
afterAll(async () => {
  await caller?.stop();
  await browser?.close();
  await server?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});



interface PageState { state: string; packetsReceived: number; packetsSent: number; totalAudioEnergy: number; connection: string; peakHz: number }

describe('an agent in the browser', () => {
  test('answers a call offered by routing over WebRTC, with audio both ways measured', async () => {
    const bundle = await build({
      entryPoints: [path.resolve(import.meta.dirname, '../../apps/web/src/pages/voice/softphone.ts')],
      bundle: true, write: false, format: 'iife', globalName: 'KefuSoftphone', target: 'chrome120',
    });
    const agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    const context = await browser.newContext();
    await context.addCookies([{ name: 'kefu_session', value: agent.cookie!.split('=').slice(1).join('='), url: server.baseUrl }]);
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('[browser]', m.text()));
    await page.goto(`${server.baseUrl}/api/health`); // Kefu's own origin: the socket's Origin check passes
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    await page.evaluate(async () => {
      const w = globalThis as unknown as Record<string, any>;
      const transport = await w.KefuSoftphone.websocketTransport();
      const phone = new w.KefuSoftphone.BrowserSoftphone(transport, { autoAnswer: true });
      await phone.register();
      await transport.request('agent.set_state', { state: 'available' });
      w.phone = phone;
      w.measure = async () => {
        const s = await phone.stats();
        let peakHz = 0;
        if (phone.remoteStream) {
          if (!w.analyser) {
            const ctx = new w.AudioContext({ sampleRate: 48000 });
            w.analyser = ctx.createAnalyser();
            w.analyser.fftSize = 8192;
            ctx.createMediaStreamSource(phone.remoteStream).connect(w.analyser);
            await ctx.resume();
          }
          const bins = new Float32Array(w.analyser.frequencyBinCount);
          w.analyser.getFloatFrequencyData(bins);
          let best = 1;
          for (let i = 1; i < bins.length; i++) if (bins[i]! > bins[best]!) best = i;
          peakHz = (best * 48000) / w.analyser.fftSize;
        }
        return { state: phone.state, ...s, peakHz };
      };
    });
    const measure = (): Promise<PageState> => page.evaluate(() => (globalThis as unknown as { measure(): Promise<PageState> }).measure());

    caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'the browser answering', 60_000);
    const users = (await admin.get('/api/v1/users?limit=50')).body.items as { id: string; email: string }[];
    expect(live.agentId).toBe(users.find((u) => u.email === 'agent1@demo.kefu')!.id);

    // In the browser: connected, PCM packets arriving, the caller's 440 Hz the loudest frequency.
    let m: PageState | undefined;
    for (let i = 0; i < 200; i++) {
      m = await measure();
      if (m.packetsReceived > 100 && Math.abs(m.peakHz - 440) < 15) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(m).toMatchObject({ state: 'in_call', connection: 'connected' });
    expect(m!.packetsReceived).toBeGreaterThan(100);
    expect(m!.totalAudioEnergy).toBeGreaterThan(0);
    expect(Math.abs(m!.peakHz - 440)).toBeLessThan(15);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await measure()).packetsSent).toBeGreaterThan(100); // the microphone went out all along

    caller.command('hangup');
    const ended = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
      return i.state === 'ended' ? i : undefined;
    }, 'the end of the call');
    expect(ended).toMatchObject({ hangupBy: 'customer', endReason: 'normal' });
    expect(ended.segments.map((s: { kind: string }) => s.kind)).toEqual(['queue', 'agent']);
    await until(async () => (await measure()).state === 'idle' || undefined, 'the browser told the call ended');

    // The caller heard the browser's microphone (660 Hz); the recording has the caller left and the browser right.
    expect(bestShare(channel(caller.heardFile(), 1), 660)).toBeGreaterThan(0.5);
    const [recording] = await until(async () => {
      const list = (await admin.get(`/api/v1/interactions/${live.id}/recordings`)).body;
      return list[0]?.state === 'stored' ? list : undefined;
    }, 'the stored recording');
    const audio = await fetch(`${server.baseUrl}/api/v1/recordings/${recording.id}/audio`, { headers: { cookie: admin.cookie! } });
    const file = path.join(tmp, 'call.wav');
    await fs.writeFile(file, Buffer.from(await audio.arrayBuffer()));
    expect(bestShare(channel(file, 1), 440)).toBeGreaterThan(0.5);
    expect(bestShare(channel(file, 2), 660)).toBeGreaterThan(0.5);
    await context.close();
  }, 180_000);
});
