// RFC 4475 torture messages at the message layer: parse + validate, as ../shared/testdata/sip/rfc4475/INDEX.md says.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  parseMessage, validateRequest, validateResponse, parseMultipart, SipParseError,
  type SipMessage, type SipRequest, type SipResponse,
} from '../src/message/index.ts';
import { rfc4475, testdata } from './helpers.ts';

type Outcome = { ok: true } | { status: number } | { dropped: true };

function outcome(buf: Buffer): Outcome & { msg?: SipMessage } {
  try {
    const msg = parseMessage(buf);
    const err = msg.kind === 'request' ? validateRequest(msg) : validateResponse(msg);
    if (!err) return { ok: true, msg };
    return msg.kind === 'response' ? { dropped: true } : { status: err.status };
  } catch (e) {
    expect(e).toBeInstanceOf(SipParseError);
    const err = e as SipParseError;
    if (err.partial?.kind === 'request') return { status: err.status };
    return { dropped: true };
  }
}

function req(name: string): SipRequest {
  const o = outcome(rfc4475(name));
  expect(o).toMatchObject({ ok: true });
  return o.msg as SipRequest;
}

function res(name: string): SipResponse {
  const o = outcome(rfc4475(name));
  expect(o).toMatchObject({ ok: true });
  return o.msg as SipResponse;
}

describe('RFC 4475 at the message layer', () => {
  it('never throws anything but SipParseError for any file', () => {
    for (const f of readdirSync(path.join(testdata, 'rfc4475')).filter((f) => f.endsWith('.dat'))) {
      expect(() => outcome(rfc4475(f)), f).not.toThrow();
    }
  });

  it('parses the short tortuous INVITE (3.1.1.1) with folding, LWS and compact forms', () => {
    const m = req('wsinv.dat');
    expect(m.method).toBe('INVITE');
    expect(m.toTag).toBe('1918181833n');
    expect(m.fromTag).toBe('98asjd8');
    expect(m.from.displayName).toBe('J Rosenberg \\"');
    expect(m.maxForwards).toBe(68);
    expect(m.cseq).toEqual({ seq: 9, method: 'INVITE' });
    const vias = m.vias;
    expect(vias.map((v) => v.transport)).toEqual(['UDP', 'TCP', 'UDP']);
    expect(vias[1]!.host).toBe('spindle.example.com');
    expect(vias[1]!.params.get('branch')).toBe('z9hG4bK9ikj8');
    expect(m.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(m.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    expect(m.routes[0]!.uri).toMatchObject({ host: 'services.example.com' });
    expect(m.get('Subject')).toBe('');
    expect(m.body.length).toBe(150);
  });

  it('accepts a wide range of valid characters (3.1.1.2)', () => {
    const m = req('intmeth.dat');
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    const uri = m.requestUri;
    expect(uri).toMatchObject({ host: 'example.com', user: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*" });
    expect(m.to.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    expect(m.from.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(m.callId).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  });

  it('keeps %-escapes in URIs instead of decoding them (3.1.1.3, 3.1.1.4)', () => {
    const esc = req('esc01.dat');
    expect(esc.requestUri).toMatchObject({ user: 'sips%3Auser%40example.com', host: 'example.net' });
    expect(esc.contacts[0]!.uri).toMatchObject({ user: 'cal%6Cer' });
    const nul = req('escnull.dat');
    expect(nul.contacts.map((c) => (c.uri.kind === 'sip' ? c.uri.user : ''))).toEqual(['%00', '%00%00']);
  });

  it('treats RE%47IST%45R as an unknown method and C%6Fntact as an unknown header (3.1.1.5)', () => {
    const m = req('esc02.dat');
    expect(m.method).toBe('RE%47IST%45R');
    expect(m.contacts).toHaveLength(2);
    expect(m.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
  });

  it('reads a display name with no LWS before < (3.1.1.6)', () => {
    expect(req('lwsdisp.dat').from.displayName).toBe('caller');
  });

  it('accepts multi-kilobyte header values and many Via spellings (3.1.1.7)', () => {
    const m = req('longreq.dat');
    expect(m.vias.length).toBeGreaterThan(20);
    expect(m.to.displayName?.length).toBeGreaterThan(100);
  });

  it('discards octets past Content-Length in a datagram (3.1.1.8)', () => {
    const m = req('dblreq.dat');
    expect(m.method).toBe('REGISTER');
    expect(m.body.length).toBe(0);
  });

  it('keeps semicolons in the user part (3.1.1.9)', () => {
    expect(req('semiuri.dat').requestUri).toMatchObject({ user: 'user;par=u%40example.net', host: 'example.com' });
  });

  it('accepts varied and unknown Via transports (3.1.1.10)', () => {
    expect(req('transports.dat').vias.map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });

  it('frames a multipart body with bare LF octets by Content-Length (3.1.1.11)', () => {
    const m = req('mpart01.dat');
    expect(m.body.length).toBe(553);
    const parts = parseMultipart(m.body, m.get('Content-Type')!);
    expect(parts.map((p) => p.headers.get('content-type'))).toEqual(['text/plain', 'application/octet-stream']);
  });

  it('accepts UTF-8 and empty reason phrases (3.1.1.12, 3.1.1.13)', () => {
    expect(res('unreason.dat').reason).toContain('= 2**3 * 5**2');
    const r = res('noreason.dat');
    expect(r.status).toBe(100);
    expect(r.reason).toBe('');
  });

  const invalid: Array<[string, number]> = [
    ['badinv01.dat', 400], ['clerr.dat', 400], ['ncl.dat', 400], ['scalar02.dat', 400], ['quotbal.dat', 400],
    ['ltgtruri.dat', 400], ['lwsruri.dat', 400], ['lwsstart.dat', 400], ['trws.dat', 400], ['badaspec.dat', 400],
    ['baddn.dat', 400], ['badvers.dat', 505], ['mismatch01.dat', 400], ['insuf.dat', 400], ['unkscm.dat', 416],
    ['novelsc.dat', 416], ['multi01.dat', 400], ['mcl01.dat', 400],
  ];
  for (const [file, status] of invalid) {
    it(`answers ${file} with ${status}`, () => {
      expect(outcome(rfc4475(file))).toMatchObject({ status });
    });
  }

  for (const file of ['scalarlg.dat', 'bigcode.dat']) {
    it(`drops the response ${file}`, () => {
      expect(outcome(rfc4475(file))).toMatchObject({ dropped: true });
    });
  }

  const liberal = ['escruri.dat', 'baddate.dat', 'regbadct.dat', 'badbranch.dat', 'inv2543.dat', 'zeromf.dat',
    'cparam01.dat', 'cparam02.dat', 'regescrt.dat', 'unksm2.dat', 'regaut01.dat', 'bext01.dat', 'invut.dat',
    'sdp01.dat', 'mismatch02.dat'];
  for (const file of liberal) {
    it(`parses ${file} for the application to judge`, () => {
      expect(outcome(rfc4475(file))).toMatchObject({ ok: true });
    });
  }

  it('keeps the escaped header of a registered contact (3.3.14)', () => {
    const c = req('regescrt.dat').contacts[0]!;
    expect(c.uri.kind === 'sip' && c.uri.headers.get('Route')).toBe('%3Csip:sip.example.com%3E');
  });

  it('reads an RFC 2543 INVITE without branch or Content-Length (3.4.1)', () => {
    const m = req('inv2543.dat');
    expect(m.topVia.params.has('branch')).toBe(false);
    expect(m.body.toString()).toContain('m=audio 49217 RTP/AVP 0');
  });
});
