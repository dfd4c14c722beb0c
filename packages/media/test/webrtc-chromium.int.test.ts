import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeWav } from '../src/audio/wav.ts';
import { MediaCore } from '../src/engine/media-core.ts';
import { rms, RtpTestPeer, shareAt, waitFor } from '../src/testing/index.ts';
import { sox, withTempDir } from './helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

// Flags measured on this machine kind (ARCHITECTURE.md §8).
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'];

async function servePage(): Promise<string> {
  const html = await readFile(path.join(here, 'fixtures/webrtc-page.html'));
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function launch(micWav: string): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...FLAGS, `--use-file-for-fake-audio-capture=${micWav}`] });
  cleanup.push(() => browser.close());
  return browser;
}

interface PageMeasure { state: string; packetsReceived: number; totalAudioEnergy: number; packetsSent: number; codec?: string; peakHz: number }

describe('WebRTC endpoint ↔ headless Chromium', { timeout: 90_000 }, () => {
  it.each(['engine offers', 'browser offers'])('carries PCMU both ways over DTLS-SRTP (%s)', async (who) => {
    await withTempDir(async (dir) => {
      const mic = path.join(dir, 'mic.wav');
      await sox(['-n', '-r', '48000', '-c', '1', '-b', '16', mic, 'synth', '20', 'sine', '440', 'vol', '0.5']);
      const browser = await launch(mic);
      const page = await browser.newPage();
      await page.goto(await servePage());

      const core = new MediaCore({ bindAddress: '127.0.0.1' });
      cleanup.push(() => core.close());
      const digits: string[] = [];
      core.on('event', (e) => e.type === 'dtmf' && digits.push(e.digit));
      const { id } = await core.createWebRtcEndpoint();
      if (who === 'engine offers') {
        const offer = await core.webrtcOffer(id);
        expect(offer).toContain('a=rtcp-mux');
        expect(offer).toMatch(/a=fingerprint:sha-256/);
        const answer = await page.evaluate((sdp) => (window as unknown as { answerOffer(s: string): Promise<string> }).answerOffer(sdp), offer);
        await core.webrtcAcceptAnswer(id, answer);
      } else {
        const offer = await page.evaluate(() => (window as unknown as { makeOffer(): Promise<string> }).makeOffer());
        const answer = await core.webrtcAnswer(id, offer);
        expect(answer).toMatch(/m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0/);
        await page.evaluate((sdp) => (window as unknown as { acceptAnswer(s: string): Promise<void> }).acceptAnswer(sdp), answer);
      }

      await core.play(id, { tone: { freqs: [1000], cadence: [], amplitude: 8000 } });
      const rec = path.join(dir, 'from-browser.wav');
      await waitFor(() => core.stats(id).packetsReceived > 10, 30_000, 'audio from the browser');
      const { recordingId } = core.record({ path: rec, left: id, channels: 'mono' });
      const measure = () => page.evaluate(() => (window as unknown as { measure(): Promise<PageMeasure> }).measure());
      let m: PageMeasure | undefined;
      for (let i = 0; i < 150; i++) {
        m = await measure();
        if (m.packetsReceived > 100 && m.totalAudioEnergy > 0 && m.peakHz > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1500));
      await core.stopRecording(recordingId);

      // Browser side: PCMU packets arrived, decoded to a 1 kHz tone with energy.
      expect(m!.state).toBe('connected');
      expect(m!.codec).toBe('audio/PCMU');
      expect(m!.packetsReceived).toBeGreaterThan(100);
      expect(m!.totalAudioEnergy).toBeGreaterThan(0);
      expect(Math.abs(m!.peakHz - 1000)).toBeLessThan(30);
      // Engine side: the browser's fake microphone (440 Hz) arrived as PCMU with energy.
      expect(core.stats(id).packetsReceived).toBeGreaterThan(100);
      const pcm = decodeWav(await readFile(rec)).samples.subarray(1600);
      expect(rms(pcm)).toBeGreaterThan(500);
      expect(shareAt(pcm, 440)).toBeGreaterThan(0.5);

      // The browser's keypad goes out as RFC 4733 telephone-event and arrives as digits.
      await page.evaluate(() => (window as unknown as { pressKeys(k: string): void }).pressKeys('5#'));
      await waitFor(() => digits.length >= 2, 5000, 'digits from the browser');
      expect(digits).toEqual(['5', '#']);
    });
  });

  it('bridges a browser leg to a plain RTP phone leg without transcoding', async () => {
    await withTempDir(async (dir) => {
      const mic = path.join(dir, 'mic.wav');
      await sox(['-n', '-r', '48000', '-c', '1', '-b', '16', mic, 'synth', '20', 'sine', '440', 'vol', '0.5']);
      const browser = await launch(mic);
      const page = await browser.newPage();
      await page.goto(await servePage());
      const core = new MediaCore({ bindAddress: '127.0.0.1' });
      cleanup.push(() => core.close());
      const phone = await RtpTestPeer.create();
      cleanup.push(() => phone.close());
      const sip = await core.createRtpEndpoint();
      core.configureRtp(sip.id, { address: '127.0.0.1', port: phone.port }, { codec: 'PCMU' });
      phone.remote = { address: '127.0.0.1', port: sip.port };
      const { id } = await core.createWebRtcEndpoint();
      const offer = await core.webrtcOffer(id);
      const answer = await page.evaluate((sdp) => (window as unknown as { answerOffer(s: string): Promise<string> }).answerOffer(sdp), offer);
      await core.webrtcAcceptAnswer(id, answer);
      core.bridge(id, sip.id);
      const sending = phone.startSending({ codec: 'PCMU', freq: 1000, durationMs: 20_000 });
      await waitFor(() => phone.received.length > 100, 30_000, 'browser audio at the phone');
      let m: PageMeasure | undefined;
      for (let i = 0; i < 150; i++) {
        m = await page.evaluate(() => (window as unknown as { measure(): Promise<PageMeasure> }).measure());
        if (m.packetsReceived > 50 && m.peakHz > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      phone.stopSending();
      await sending.catch(() => undefined);
      expect(m!.codec).toBe('audio/PCMU');
      expect(Math.abs(m!.peakHz - 1000)).toBeLessThan(30);
      expect(phone.received.every((p) => p.payloadType === 0)).toBe(true);
      expect(phone.shareAt(440)).toBeGreaterThan(0.5);
    });
  });
});
