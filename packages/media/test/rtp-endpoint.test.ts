import { afterEach, describe, expect, it } from 'vitest';
import { RtpEndpoint } from '../src/endpoint/rtp-endpoint.ts';
import { PortAllocator } from '../src/rtp/port-allocator.ts';
import { Ticker } from '../src/engine/clock.ts';
import { parseRtcp } from '../src/rtp/rtcp-packet.ts';
import { RtpTestPeer, sine, waitFor } from '../src/testing/index.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function endpoint(ports = new PortAllocator()): Promise<RtpEndpoint> {
  const ep = await RtpEndpoint.create({ id: 'ep', bindAddress: '127.0.0.1', ports, rtcpIntervalMs: 200 });
  cleanup.push(() => ep.close());
  return ep;
}
async function peer(): Promise<RtpTestPeer> {
  const p = await RtpTestPeer.create();
  cleanup.push(() => p.close());
  return p;
}
function tick(ep: { tick(n: number): void }): void {
  const t = new Ticker((now) => ep.tick(now));
  t.startTicking();
  cleanup.push(() => t.stop());
}

describe('RTP endpoint', () => {
  it('takes even ports from the configured range and gives them back', async () => {
    const ports = new PortAllocator({ min: 41000, max: 41009 });
    const a = await endpoint(ports);
    const b = await endpoint(ports);
    expect(a.localPort % 2).toBe(0);
    expect([41000, 41002, 41004, 41006, 41008]).toContain(b.localPort);
    expect(b.localPort).not.toBe(a.localPort);
    expect(ports.used).toBe(2);
    await a.close();
    expect(ports.used).toBe(1);
  });

  it('answers an offer, receives the peer’s audio and sends its own with continuous headers', async () => {
    const ep = await endpoint();
    const p = await peer();
    const offerSdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${p.port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=rtcp-mux\r\n`;
    const answer = ep.answer(offerSdp);
    expect(answer).toContain(`m=audio ${ep.localPort} RTP/AVP 8 101`);
    p.remote = { address: '127.0.0.1', port: ep.localPort };
    const got: number[] = [];
    ep.onMedia((m) => got.push(m.payload.length));
    await p.startSending({ codec: 'PCMA', freq: 440, durationMs: 200 });
    await waitFor(() => got.length >= 10, 3000, 'media');
    for (let i = 0; i < 10; i++) ep.writeFrame(sine(1000, 20));
    await waitFor(() => p.received.length >= 10, 3000, 'packets at peer');
    const r = p.received.slice(0, 10);
    expect(r.every((x) => x.payloadType === 8 && x.ssrc === ep.ssrc && x.payload.length === 160)).toBe(true);
    for (let i = 1; i < 10; i++) {
      expect(r[i]!.sequenceNumber).toBe((r[i - 1]!.sequenceNumber + 1) & 0xffff);
      expect(r[i]!.timestamp).toBe((r[i - 1]!.timestamp + 160) >>> 0);
    }
    expect(ep.stats()).toMatchObject({ packetsReceived: 10, packetsLost: 0, packetsSent: 10 });
  });

  it('latches onto the address the caller really sends from (symmetric RTP)', async () => {
    const ep = await endpoint();
    const actual = await peer();
    ep.configure({ address: '127.0.0.1', port: 9 }, { codec: 'PCMU' }); // the SDP lied (NAT)
    actual.remote = { address: '127.0.0.1', port: ep.localPort };
    await actual.startSending({ codec: 'PCMU', durationMs: 60 });
    await waitFor(() => ep.stats().packetsReceived >= 3, 2000, 'inbound');
    ep.writeFrame(sine(440, 20));
    await waitFor(() => actual.received.length >= 1, 2000, 'reply at the real source');
  });

  it('repacketizes 20 ms frames to the 30 ms the remote asked for', async () => {
    const ep = await endpoint();
    const p = await peer();
    ep.configure({ address: '127.0.0.1', port: p.port }, { codec: 'PCMU', ptime: 30 });
    for (let i = 0; i < 6; i++) ep.writeFrame(sine(440, 20));
    await waitFor(() => p.received.length >= 4, 2000, 'packets');
    expect(p.received.map((x) => x.payload.length)).toEqual([240, 240, 240, 240]);
    expect(p.received[1]!.timestamp - p.received[0]!.timestamp).toBe(240);
  });

  it('stops sending on hold (sendonly offer answered recvonly) and resumes on a new re-offer', async () => {
    const ep = await endpoint();
    const p = await peer();
    const base = (dir: string, port: number) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=${dir}\r\n`;
    ep.answer(base('sendonly', p.port));
    ep.writeFrame(sine(440, 20));
    const p2 = await peer();
    ep.answer(base('sendrecv', p2.port)); // resumes, at a new port
    ep.writeFrame(sine(440, 20));
    await waitFor(() => p2.received.length >= 1, 2000, 'packet at the new port');
    expect(p.received.length).toBe(0);
  });

  it('sends RTCP sender reports with loss and jitter blocks on the muxed port', async () => {
    const ep = await endpoint();
    const p = await peer();
    ep.configure({ address: '127.0.0.1', port: p.port }, { codec: 'PCMU' });
    p.remote = { address: '127.0.0.1', port: ep.localPort };
    tick(ep);
    const sending = p.startSending({ codec: 'PCMU', durationMs: 400 });
    for (let i = 0; i < 5; i++) ep.writeFrame(sine(440, 20));
    await sending;
    await waitFor(() => p.rtcpReceived.length >= 1, 3000, 'RTCP');
    const [sr, sdes] = parseRtcp(p.rtcpReceived.at(-1)!);
    expect(sr).toMatchObject({ type: 'sr', ssrc: ep.ssrc, packetCount: 5 });
    expect(sdes?.type).toBe('sdes');
    if (sr?.type === 'sr') expect(sr.reports[0]).toMatchObject({ ssrc: 0x1234abcd, cumulativeLost: 0 });
  });
});

describe('RTCP between two engine endpoints', () => {
  it('reports the far side’s loss view and a round-trip time from LSR/DLSR', async () => {
    const a = await RtpEndpoint.create({ id: 'a', bindAddress: '127.0.0.1', ports: new PortAllocator(), rtcpIntervalMs: 150 });
    const b = await RtpEndpoint.create({ id: 'b', bindAddress: '127.0.0.1', ports: new PortAllocator(), rtcpIntervalMs: 150 });
    cleanup.push(() => a.close(), () => b.close());
    a.configure({ address: '127.0.0.1', port: b.localPort }, { codec: 'PCMU' });
    b.configure({ address: '127.0.0.1', port: a.localPort }, { codec: 'PCMU' });
    const t = new Ticker((now) => {
      a.writeFrame(sine(440, 20));
      b.writeFrame(sine(880, 20));
      a.tick(now);
      b.tick(now);
    });
    t.startTicking();
    cleanup.push(() => t.stop());
    const stats = await waitFor(() => {
      const s = a.stats();
      return s.rttMs !== undefined && s.remoteFractionLost !== undefined ? s : undefined;
    }, 5000, 'RTT from RTCP');
    expect(stats.rttMs).toBeGreaterThanOrEqual(0);
    expect(stats.rttMs).toBeLessThan(500);
    expect(stats.remoteFractionLost).toBe(0);
    expect(stats.mos).toBeGreaterThan(4);
  });

  it('decodes 10 ms packets from the remote into 20 ms frames for the jitter buffer', async () => {
    const ep = await endpoint();
    const p = await peer();
    ep.configure({ address: '127.0.0.1', port: p.port }, { codec: 'PCMU' });
    p.remote = { address: '127.0.0.1', port: ep.localPort };
    ep.enableDecoding();
    tick(ep);
    const frames: Int16Array[] = [];
    const grab = new Ticker(() => ep.currentFrame && frames.push(ep.currentFrame));
    grab.startTicking();
    cleanup.push(() => grab.stop());
    await p.startSending({ codec: 'PCMU', freq: 500, durationMs: 600, ptimeMs: 10 });
    await waitFor(() => frames.length >= 20, 3000, 'decoded frames');
    expect(frames.every((f) => f.length === 160)).toBe(true);
  });
});
