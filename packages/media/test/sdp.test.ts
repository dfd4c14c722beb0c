import { describe, expect, it } from 'vitest';
import { applyAnswer, SdpSession, type Direction } from '../src/sdp/sdp-audio.ts';
import { MediaError } from '../src/errors.ts';

function offer(o: { formats: string; rtpmaps?: string[]; direction?: string; ptime?: number; mux?: boolean; c?: string; port?: number; extra?: string }): string {
  return [
    'v=0',
    'o=- 1 1 IN IP4 192.0.2.10',
    's=-',
    `c=IN IP4 ${o.c ?? '192.0.2.10'}`,
    't=0 0',
    `m=audio ${o.port ?? 40000} RTP/AVP ${o.formats}`,
    ...(o.rtpmaps ?? []).map((r) => `a=rtpmap:${r}`),
    ...(o.ptime ? [`a=ptime:${o.ptime}`] : []),
    ...(o.direction ? [`a=${o.direction}`] : []),
    ...(o.mux ? ['a=rtcp-mux'] : []),
    ...(o.extra ? o.extra.split('\n') : []),
    '',
  ].join('\r\n');
}

const local = { address: '127.0.0.1', port: 30000 };

describe('SDP offer/answer for audio (RFC 3264)', () => {
  it.each([
    { name: 'PCMU only', formats: '0', rtpmaps: [], expect: { codec: 'PCMU', payloadType: 0 } },
    { name: 'PCMA preferred by the offerer', formats: '8 0', rtpmaps: ['8 PCMA/8000', '0 PCMU/8000'], expect: { codec: 'PCMA', payloadType: 8 } },
    { name: 'unknown codecs skipped', formats: '18 9 8', rtpmaps: ['18 G729/8000', '9 G722/8000'], expect: { codec: 'PCMA', payloadType: 8 } },
    { name: 'telephone-event with the offerer’s payload type', formats: '0 96', rtpmaps: ['0 PCMU/8000', '96 telephone-event/8000'], expect: { codec: 'PCMU', telephoneEventPt: 96 } },
  ])('answers an offer with $name', ({ formats, rtpmaps, expect: want }) => {
    const { negotiated, sdp } = new SdpSession().answer(offer({ formats, rtpmaps }), local);
    expect(negotiated).toMatchObject(want);
    expect(sdp).toMatch(new RegExp(`m=audio 30000 RTP/AVP ${want.payloadType ?? ''}`));
  });

  it('accepts RFC 2198 redundancy for telephone-events and answers with it', () => {
    const o = offer({ formats: '0 101 100', rtpmaps: ['0 PCMU/8000', '101 telephone-event/8000', '100 red/8000'], extra: 'a=fmtp:100 101/101/101' });
    const { negotiated, sdp } = new SdpSession().answer(o, local);
    expect(negotiated).toMatchObject({ telephoneEventPt: 101, redEventPt: 100 });
    expect(sdp).toContain('a=rtpmap:100 red/8000');
    expect(sdp).toContain('a=fmtp:100 101/101');
  });

  it('ignores red that carries audio rather than events', () => {
    const o = offer({ formats: '0 101 100', rtpmaps: ['0 PCMU/8000', '101 telephone-event/8000', '100 red/8000'], extra: 'a=fmtp:100 0/0' });
    expect(new SdpSession().answer(o, local).negotiated).not.toHaveProperty('redEventPt');
  });

  it('ignores a wideband telephone-event', () => {
    const { negotiated } = new SdpSession().answer(offer({ formats: '0 97', rtpmaps: ['97 telephone-event/16000'] }), local);
    expect(negotiated.codec).toBe('PCMU');
    expect(negotiated).not.toHaveProperty('telephoneEventPt');
  });

  it.each<[string, string | undefined, Direction]>([
    ['sendrecv', undefined, 'sendrecv'],
    ['sendonly (hold)', 'sendonly', 'recvonly'],
    ['recvonly', 'recvonly', 'sendonly'],
    ['inactive', 'inactive', 'inactive'],
  ])('answers a %s offer with the mirrored direction', (_n, dir, want) => {
    const { negotiated, sdp } = new SdpSession().answer(offer({ formats: '0', ...(dir ? { direction: dir } : {}) }), local);
    expect(negotiated.direction).toBe(want);
    expect(sdp).toContain(`a=${want}`);
  });

  it('treats c=0.0.0.0 as the RFC 2543 hold', () => {
    expect(new SdpSession().answer(offer({ formats: '0', c: '0.0.0.0' }), local).negotiated.direction).toBe('inactive');
  });

  it.each([
    [undefined, 20], [10, 10], [30, 30], [60, 60], [80, 60], [5, 10],
  ])('accepts ptime %s and sends with %s ms packets', (ptime, want) => {
    const { negotiated } = new SdpSession().answer(offer({ formats: '0', ...(ptime ? { ptime } : {}) }), local);
    expect(negotiated.remotePtime).toBe(want);
  });

  it('uses rtcp-mux only when offered, and RTCP on port+1 otherwise', () => {
    const muxed = new SdpSession().answer(offer({ formats: '0', mux: true }), local);
    expect(muxed.negotiated).toMatchObject({ rtcpMux: true, remoteRtcpPort: 40000 });
    expect(muxed.sdp).toContain('a=rtcp-mux');
    const plain = new SdpSession().answer(offer({ formats: '0' }), local);
    expect(plain.negotiated).toMatchObject({ rtcpMux: false, remoteRtcpPort: 40001 });
    expect(plain.sdp).not.toContain('a=rtcp-mux');
  });

  it('rejects video with port 0 and keeps the m= line order', () => {
    const o = offer({ formats: '0', extra: 'm=video 40002 RTP/AVP 96\r\na=rtpmap:96 H264/90000' });
    const { sdp } = new SdpSession().answer(o, local);
    expect(sdp.indexOf('m=audio 30000')).toBeLessThan(sdp.indexOf('m=video 0'));
  });

  it('refuses an offer with no common codec', () => {
    expect(() => new SdpSession().answer(offer({ formats: '18', rtpmaps: ['18 G729/8000'] }), local)).toThrowError(MediaError);
  });

  it('follows an address and port change on a re-offer and bumps the o= version', () => {
    const s = new SdpSession();
    const first = s.answer(offer({ formats: '0' }), local);
    const second = s.answer(offer({ formats: '0', c: '198.51.100.7', port: 50000 }), local);
    expect(second.negotiated).toMatchObject({ remoteAddress: '198.51.100.7', remotePort: 50000 });
    expect(/o=\S+ \d+ (\d+)/.exec(second.sdp)?.[1]).toBe(String(Number(/o=\S+ \d+ (\d+)/.exec(first.sdp)?.[1]) + 1));
  });

  it('offers PCMU, PCMA and telephone-event, and reads the answer', () => {
    const s = new SdpSession();
    const o = s.createOffer({ ...local, direction: 'sendonly' });
    expect(o).toMatch(/m=audio 30000 RTP\/AVP 0 8 101/);
    expect(o).toContain('a=rtpmap:101 telephone-event/8000');
    expect(o).toContain('a=fmtp:101 0-16');
    expect(o).toContain('a=sendonly');
    const n = applyAnswer(offer({ formats: '8 101', rtpmaps: ['8 PCMA/8000', '101 telephone-event/8000'], direction: 'recvonly' }), { ...local, direction: 'sendonly' });
    expect(n).toMatchObject({ codec: 'PCMA', telephoneEventPt: 101, direction: 'sendonly' });
  });
});
