import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { decodeWav } from '../src/audio/wav.ts';
import { readPcapUdp, waitFor } from '../src/testing/index.ts';
import { shareAt } from '../src/testing/rtp-test-peer.ts';
import { sox, soxInfo, soxStats, withTempDir } from './helpers.ts';
import { sleep, useCore } from './core-fixture.ts';

const kit = useCore();

async function roughFrequency(file: string, channel: number, trim?: [number, number]): Promise<number> {
  const { stderr } = await sox([file, '-n', 'remix', String(channel), ...(trim ? ['trim', String(trim[0]), String(trim[1])] : []), 'stat']);
  return Number(/Rough\s+frequency:\s+(\d+)/.exec(stderr)?.[1]);
}

describe('player', () => {
  it.each([
    ['16-bit PCM at 16 kHz', ['-e', 'signed', '-b', '16', '-r', '16000']],
    ['16-bit PCM at 8 kHz', ['-e', 'signed', '-b', '16', '-r', '8000']],
    ['µ-law', ['-e', 'u-law', '-r', '8000']],
    ['A-law', ['-e', 'a-law', '-r', '8000']],
  ])('plays a %s WAV file to the far end and reports the end', async (_n, fmt) => {
    await withTempDir(async (dir) => {
      const { core, events } = kit.core();
      const { id, peer } = await kit.leg(core, 'PCMU');
      const f = path.join(dir, 'prompt.wav');
      await sox(['-n', '-c', '1', ...fmt, f, 'synth', '0.6', 'sine', '1000', 'vol', '0.5']);
      const { playbackId } = await core.play(id, { file: f });
      await waitFor(() => events.find((e) => e.type === 'playback.ended'), 5000, 'end of playback');
      expect(events).toContainEqual({ type: 'playback.ended', playbackId, endpointId: id, reason: 'finished' });
      expect(peer.received.length).toBeGreaterThanOrEqual(29);
      expect(peer.received.length).toBeLessThanOrEqual(31);
      expect(peer.shareAt(1000)).toBeGreaterThan(0.8);
    });
  });

  it('loops a file the requested number of times', async () => {
    const { core, events } = kit.core();
    const { id, peer } = await kit.leg(core, 'PCMA');
    await core.play(id, { pcm: new Int16Array(1600).fill(3000), loop: 3 });
    await waitFor(() => events.find((e) => e.type === 'playback.ended'), 5000, 'end');
    expect(peer.received).toHaveLength(30);
  });

  it('plays busy tone with its cadence and stops on request', async () => {
    const { core, events } = kit.core();
    const { id, peer } = await kit.leg(core, 'PCMU');
    const { playbackId } = await core.play(id, { tone: 'busy' });
    await waitFor(() => peer.received.length >= 50, 4000, '1 s of tone');
    core.stopPlayback(playbackId);
    expect(events).toContainEqual({ type: 'playback.ended', playbackId, endpointId: id, reason: 'stopped' });
    const pcm = peer.receivedPcm('PCMU').subarray(0, 4000); // first 500 ms: tone on
    expect(shareAt(pcm, 480) + shareAt(pcm, 620)).toBeGreaterThan(0.8);
    const off = peer.receivedPcm('PCMU').subarray(4000, 8000); // next 500 ms: silence
    expect(Math.max(...off.map(Math.abs))).toBeLessThan(50);
  });

  it('stops music on hold when the caller presses a key (barge-in)', async () => {
    const { core, events } = kit.core();
    const { id, peer } = await kit.leg(core, 'PCMU', { telephoneEventPt: 101 });
    const { playbackId } = await core.play(id, { tone: { freqs: [523, 659], cadence: [] } }, { bargeIn: true });
    await waitFor(() => peer.received.length >= 10, 3000, 'music');
    for (const u of readPcapUdp('/usr/share/sip-tester/dtmf_2833_3.pcap')) peer.sendRaw(u.payload);
    await waitFor(() => events.find((e) => e.type === 'playback.ended'), 3000, 'barge-in');
    expect(events).toContainEqual({ type: 'dtmf', endpointId: id, digit: '3', source: 'rfc4733', durationMs: expect.any(Number) });
    expect(events).toContainEqual({ type: 'playback.ended', playbackId, endpointId: id, reason: 'dtmf' });
    const count = peer.received.length;
    await sleep(200);
    expect(peer.received.length).toBe(count);
  });
});

describe('recorder', () => {
  it('records customer left and agent right in stereo, with silence for the paused part', async () => {
    await withTempDir(async (dir) => {
      const { core } = kit.core();
      const customer = await kit.leg(core, 'PCMU');
      const agent = await kit.leg(core, 'PCMA');
      core.bridge(customer.id, agent.id);
      const sendingA = customer.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 3000 });
      const sendingB = agent.peer.startSending({ codec: 'PCMA', freq: 1000, durationMs: 3000 });
      await sleep(100);
      const file = path.join(dir, 'call.wav');
      const { recordingId } = core.record({ path: file, left: customer.id, right: agent.id });
      await sleep(1000);
      core.pauseRecording(recordingId); // card number being read
      await sleep(600);
      core.resumeRecording(recordingId);
      await sleep(1000);
      const result = await core.stopRecording(recordingId);
      await Promise.all([sendingA, sendingB]);

      const info = await soxInfo(file);
      expect(info.channels).toBe(2);
      expect(info.rate).toBe(8000);
      expect(Math.abs(info.durationS * 1000 - result.durationMs)).toBeLessThanOrEqual(20);
      expect(result.durationMs).toBeGreaterThan(2400);
      expect(await roughFrequency(file, 1, [0.3, 0.6])).toBeGreaterThan(420);
      expect(await roughFrequency(file, 1, [0.3, 0.6])).toBeLessThan(460);
      expect(await roughFrequency(file, 2, [0.3, 0.6])).toBeGreaterThan(960);
      expect(await roughFrequency(file, 2, [0.3, 0.6])).toBeLessThan(1040);
      expect(await roughFrequency(file, 1, [result.durationMs / 1000 - 0.6, 0.4])).toBeGreaterThan(420);

      // The paused stretch is digital silence of the paused length, in both channels.
      const wav = decodeWav(await readFile(file));
      const stereo = wav.samples; // mono mix; zero only where both channels are zero
      let run = 0;
      let longest = 0;
      let end = 0;
      for (let i = 1600; i < stereo.length; i++) {
        run = stereo[i] === 0 ? run + 1 : 0;
        if (run > longest) [longest, end] = [run, i];
      }
      expect(result.pausedMs).toBeGreaterThanOrEqual(560);
      expect(Math.abs(longest / 8 - result.pausedMs)).toBeLessThanOrEqual(25);
      // sox agrees: inside the paused stretch both channels are silent, around it both carry tone.
      const start = (end - longest + 1) / 8000;
      const inside = ['trim', String(start + 0.01), String(longest / 8000 - 0.02)];
      for (const ch of [1, 2]) {
        const silent = await soxStats(file, ch, inside);
        expect(silent['Pk lev dB']).toBe(-Infinity);
        const before = await soxStats(file, ch, ['trim', String(Math.max(0.3, start - 0.4)), '0.3']);
        expect(before['RMS lev dB']).toBeGreaterThan(-20);
      }
    });
  });

  it('records a mono mix of both sides, started and stopped mid-call', async () => {
    await withTempDir(async (dir) => {
      const { core } = kit.core();
      const customer = await kit.leg(core, 'PCMU');
      const agent = await kit.leg(core, 'PCMU');
      core.bridge(customer.id, agent.id);
      const sending = Promise.all([
        customer.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 1500, amplitude: 5000 }),
        agent.peer.startSending({ codec: 'PCMU', freq: 1000, durationMs: 1500, amplitude: 5000 }),
      ]);
      await sleep(300);
      const file = path.join(dir, 'mix.wav');
      const { recordingId } = core.record({ path: file, left: customer.id, right: agent.id, channels: 'mono' });
      await sleep(800);
      await core.stopRecording(recordingId);
      await sending;
      const info = await soxInfo(file);
      expect(info.channels).toBe(1);
      expect(info.durationS).toBeGreaterThan(0.6);
      expect(info.durationS).toBeLessThan(1.2);
      const pcm = decodeWav(await readFile(file)).samples.subarray(800);
      expect(shareAt(pcm, 440)).toBeGreaterThan(0.3);
      expect(shareAt(pcm, 1000)).toBeGreaterThan(0.3);
    });
  });

  it('keeps recording silence for a leg that hung up, so the other side stays on the timeline', async () => {
    await withTempDir(async (dir) => {
      const { core } = kit.core();
      const customer = await kit.leg(core, 'PCMU');
      const agent = await kit.leg(core, 'PCMU');
      const sending = Promise.all([
        customer.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 1600 }),
        agent.peer.startSending({ codec: 'PCMU', freq: 1000, durationMs: 1600 }),
      ]);
      await sleep(100);
      const file = path.join(dir, 'hangup.wav');
      const { recordingId } = core.record({ path: file, left: customer.id, right: agent.id });
      await sleep(600);
      await core.closeEndpoint(agent.id); // the agent hangs up
      await sleep(700);
      const result = await core.stopRecording(recordingId);
      await sending;
      const seconds = result.durationMs / 1000;
      const tail = ['trim', String(seconds - 0.5), '0.4'];
      expect((await soxStats(file, 2, tail))['Pk lev dB']).toBe(-Infinity);
      expect((await soxStats(file, 1, tail))['RMS lev dB']).toBeGreaterThan(-20);
    });
  });
});
