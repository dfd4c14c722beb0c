// Message layer unit behaviour: serialization round trips, URIs, name-addr, Via, framing with keep-alives.
import { describe, expect, it } from 'vitest';
import {
  formatNameAddr, formatUri, formatVia, parseMessage, parseNameAddr, parseUri, parseVia, serialize, StreamFramer,
  SipParseError, type SipMessage,
} from '../src/index.ts';
import { parseText } from '../src/testing/index.ts';
import { rfc4475 } from './helpers.ts';

describe('serializer', () => {
  it('round-trips a parsed message with canonical header names and a recomputed Content-Length', () => {
    const m = parseMessage(rfc4475('esc01.dat'));
    const again = parseMessage(serialize(m));
    expect(again.headers.map((h) => h.name)).toEqual(m.headers.map((h) => h.name));
    expect(again.get('Call-ID')).toBe('esc01.239409asdfakjkn23onasd0-3234');
    expect(serialize(m).toString()).toContain('Content-Type: application/sdp\r\n');
    expect(again.body.equals(m.body)).toBe(true);
  });

  it('writes Content-Length from the body, not from a stale header', () => {
    const m = parseText('OPTIONS sip:a@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\nContent-Length: 0\n\n');
    m.set('Content-Length', 99);
    m.body = Buffer.from('hello');
    expect(serialize(m).toString()).toMatch(/Content-Length: 5\r\n\r\nhello$/);
  });
});

describe('URIs and name-addr', () => {
  it('round-trips a SIP URI with user, password, port, parameters and headers', () => {
    const s = 'sips:alice:pw@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent';
    const u = parseUri(s);
    expect(u).toMatchObject({ scheme: 'sips', user: 'alice', password: 'pw', host: '[2001:db8::1]', port: 5061 });
    expect(formatUri(u)).toBe(s);
  });

  it('rejects a URI with a bad port or whitespace', () => {
    expect(() => parseUri('sip:a@host:99999')).toThrow(SipParseError);
    expect(() => parseUri('sip:a b@host')).toThrow(SipParseError);
  });

  it('quotes display names and keeps header parameters outside the brackets', () => {
    const na = parseNameAddr('"Bob \\"B\\"" <sip:bob@example.com;transport=udp>;tag=x1;expires=60');
    expect(na.displayName).toBe('Bob "B"');
    expect(na.params.get('tag')).toBe('x1');
    expect(formatNameAddr(na)).toBe('"Bob \\"B\\"" <sip:bob@example.com;transport=udp>;tag=x1;expires=60');
  });

  it('gives addr-spec parameters to the header, not the URI (RFC 3261 §20.10)', () => {
    const na = parseNameAddr('sip:carol@example.com;tag=t9');
    expect(na.params.get('tag')).toBe('t9');
    expect(na.uri.kind === 'sip' && na.uri.params.size).toBe(0);
  });
});

describe('Via', () => {
  it('parses LWS around separators and formats back compactly', () => {
    const v = parseVia('SIP / 2.0 / UDP   192.0.2.1 : 5070 ; branch = z9hG4bK77 ; rport');
    expect(v).toMatchObject({ transport: 'UDP', host: '192.0.2.1', port: 5070 });
    expect(formatVia(v)).toBe('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK77;rport');
  });
});

describe('stream framing', () => {
  function frame(chunks: Buffer[]) {
    const out: { messages: SipMessage[]; pings: number; fatal: SipParseError[] } = { messages: [], pings: 0, fatal: [] };
    const f = new StreamFramer({ message: (m) => out.messages.push(m), invalid: () => {}, ping: () => out.pings++, fatal: (e) => out.fatal.push(e) });
    for (const c of chunks) f.push(c);
    return out;
  }
  const msg = (body: string) =>
    Buffer.from(`MESSAGE sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\nContent-Length: ${body.length}\r\n\r\n${body}`);

  it('splits back-to-back messages delivered one byte at a time and answers double-CRLF pings', () => {
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), msg('hello'), msg('world!'), Buffer.from('\r\n\r\n')]);
    const out = frame([...stream].map((b) => Buffer.from([b])));
    expect(out.messages.map((m) => m.bodyText)).toEqual(['hello', 'world!']);
    expect(out.pings).toBe(2);
    expect(out.fatal).toEqual([]);
  });

  it('gives up on a header section that never ends within the limit', () => {
    const out = frame([Buffer.from('INVITE sip:a@b SIP/2.0\r\n'), Buffer.alloc(70_000, 'a')]);
    expect(out.fatal[0]?.code).toBe('TOO_LARGE');
  });
});

describe('parsed header accessors', () => {
  it('parse each header once and see every change to it (set, prepend, or the header text written directly)', () => {
    const m = parseText(
      'INVITE sip:bob@example.com SIP/2.0\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\n' +
        'From: <sip:alice@example.com>;tag=1\nTo: <sip:bob@example.com>\nCall-ID: c1\nCSeq: 1 INVITE\nMax-Forwards: 70\n\n',
    );
    expect(m.from).toBe(m.from); // one parse, one object
    expect(m.topVia.host).toBe('a.example.com');
    expect(m.toTag).toBeUndefined();
    m.set('To', '<sip:bob@example.com>;tag=9');
    expect(m.toTag).toBe('9');
    m.prepend('Via', 'SIP/2.0/TCP c.example.com;branch=z9hG4bK3');
    expect(m.topVia.host).toBe('c.example.com');
    m.headers.find((h) => h.name === 'CSeq')!.value = '2 INVITE';
    expect(m.cseq.seq).toBe(2);
    m.headers.find((h) => h.name === 'Call-ID')!.value = 'c2';
    expect(m.callId).toBe('c2');
    m.remove('Via');
    expect(() => m.topVia).toThrow(/missing Via/);
  });
});
