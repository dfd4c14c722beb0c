import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import { decodeWav } from '../src/audio/wav.ts';
import { MediaCore } from '../src/engine/media-core.ts';
import { shareAt, sine, waitFor } from '../src/testing/index.ts';
import { codecs } from '../src/codec/codec.registry.ts';
import { sox, withTempDir } from './helpers.ts';

/**
 * Kefu's SRTP media path (webrtc/srtp-media-path.ts) under a real browser and a real werift peer:
 * which path carried the packets is read from the endpoint's stats and from Chromium's transport
 * stats, and the audio is measured, not assumed.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'];

interface PageMeasure { state: string; packetsReceived: number; totalAudioEnergy: number; packetsSent: number; codec?: string; peakHz: number }

describe('WebRTC endpoint: Kefu SRTP path', { timeout: 90_000 }, () => {
  it('carries the Chromium call on node:crypto SRTP (both ways, audio measured, no SRTP errors in the browser)', async () => {
    await withTempDir(async (dir) => {
      const mic = path.join(dir, 'mic.wav');
      await sox(['-n', '-r', '48000', '-c', '1', '-b', '16', mic, 'synth', '20', 'sine', '440', 'vol', '0.5']);
      const html = await readFile(path.join(here, 'fixtures/webrtc-page.html'));
      const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...FLAGS, `--use-file-for-fake-audio-capture=${mic}`] });
      cleanup.push(() => browser.close());
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);

      const core = new MediaCore({ bindAddress: '127.0.0.1' });
      cleanup.push(() => core.close());
      const { id } = await core.createWebRtcEndpoint();
      const answer = await page.evaluate((sdp) => (window as unknown as { answerOffer(s: string): Promise<string> }).answerOffer(sdp), await core.webrtcOffer(id));
      await core.webrtcAcceptAnswer(id, answer);
      await core.play(id, { tone: { freqs: [1000], cadence: [], amplitude: 8000 } });
      await waitFor(() => core.stats(id).packetsReceived > 100, 30_000, 'audio from the browser');
      const rec = path.join(dir, 'from-browser.wav');
      const { recordingId } = core.record({ path: rec, left: id, channels: 'mono' });
      let m: PageMeasure | undefined;
      for (let i = 0; i < 150; i++) {
        m = await page.evaluate(() => (window as unknown as { measure(): Promise<PageMeasure> }).measure());
        if (m.packetsReceived > 100 && m.peakHz > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1500));
      await core.stopRecording(recordingId);

      const st = core.stats(id);
      expect(st.srtp?.path).toBe('kefu');
      // The browser names the same profile for its transport, and counts no undecryptable packets.
      // `pc` is a top-level `let` of the page script: reachable by name, not as a property of window.
      const browserSide = (await page.evaluate(`(async () => {
        const stats = await pc.getStats();
        let cipher;
        stats.forEach((s) => { if (s.type === 'transport') cipher = s.srtpCipher; });
        return { cipher };
      })()`)) as { cipher?: string };
      expect(browserSide.cipher).toBe(st.srtp?.profile);
      expect(m!.codec).toBe('audio/PCMU');
      expect(m!.packetsReceived).toBeGreaterThan(100);
      expect(m!.totalAudioEnergy).toBeGreaterThan(0);
      expect(Math.abs(m!.peakHz - 1000)).toBeLessThan(30);
      const heard = decodeWav(await readFile(rec)).samples.subarray(1600);
      expect(shareAt(heard, 440)).toBeGreaterThan(0.5);
    });
  });

  it.each([true, false])('carries a werift peer both ways with fastSrtp=%s (seq wrap on the peer side included)', async (fast) => {
    const core = new MediaCore({ bindAddress: '127.0.0.1' });
    cleanup.push(() => core.close());
    const { id } = await core.createWebRtcEndpoint({ fastSrtp: fast });
    const pc = new RTCPeerConnection({
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 })], video: [] },
      headerExtensions: { audio: [], video: [] },
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
    });
    cleanup.push(() => pc.close());
    const track = new MediaStreamTrack({ kind: 'audio' });
    const tr = pc.addTransceiver(track, { direction: 'sendrecv' });
    const got: Buffer[] = [];
    tr.onTrack.subscribe((remote) => remote.onReceiveRtp.subscribe((rtp) => got.push(rtp.payload)));
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor(() => pc.iceGatheringState === 'complete', 5000, 'gathering');
    await pc.setRemoteDescription({ type: 'answer', sdp: await core.webrtcAnswer(id, pc.localDescription!.sdp) });
    await waitFor(() => pc.connectionState === 'connected', 10_000, 'connected');
    await core.play(id, { tone: { freqs: [1000], cadence: [], amplitude: 8000 } });
    // The peer sends 600 Hz PCMU with sequence numbers that wrap through 65535 → 0.
    const tone = sine(600, 2000);
    for (let i = 0; i < 100; i++) {
      const payload = Buffer.from(codecs.PCMU.encode(tone.subarray(i * 160, i * 160 + 160)));
      track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 0, sequenceNumber: (65486 + i) & 0xffff, timestamp: i * 160, ssrc: 4242 }), payload));
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(() => got.length > 50, 5000, 'audio at the peer');
    const st = core.stats(id);
    expect(st.srtp?.path).toBe(fast ? 'kefu' : 'werift');
    expect(st.packetsReceived).toBeGreaterThanOrEqual(95);
    expect(st.packetsLost).toBe(0);
    const atPeer = codecs.PCMU.decode(Buffer.concat(got.slice(-40)));
    expect(shareAt(atPeer, 1000)).toBeGreaterThan(0.8);
  });
});
