import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpEndpoint } from '../src/endpoint/rtp-endpoint.ts';
import { PortAllocator } from '../src/rtp/port-allocator.ts';
import { parseRtp } from '../src/rtp/rtp-packet.ts';
import { parseTelephoneEvent, serializeTelephoneEvent, TelephoneEventReceiver } from '../src/dtmf/rfc4733.ts';
import { InbandDtmfDetector } from '../src/dtmf/inband-detector.ts';
import { loadWav8k } from '../src/audio/wav.ts';
import { readPcapUdp, RtpTestPeer, waitFor } from '../src/testing/index.ts';
import type { DetectedDigit } from '../src/dtmf/rfc4733.ts';
import { run, sox, withTempDir } from './helpers.ts';
import { Ticker } from '../src/engine/clock.ts';
import { MediaCore } from '../src/engine/media-core.ts';
import type { MediaEvent } from '../src/engine/media-events.ts';

const SIPP = '/usr/share/sip-tester';
const pcaps = readdirSync(SIPP).filter((f) => f.startsWith('dtmf_2833_')).map((f) => [f, f.replace(/^dtmf_2833_|\.pcap$/g, '').replace('pound', '#').replace('star', '*')] as const);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('RFC 4733 DTMF receive', () => {
  it.each(pcaps)('reads %s from sipp as exactly one digit %s', (file, digit) => {
    const rx = new TelephoneEventReceiver();
    const digits: string[] = [];
    for (const u of readPcapUdp(path.join(SIPP, file))) {
      const p = parseRtp(u.payload);
      const e = parseTelephoneEvent(p.payload);
      const d = e && rx.receive(p.ssrc, p.timestamp, e);
      if (d) digits.push(d.digit);
    }
    expect(digits).toEqual([digit]);
  });

  it('reports one digit per event over a real socket even when the end packet is sent three times', async () => {
    const ep = await RtpEndpoint.create({ id: 'dtmf', bindAddress: '127.0.0.1', ports: new PortAllocator() });
    cleanup.push(() => ep.close());
    const peer = await RtpTestPeer.create();
    cleanup.push(() => peer.close());
    ep.configure({ address: '127.0.0.1', port: peer.port }, { codec: 'PCMU', telephoneEventPt: 101 });
    peer.remote = { address: '127.0.0.1', port: ep.localPort };
    const got: DetectedDigit[] = [];
    ep.on('dtmf', (d) => got.push(d));
    // Replay 5, then #, from sipp's captures, twice each (duplicates on the wire).
    for (const file of ['dtmf_2833_5.pcap', 'dtmf_2833_pound.pcap']) {
      for (const u of readPcapUdp(path.join(SIPP, file))) {
        peer.sendRaw(u.payload);
        peer.sendRaw(u.payload);
      }
    }
    await waitFor(() => got.length >= 2, 3000, 'digits');
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((d) => d.digit)).toEqual(['5', '#']);
    expect(got[0]!.source).toBe('rfc4733');
    expect(got[0]!.durationMs).toBeGreaterThan(0);
  });

  it('reads RFC 2198 redundant event reports, even when the packet with the end was lost', async () => {
    const ep = await RtpEndpoint.create({ id: 'red', bindAddress: '127.0.0.1', ports: new PortAllocator() });
    cleanup.push(() => ep.close());
    const peer = await RtpTestPeer.create();
    cleanup.push(() => peer.close());
    ep.configure({ address: '127.0.0.1', port: peer.port }, { codec: 'PCMU', telephoneEventPt: 101, redEventPt: 100 });
    peer.remote = { address: '127.0.0.1', port: ep.localPort };
    const got: DetectedDigit[] = [];
    ep.on('dtmf', (d) => got.push(d));
    // Digit 2 started at ts 8000; its end report (duration 800) rides only as a redundant block of
    // the next packet, whose primary block is the start of digit 3 at ts 9600.
    const end2 = serializeTelephoneEvent({ event: 2, end: true, volume: 10, duration: 800 });
    const start3 = serializeTelephoneEvent({ event: 3, end: false, volume: 10, duration: 160 });
    const offset = 9600 - 8000;
    const red = Buffer.concat([
      Buffer.from([0x80 | 101, (offset >> 6) & 0xff, ((offset & 0x3f) << 2) | 0, 4]),
      Buffer.from([101]),
      Buffer.from(end2),
      Buffer.from(start3),
    ]);
    peer.sendPacket({ payloadType: 100, marker: false, sequenceNumber: 7, timestamp: 9600, ssrc: 77, payload: red });
    peer.sendPacket({ payloadType: 100, marker: false, sequenceNumber: 8, timestamp: 9600, ssrc: 77, payload: red }); // duplicate
    const end3 = serializeTelephoneEvent({ event: 3, end: true, volume: 10, duration: 800 });
    peer.sendPacket({ payloadType: 100, marker: false, sequenceNumber: 9, timestamp: 9600, ssrc: 77, payload: Buffer.concat([Buffer.from([101]), Buffer.from(end3)]) });
    await waitFor(() => got.length >= 2, 3000, 'digits');
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((d) => d.digit)).toEqual(['2', '3']);
  });

  it('still reports a digit whose end packets were all lost, once audio resumes', () => {
    const rx = new TelephoneEventReceiver();
    expect(rx.receive(1, 800, { event: 7, end: false, volume: 10, duration: 160 })).toBeUndefined();
    expect(rx.flushUnended()?.digit).toBe('7');
    expect(rx.flushUnended()).toBeUndefined();
  });
});

describe('RFC 4733 DTMF send', () => {
  it('sends marker, growing durations and three end packets with one timestamp, then reads back as the same digits', async () => {
    const ep = await RtpEndpoint.create({ id: 'tx', bindAddress: '127.0.0.1', ports: new PortAllocator() });
    cleanup.push(() => ep.close());
    const peer = await RtpTestPeer.create();
    cleanup.push(() => peer.close());
    ep.configure({ address: '127.0.0.1', port: peer.port }, { codec: 'PCMU', telephoneEventPt: 101 });
    const t = new Ticker((now) => ep.tick(now));
    t.startTicking();
    cleanup.push(() => t.stop());
    ep.sendDtmf('19#', 100);
    await waitFor(() => peer.received.filter((p) => p.payloadType === 101 && (p.payload[1]! & 0x80)).length >= 9, 5000, 'end packets');
    const ev = peer.received.filter((p) => p.payloadType === 101);
    const first = ev.filter((p) => p.payload[0] === 1);
    expect(first[0]!.marker).toBe(true);
    expect(new Set(first.map((p) => p.timestamp)).size).toBe(1);
    expect(first.filter((p) => p.payload[1]! & 0x80)).toHaveLength(3);
    const rx = new TelephoneEventReceiver();
    const digits = ev.map((p) => rx.receive(p.ssrc, p.timestamp, parseTelephoneEvent(p.payload)!)?.digit).filter(Boolean);
    expect(digits).toEqual(['1', '9', '#']);
  });
});

const KEYS: Record<string, [number, number]> = { '1': [697, 1209], '5': [770, 1336], '9': [852, 1477], '0': [941, 1336], '*': [941, 1209], '#': [941, 1477], D: [941, 1633] };

describe('in-band DTMF (Goertzel)', () => {
  it('detects a sequence of sox-made digits once each', async () => {
    await withTempDir(async (dir) => {
      const parts: string[] = [];
      for (const [i, d] of ['1', '5', '9', '0', '*', '#', 'D'].entries()) {
        const [lo, hi] = KEYS[d]!;
        const f = path.join(dir, `d${i}.wav`);
        await sox(['-n', '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', f, 'synth', '0.1', 'sine', String(lo), 'sine', String(hi), 'remix', '-', 'vol', '0.5']);
        const g = path.join(dir, `g${i}.wav`);
        await sox(['-n', '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', g, 'trim', '0', '0.08']);
        parts.push(f, g);
      }
      const all = path.join(dir, 'all.wav');
      await sox([...parts, all]);
      const det = new InbandDtmfDetector();
      const pcm = await loadWav8k(all);
      expect(det.push(pcm).map((d) => d.digit).join('')).toBe('1590*#D');
    });
  });

  it('detects a digit under moderate noise and a µ-law round trip', async () => {
    await withTempDir(async (dir) => {
      const f = path.join(dir, 'd5.wav');
      await sox(['-n', '-r', '8000', '-c', '1', '-e', 'u-law', f, 'synth', '0.1', 'sine', '770', 'sine', '1336', 'whitenoise', 'remix', '-', 'vol', '0.4']);
      const det = new InbandDtmfDetector();
      expect(det.push(await loadWav8k(f)).map((d) => d.digit)).toEqual(['5']);
    });
  });

  it('ignores a 30 ms blip that is too short for a digit (Q.24 minimum 40 ms)', async () => {
    await withTempDir(async (dir) => {
      const f = path.join(dir, 'blip.wav');
      await sox(['-n', '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', f, 'synth', '0.03', 'sine', '770', 'sine', '1336', 'remix', '-', 'pad', '0.05', '0.05']);
      expect(new InbandDtmfDetector().push(await loadWav8k(f))).toEqual([]);
    });
  });

  it('does not hear digits in speech (talk-off)', async () => {
    await withTempDir(async (dir) => {
      const f = path.join(dir, 'speech.wav');
      const text = 'Thank you for calling. Please enter your account number, then press the pound key. ' +
        'For billing questions, press one. To speak with an agent, please hold. Your call is important to us. ' +
        'Nine, eight, seven, six, five, four, three, two, one, zero. Goodbye and have a nice day.';
      await run('espeak-ng', ['-v', 'en-us', '-w', f, text]);
      const f2 = path.join(dir, 'speech2.wav');
      await run('espeak-ng', ['-v', 'cmn-latn-pinyin', '-w', f2, 'ni3 hao3, huan1 ying2 zhi4 dian4 ke4 fu2 zhong1 xin1, qing3 an4 jing3 hao4 jian4']);
      const det = new InbandDtmfDetector();
      expect(det.push(await loadWav8k(f))).toEqual([]);
      expect(det.push(await loadWav8k(f2))).toEqual([]);
    });
  });

  it('does not hear digits in music-like chords and sweeps (talk-off)', async () => {
    await withTempDir(async (dir) => {
      const f = path.join(dir, 'music.wav');
      // Chords with harmonics, a sweep through the DTMF band, and plucked notes.
      await sox(['-n', '-r', '8000', '-c', '1', '-e', 'signed', '-b', '16', f, 'synth', '6',
        'square', 'C4', 'sawtooth', 'E4', 'triangle', 'G4', 'sine', '600-1700', 'pluck', 'A5', 'remix', '-', 'vol', '0.3']);
      expect(new InbandDtmfDetector().push(await loadWav8k(f))).toEqual([]);
    });
  });
});

describe('in-band DTMF through the engine', () => {
  it('reports tones a trunk sends in the audio as digits when detection is on', async () => {
    const core = new MediaCore({ bindAddress: '127.0.0.1' });
    cleanup.push(() => core.close());
    const events: MediaEvent[] = [];
    core.on('event', (e) => events.push(e));
    const peer = await RtpTestPeer.create();
    cleanup.push(() => peer.close());
    const { id, port } = await core.createRtpEndpoint();
    core.configureRtp(id, { address: '127.0.0.1', port: peer.port }, { codec: 'PCMA' });
    peer.remote = { address: '127.0.0.1', port };
    core.setInbandDtmf(id, true);
    const pcm = new Int16Array(8000 * 1.2);
    for (const [k, [lo, hi]] of [[0, [697, 1209]], [1, [941, 1477]]] as const) {
      const start = 1600 + k * 3200; // 0.2 s and 0.6 s, 100 ms each
      for (let i = 0; i < 800; i++) pcm[start + i] = Math.round(5000 * (Math.sin((2 * Math.PI * lo * i) / 8000) + Math.sin((2 * Math.PI * hi * i) / 8000)));
    }
    await peer.startSending({ codec: 'PCMA', pcm, durationMs: 1200 });
    await waitFor(() => events.filter((e) => e.type === 'dtmf').length >= 2, 3000, 'in-band digits');
    const digits = events.flatMap((e) => (e.type === 'dtmf' ? [[e.digit, e.source]] : []));
    expect(digits).toEqual([['1', 'inband'], ['#', 'inband']]);
  });
});
