import { describe, expect, it } from 'vitest';
import { isRtcp, parseRtp, serializeRtp } from '../src/rtp/rtp-packet.ts';
import { parseRtcp, serializeRtcp } from '../src/rtp/rtcp-packet.ts';
import { ReceiveStats } from '../src/rtp/receive-stats.ts';
import { mosFromR, rFactor } from '../src/rtp/e-model.ts';

describe('RTP packets (RFC 3550 §5.1)', () => {
  it('serializes and parses the fixed header, CSRCs and payload', () => {
    const buf = serializeRtp({ payloadType: 8, marker: true, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, csrcs: [1, 2], payload: Uint8Array.of(1, 2, 3) });
    expect(buf[0]).toBe(0x82);
    expect(buf[1]).toBe(0x88);
    const p = parseRtp(buf);
    expect(p).toMatchObject({ payloadType: 8, marker: true, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, csrcs: [1, 2] });
    expect(Array.from(p.payload)).toEqual([1, 2, 3]);
  });

  it('skips a header extension and strips padding', () => {
    const b = Buffer.from('b0000001000000640000000a' + 'bede0001' + '11223344' + 'aabb' + '0002', 'hex');
    const p = parseRtp(b);
    expect(Array.from(p.payload)).toEqual([0xaa, 0xbb]);
  });

  it('rejects packets that are short or not version 2', () => {
    expect(() => parseRtp(Buffer.alloc(8))).toThrow(/shorter/);
    expect(() => parseRtp(Buffer.from('400000010000006400000001', 'hex'))).toThrow(/version/);
  });

  it('tells RTCP from RTP on a muxed port (RFC 5761 §4)', () => {
    expect(isRtcp(Buffer.from([0x80, 200]))).toBe(true);
    expect(isRtcp(Buffer.from([0x80, 0x00]))).toBe(false);
    expect(isRtcp(Buffer.from([0x80, 0x80 | 101]))).toBe(false);
  });
});

describe('RTCP (RFC 3550 §6.4)', () => {
  it('round-trips a compound SR + SDES + BYE', () => {
    const block = { ssrc: 7, fractionLost: 25, cumulativeLost: -3, highestSeq: 70000, jitter: 12, lastSr: 0x12345678, delaySinceLastSr: 65536 };
    const buf = serializeRtcp([
      { type: 'sr', ssrc: 1, ntpSec: 3900000000, ntpFrac: 5, rtpTimestamp: 160, packetCount: 10, octetCount: 1600, reports: [block] },
      { type: 'sdes', chunks: [{ ssrc: 1, cname: 'kefu-a' }] },
      { type: 'bye', ssrcs: [1] },
    ]);
    const [sr, sdes, bye] = parseRtcp(buf);
    expect(sr).toMatchObject({ type: 'sr', ssrc: 1, packetCount: 10, octetCount: 1600, reports: [block] });
    expect(sdes).toEqual({ type: 'sdes', chunks: [{ ssrc: 1, cname: 'kefu-a' }] });
    expect(bye).toEqual({ type: 'bye', ssrcs: [1] });
  });

  it('round-trips an RR', () => {
    const rr = { type: 'rr' as const, ssrc: 9, reports: [{ ssrc: 3, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lastSr: 0, delaySinceLastSr: 0 }] };
    expect(parseRtcp(serializeRtcp([rr]))).toEqual([rr]);
  });
});

describe('receiver statistics (RFC 3550 A.1, A.3, A.8)', () => {
  it('counts loss across a sequence wrap', () => {
    const s = new ReceiveStats();
    let seq = 65530;
    for (let i = 0; i < 20; i++, seq = (seq + 1) & 0xffff) {
      if (i === 5 || i === 6) continue; // two lost
      s.update(seq, i * 160, i * 20, 42);
    }
    expect(s.expected).toBe(20);
    expect(s.cumulativeLost).toBe(2);
    const block = s.reportBlock(400);
    expect(block.fractionLost).toBe(Math.floor((2 * 256) / 20));
    expect(block.highestSeq).toBe(65536 + 13);
  });

  it('measures zero jitter for perfectly paced packets and grows with arrival variance', () => {
    const even = new ReceiveStats();
    for (let i = 0; i < 50; i++) even.update(i, i * 160, i * 20, 1);
    expect(even.jitterMs).toBe(0);
    const jittery = new ReceiveStats();
    for (let i = 0; i < 200; i++) jittery.update(i, i * 160, i * 20 + (i % 2 ? 10 : 0), 1);
    // §A.8 converges to the mean |D| = 10 ms.
    expect(jittery.jitterMs).toBeGreaterThan(8);
    expect(jittery.jitterMs).toBeLessThan(10.5);
  });
});

describe('E-model (G.107)', () => {
  it('rates a clean G.711 call near MOS 4.4 and degrades with loss and delay', () => {
    const clean = rFactor({ lossPercent: 0, oneWayDelayMs: 40 });
    expect(clean).toBeGreaterThan(90);
    expect(mosFromR(clean)).toBeGreaterThan(4.3);
    const lossy = rFactor({ lossPercent: 5, oneWayDelayMs: 40 });
    expect(mosFromR(lossy)).toBeLessThan(mosFromR(clean) - 0.5);
    expect(rFactor({ lossPercent: 0, oneWayDelayMs: 400 })).toBeLessThan(70);
    expect(mosFromR(0)).toBe(1);
  });
});
