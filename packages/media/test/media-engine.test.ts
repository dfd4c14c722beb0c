import { afterEach, describe, expect, it } from 'vitest';
import { MediaEngine } from '../src/engine/media-engine.ts';
import type { MediaEvent } from '../src/engine/media-events.ts';
import { MediaError } from '../src/errors.ts';
import { readPcapUdp, RtpTestPeer, waitFor } from '../src/testing/index.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function peer(): Promise<RtpTestPeer> {
  const p = await RtpTestPeer.create();
  cleanup.push(() => p.close());
  return p;
}

describe('media engine in worker threads', { timeout: 90_000 }, () => {
  it('bridges two legs of one call group inside a worker and reports DTMF as events', async () => {
    const engine = await MediaEngine.start({ bindAddress: '127.0.0.1', workers: 2, portRange: { min: 42000, max: 42999 } });
    cleanup.push(() => engine.shutdown());
    const events: MediaEvent[] = [];
    engine.on('event', (e) => events.push(e));
    const a = await engine.createRtpEndpoint({ group: 'call-1' });
    const b = await engine.createRtpEndpoint({ group: 'call-1' });
    const other = await engine.createRtpEndpoint({ group: 'call-2' });
    expect(engine.workerOf(a.id)).toBe(engine.workerOf(b.id));
    expect(engine.workerOf(other.id)).not.toBe(engine.workerOf(a.id));
    expect(a.port).toBeGreaterThanOrEqual(42000);
    expect(a.port).toBeLessThanOrEqual(42999);

    const pa = await peer();
    const pb = await peer();
    await engine.request('configureRtp', a.id, { address: '127.0.0.1', port: pa.port }, { codec: 'PCMU', telephoneEventPt: 101 });
    await engine.request('configureRtp', b.id, { address: '127.0.0.1', port: pb.port }, { codec: 'PCMA' });
    pa.remote = { address: '127.0.0.1', port: a.port };
    pb.remote = { address: '127.0.0.1', port: b.port };
    await engine.bridge(a.id, b.id);
    await pa.startSending({ codec: 'PCMU', freq: 440, durationMs: 600 });
    await waitFor(() => pb.received.length >= 28, 3000, 'relayed packets');
    expect(pb.shareAt(440, 'PCMA')).toBeGreaterThan(0.9);

    for (const u of readPcapUdp('/usr/share/sip-tester/dtmf_2833_8.pcap')) pa.sendRaw(u.payload);
    await waitFor(() => events.find((e) => e.type === 'dtmf'), 3000, 'dtmf event');
    expect(events).toContainEqual(expect.objectContaining({ type: 'dtmf', endpointId: a.id, digit: '8' }));
    const stats = await engine.request('stats', a.id);
    expect(stats.packetsReceived).toBeGreaterThanOrEqual(30);
  });

  it('refuses to bridge legs placed on different workers, with a typed error', async () => {
    const engine = await MediaEngine.start({ bindAddress: '127.0.0.1', workers: 2 });
    cleanup.push(() => engine.shutdown());
    const a = await engine.createRtpEndpoint({ group: 'x' });
    const b = await engine.createRtpEndpoint({ group: 'y' });
    await expect(engine.bridge(a.id, b.id)).rejects.toMatchObject({ code: 'MEDIA_INVALID_ARGUMENT' });
    await expect(engine.request('stats', 'w0.ep999')).rejects.toBeInstanceOf(MediaError);
    await expect(engine.request('stats', 'w0.ep999')).rejects.toMatchObject({ code: 'MEDIA_ENDPOINT_NOT_FOUND' });
  });

  it('keeps sending a prompt on schedule while the main thread is blocked', async () => {
    const engine = await MediaEngine.start({ bindAddress: '127.0.0.1', workers: 1 });
    cleanup.push(() => engine.shutdown());
    const events: MediaEvent[] = [];
    engine.on('event', (e) => events.push(e));
    const a = await engine.createRtpEndpoint();
    const p = await peer();
    await engine.request('configureRtp', a.id, { address: '127.0.0.1', port: p.port }, { codec: 'PCMU' });
    await engine.request('play', a.id, { tone: { freqs: [700], cadence: [] }, durationMs: 1000 });
    const until = Date.now() + 500;
    while (Date.now() < until) {
      /* a busy main thread (e.g. a burst of API work) */
    }
    await waitFor(() => events.find((e) => e.type === 'playback.ended'), 3000, 'end of prompt');
    await waitFor(() => p.received.length >= 50, 2000, 'all packets');
    expect(p.received).toHaveLength(50);
    const seqs = p.received.map((x) => x.sequenceNumber);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1]! + 1) & 0xffff);
  });
});
