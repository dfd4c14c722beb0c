import { describe, expect, it } from 'vitest';
import { toneShare } from '../src/dtmf/goertzel.ts';
import { RtpTestPeer, waitFor } from '../src/testing/index.ts';
import { sleep, useCore } from './core-fixture.ts';

const kit = useCore();

describe('two-leg bridge', () => {
  it('relays same-codec legs packet for packet without decoding', async () => {
    const { core } = kit.core();
    const a = await kit.leg(core, 'PCMU');
    const b = await kit.leg(core, 'PCMU');
    core.bridge(a.id, b.id);
    await Promise.all([
      a.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 600 }),
      b.peer.startSending({ codec: 'PCMU', freq: 1000, durationMs: 600 }),
    ]);
    await waitFor(() => a.peer.received.length >= 30 && b.peer.received.length >= 30, 3000, 'both directions');
    expect(b.peer.shareAt(440)).toBeGreaterThan(0.9);
    expect(a.peer.shareAt(1000)).toBeGreaterThan(0.9);
    expect(core.stats(a.id).jitterBuffer).toBeUndefined(); // never decoded
    // One packet out for every packet in.
    expect(b.peer.received.length).toBe(a.peer.sentPackets);
    expect(a.peer.received.length).toBe(b.peer.sentPackets);
  });

  it('transcodes between a PCMU leg and a PCMA leg', async () => {
    const { core } = kit.core();
    const a = await kit.leg(core, 'PCMU');
    const b = await kit.leg(core, 'PCMA');
    core.bridge(a.id, b.id);
    await Promise.all([
      a.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 600 }),
      b.peer.startSending({ codec: 'PCMA', freq: 1000, durationMs: 600 }),
    ]);
    await waitFor(() => a.peer.received.length >= 30 && b.peer.received.length >= 30, 3000, 'both directions');
    expect(b.peer.received.every((p) => p.payloadType === 8)).toBe(true);
    expect(a.peer.received.every((p) => p.payloadType === 0)).toBe(true);
    expect(b.peer.shareAt(440, 'PCMA')).toBeGreaterThan(0.9);
    expect(a.peer.shareAt(1000, 'PCMU')).toBeGreaterThan(0.9);
  });

  it('relays RFC 4733 events to a leg that negotiated telephone-event', async () => {
    const { core, events } = kit.core();
    const a = await kit.leg(core, 'PCMU', { telephoneEventPt: 101 });
    const b = await kit.leg(core, 'PCMU', { telephoneEventPt: 96 });
    core.bridge(a.id, b.id);
    a.peer.sendPacket({ payloadType: 101, marker: true, sequenceNumber: 1, timestamp: 100, ssrc: 5, payload: Uint8Array.of(4, 0x8a, 0x03, 0x20) });
    await waitFor(() => b.peer.received.length >= 1, 2000, 'event');
    expect(b.peer.received[0]!.payloadType).toBe(96);
    expect(b.peer.received[0]!.payload[0]).toBe(4);
    expect(events).toContainEqual(expect.objectContaining({ type: 'dtmf', endpointId: a.id, digit: '4' }));
  });

  it('relays bare-header packets in place and rebuilds ones with CSRCs, an extension or padding; a leg in two bridges feeds both; its tap still decodes', async () => {
    const { core, events } = kit.core();
    const a = await kit.leg(core, 'PCMU');
    const b = await kit.leg(core, 'PCMU');
    const c = await kit.leg(core, 'PCMU');
    core.bridge(a.id, b.id); // takes a's datagram and rewrites its header in place
    core.bridge(a.id, c.id); // gets the same packet after that: must send its own copy
    const { tapId } = core.tapAudio(a.id, { framesPerChunk: 5 });
    const pcmu = (i: number) => Uint8Array.from({ length: 160 }, (_, k) => (i * 7 + k) & 0xff);
    const sent: Uint8Array[] = [];
    const header = (i: number, b0: number) => {
      const h = Buffer.alloc(12);
      h[0] = b0;
      h[1] = i === 0 ? 0x80 : 0;
      h.writeUInt16BE(1000 + i, 2);
      h.writeUInt32BE(5000 + i * 160, 4);
      h.writeUInt32BE(0xfeed, 8);
      return h;
    };
    for (let i = 0; i < 8; i++) {
      const payload = pcmu(i);
      sent.push(payload);
      let raw: Buffer;
      if (i === 3) raw = Buffer.concat([header(i, 0x82), Buffer.alloc(8, 0xcc), payload]); // two CSRCs
      else if (i === 4) raw = Buffer.concat([header(i, 0x90), Buffer.from([0xbe, 0xde, 0, 1, 1, 2, 3, 4]), payload]); // extension
      else if (i === 5) raw = Buffer.concat([header(i, 0xa0), payload, Buffer.from([0, 0, 3])]); // padding
      else raw = Buffer.concat([header(i, 0x80), payload]);
      a.peer.sendRaw(raw);
      await sleep(20);
    }
    await waitFor(() => b.peer.received.length >= 8 && c.peer.received.length >= 8, 3000, 'both far legs');
    for (const far of [b, c]) {
      const r = far.peer.received;
      expect(r.map((p) => Buffer.from(p.payload).equals(Buffer.from(sent[r.indexOf(p)]!)))).toEqual(Array(8).fill(true));
      expect(r.every((p) => p.payloadType === 0 && !p.csrcs)).toBe(true);
      expect(new Set(r.map((p) => p.ssrc)).size).toBe(1);
      for (let i = 1; i < 8; i++) {
        expect(r[i]!.sequenceNumber).toBe((r[i - 1]!.sequenceNumber + 1) & 0xffff);
        expect((r[i]!.timestamp - r[i - 1]!.timestamp) >>> 0).toBe(160);
      }
      expect(r[0]!.marker).toBe(true);
      expect(r.slice(1).some((p) => p.marker)).toBe(false);
    }
    expect(b.peer.received[0]!.ssrc).not.toBe(c.peer.received[0]!.ssrc);
    expect(b.peer.received[0]!.ssrc).not.toBe(0xfeed);
    // The tap decodes a's payloads after the relay rewrote the header bytes in front of them.
    const before = events.length;
    await a.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 600 });
    const tone = () => events.slice(before).flatMap((e) => (e.type === 'audio' && e.tapId === tapId ? [e.pcm] : [])).filter((pcm) => toneShare(pcm, 440) > 0.8);
    await waitFor(() => tone().length >= 2, 3000, 'tapped tone');
    expect(b.peer.shareAt(440)).toBeGreaterThan(0.5);
  });

  it('keeps sequence numbers and timestamps continuous when a prompt interrupts the relay', async () => {
    const { core, events } = kit.core();
    const a = await kit.leg(core, 'PCMU');
    const b = await kit.leg(core, 'PCMU');
    core.bridge(a.id, b.id);
    const sending = a.peer.startSending({ codec: 'PCMU', freq: 440, durationMs: 1200 });
    await sleep(300);
    await core.play(b.id, { tone: { freqs: [1000], cadence: [] }, durationMs: 300 });
    await waitFor(() => events.find((e) => e.type === 'playback.ended'), 3000, 'prompt end');
    await sending;
    const r = b.peer.received;
    for (let i = 1; i < r.length; i++) expect(r[i]!.sequenceNumber).toBe((r[i - 1]!.sequenceNumber + 1) & 0xffff);
    expect(new Set(r.map((p) => p.ssrc)).size).toBe(1);
    const steps = r.slice(1).map((p, i) => (p.timestamp - r[i]!.timestamp) >>> 0);
    expect(Math.min(...steps)).toBeGreaterThan(0);
    expect(Math.max(...steps)).toBeLessThan(160 * 5);
  });
});

describe('dead calls', () => {
  it('reports a media timeout when the far end stops sending, and not while it sends', async () => {
    const { core, events } = kit.core();
    const peer = await RtpTestPeer.create();
    const { id, port } = await core.createRtpEndpoint({ inactivityTimeoutMs: 400 });
    core.configureRtp(id, { address: '127.0.0.1', port: peer.port }, { codec: 'PCMU' });
    peer.remote = { address: '127.0.0.1', port };
    await peer.startSending({ codec: 'PCMU', durationMs: 600 });
    expect(events.filter((e) => e.type === 'media.timeout')).toHaveLength(0);
    await waitFor(() => events.find((e) => e.type === 'media.timeout'), 3000, 'timeout');
    expect(events).toContainEqual({ type: 'media.timeout', endpointId: id, silentMs: expect.any(Number) });
    await peer.close();
  });
});

describe('N-party conference', () => {
  it('lets each of three parties hear the other two and not itself', async () => {
    const { core } = kit.core();
    const { conferenceId } = core.createConference();
    const freqs = [500, 900, 1300];
    const legs = await Promise.all(freqs.map((_, i) => kit.leg(core, i === 1 ? 'PCMA' : 'PCMU')));
    for (const l of legs) core.joinConference(conferenceId, l.id);
    await Promise.all(legs.map((l, i) => l.peer.startSending({ codec: i === 1 ? 'PCMA' : 'PCMU', freq: freqs[i]!, durationMs: 1500, amplitude: 5000 })));
    for (const [i, l] of legs.entries()) {
      const codec = i === 1 ? 'PCMA' : 'PCMU';
      const others = freqs.filter((_, j) => j !== i);
      for (const f of others) expect(l.peer.shareAt(f, codec)).toBeGreaterThan(0.3);
      expect(l.peer.shareAt(freqs[i]!, codec)).toBeLessThan(0.02);
    }
  });

  it('lets a supervisor listen silently, whisper to the agent only, then barge in', async () => {
    const { core } = kit.core();
    const { conferenceId } = core.createConference();
    const customer = await kit.leg(core, 'PCMU');
    const agent = await kit.leg(core, 'PCMU');
    const supervisor = await kit.leg(core, 'PCMU');
    core.joinConference(conferenceId, customer.id);
    core.joinConference(conferenceId, agent.id);
    core.joinConference(conferenceId, supervisor.id, 'listen');
    const talk = (ms: number) => Promise.all([
      customer.peer.startSending({ codec: 'PCMU', freq: 500, durationMs: ms, amplitude: 5000 }),
      agent.peer.startSending({ codec: 'PCMU', freq: 900, durationMs: ms, amplitude: 5000 }),
      supervisor.peer.startSending({ codec: 'PCMU', freq: 1700, durationMs: ms, amplitude: 5000 }),
    ]);
    const reset = () => [customer, agent, supervisor].forEach((l) => l.peer.received.splice(0));

    await talk(1000); // listen
    expect(supervisor.peer.shareAt(500)).toBeGreaterThan(0.3);
    expect(supervisor.peer.shareAt(900)).toBeGreaterThan(0.3);
    expect(customer.peer.shareAt(1700)).toBeLessThan(0.02);
    expect(agent.peer.shareAt(1700)).toBeLessThan(0.02);

    core.setParticipantMode(conferenceId, supervisor.id, 'whisper', agent.id);
    reset();
    await talk(1000); // whisper
    expect(agent.peer.shareAt(1700)).toBeGreaterThan(0.3);
    expect(customer.peer.shareAt(1700)).toBeLessThan(0.02);

    core.setParticipantMode(conferenceId, supervisor.id, 'full');
    reset();
    await talk(1000); // barge
    expect(agent.peer.shareAt(1700)).toBeGreaterThan(0.2);
    expect(customer.peer.shareAt(1700)).toBeGreaterThan(0.2);
  });
});
