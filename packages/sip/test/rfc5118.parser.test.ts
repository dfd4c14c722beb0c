// RFC 5118 IPv6 torture messages (Content-Length recomputed before parsing).
import { describe, expect, it } from 'vitest';
import { parseMessage, parseSdp, validateRequest, type SipRequest } from '../src/message/index.ts';
import { rfc5118 } from './helpers.ts';

function req(name: string): SipRequest {
  const m = parseMessage(rfc5118(name));
  if (m.kind !== 'request') throw new Error('expected a request');
  expect(validateRequest(m)).toBeUndefined();
  return m;
}

describe('RFC 5118 IPv6 references', () => {
  it('parses an IPv6 reference in the Request-URI, Via and Contact (4.1)', () => {
    const m = req('ipv6-good.dat');
    expect(m.requestUri).toMatchObject({ host: '[2001:db8::10]', port: undefined });
    expect(m.topVia.host).toBe('[2001:db8::9:1]');
    expect(m.contacts[0]!.uri).toMatchObject({ host: '[2001:db8::1]' });
  });

  it('rejects an IPv6 address without brackets with 400 (4.2)', () => {
    const m = parseMessage(rfc5118('ipv6-bad.dat')) as SipRequest;
    expect(validateRequest(m)?.status).toBe(400);
  });

  it('reads [2001:db8::10:5070] as an address with no port (4.3)', () => {
    expect(req('port-ambiguous.dat').requestUri).toMatchObject({ host: '[2001:db8::10:5070]', port: undefined });
  });

  it('reads [2001:db8::10]:5070 as address and port (4.4)', () => {
    expect(req('port-unambiguous.dat').requestUri).toMatchObject({ host: '[2001:db8::10]', port: 5070 });
  });

  it('accepts received with and without brackets (4.5)', () => {
    expect(req('via-received-param-with-delim.dat').topVia.params.get('received')).toBe('[2001:db8::9:255]');
    expect(req('via-received-param-no-delim.dat').topVia.params.get('received')).toBe('2001:db8::9:255');
  });

  it('reads IPv6 addresses in SDP without brackets (4.6, 4.8)', () => {
    const sdp = parseSdp(req('ipv6-in-sdp.dat').body);
    expect(sdp.connection?.ip).toBe('2001:db8::20');
    const multi = parseSdp(req('mult-ip-in-sdp.dat').body);
    expect(multi.media.length).toBeGreaterThan(0);
  });

  it('reads several IP versions in one message (4.7)', () => {
    const vias = req('mult-ip-in-header.dat').vias;
    expect(vias.map((v) => [v.host, v.port])).toEqual([
      ['[2001:db8::9:1]', 6050],
      ['192.0.2.1', undefined],
      ['[2001:db8::9:255]', undefined],
    ]);
    expect(vias[2]!.params.get('received')).toBe('192.0.2.200');
  });

  it('accepts IPv4-mapped IPv6 addresses (4.9)', () => {
    const m = req('ipv4-mapped-ipv6.dat');
    expect(m.topVia).toMatchObject({ host: '[::ffff:192.0.2.10]', port: 19823 });
    expect(m.contacts[0]!.uri).toMatchObject({ host: '[::ffff:192.0.2.2]' });
  });

  it('tolerates both the 3-colon and the 2-colon IPv6 forms (4.10)', () => {
    expect(req('ipv6-bug-abnf-3-colons.dat').requestUri).toMatchObject({ host: '[2001:db8:::192.0.2.1]' });
    expect(req('ipv6-correct-abnf-2-colons.dat').requestUri).toMatchObject({ host: '[2001:db8::192.0.2.1]' });
  });
});
