// RFC 4475 through a real UDP socket of the stack on 127.0.0.1: every message gets the answer INDEX.md names
// (or none), answers go only to loopback, and no host named in a message is ever looked up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createUserAgent, DigestAuthenticator, Registrar, parseMessage, type SipResponse, type UserAgent } from '../src/index.ts';
import { rfc4475, testdata } from './helpers.ts';

let ua: UserAgent;
let client: dgram.Socket;
const destinations: string[] = [];
const lookups: string[] = [];
const answers = new Map<string, SipResponse[]>();

const expected: Record<string, number | null> = {
  'wsinv.dat': 481, // valid, but its To tag names a dialog this UAS does not have (§12.2.2)
  'intmeth.dat': 501, 'esc01.dat': 486, 'escnull.dat': 401, 'esc02.dat': 501, 'lwsdisp.dat': 200,
  'longreq.dat': 486, 'dblreq.dat': 401, 'semiuri.dat': 200, 'transports.dat': 200, 'mpart01.dat': 200,
  'unreason.dat': null, 'noreason.dat': null, 'badinv01.dat': 400, 'clerr.dat': 400, 'ncl.dat': 400,
  'scalar02.dat': 400, 'scalarlg.dat': null, 'quotbal.dat': 400, 'ltgtruri.dat': 400, 'lwsruri.dat': 400,
  'lwsstart.dat': 400, 'trws.dat': 400, 'escruri.dat': 486, 'baddate.dat': 486, 'regbadct.dat': 401,
  'badaspec.dat': 400, 'baddn.dat': 400, 'badvers.dat': 505, 'mismatch01.dat': 400, 'mismatch02.dat': 501,
  'bigcode.dat': null, 'badbranch.dat': 200, 'insuf.dat': 400, 'unkscm.dat': 416, 'novelsc.dat': 416,
  'unksm2.dat': 400, 'bext01.dat': 420, 'invut.dat': 415, 'regaut01.dat': 401, 'multi01.dat': 400, 'mcl01.dat': 400,
  'bcast.dat': null, 'zeromf.dat': 200, 'cparam01.dat': 401, 'cparam02.dat': 401, 'regescrt.dat': 401,
  'sdp01.dat': 406, 'inv2543.dat': 486, 'test.dat': null, // no SIP-Version and no Via: nothing to answer to
};

function callIdOf(buf: Buffer): string {
  return /^(?:Call-ID|i)\s*:\s*(\S+)/im.exec(buf.toString('latin1'))?.[1] ?? '';
}

beforeAll(async () => {
  ua = await createUserAgent({
    udp: { host: '127.0.0.1' },
    tcp: { host: '127.0.0.1' },
    forceRport: true,
    resolve: async (host) => {
      lookups.push(host);
      throw new Error(`no DNS in tests (${host})`);
    },
  });
  for (const e of ua.transport.transports) {
    const t = e.transport;
    const send = t.send.bind(t);
    t.send = (dest, data) => {
      destinations.push(dest.address);
      return send(dest, data);
    };
  }
  const registrar = new Registrar({ auth: new DigestAuthenticator({ realm: 'example.com', lookup: () => undefined }) });
  ua.on('register', (r) => void registrar.handle(r));
  ua.on('invite', (inv) => inv.reply(486));
  ua.on('request', (r) => r.reply(r.method === 'MESSAGE' ? 200 : 405));
  client = dgram.createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  client.on('message', (data) => {
    const res = parseMessage(data) as SipResponse;
    const key = res.get('Call-ID') ?? callIdOf(data);
    answers.set(key, [...(answers.get(key) ?? []), res]);
  });
  const files = readdirSync(path.join(testdata, 'rfc4475')).filter((f) => f.endsWith('.dat'));
  const port = ua.transport.entryFor('UDP')!.transport.localPort;
  for (const f of files) client.send(rfc4475(f), port, '127.0.0.1');
  const deadline = Date.now() + 10_000;
  const wanted = Object.entries(expected).filter(([, s]) => s !== null);
  while (Date.now() < deadline) {
    const done = wanted.every(([f]) => (answers.get(callIdOf(rfc4475(f))) ?? []).some((r) => r.status >= 200));
    if (done) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(async () => {
  client?.close();
  await ua?.close();
});

describe('RFC 4475 over UDP to the stack', () => {
  for (const [file, status] of Object.entries(expected)) {
    it(status === null ? `sends nothing back for ${file}` : `answers ${file} with ${status}`, () => {
      const got = (answers.get(callIdOf(rfc4475(file))) ?? []).filter((r) => r.status >= 200).map((r) => r.status);
      if (status === null) expect(got).toEqual([]);
      else expect(got[0]).toBe(status);
    });
  }

  it('names the unsupported extensions in 420 and the acceptable type in 415 and 406', () => {
    const final = (f: string) => answers.get(callIdOf(rfc4475(f)))!.find((r) => r.status >= 200)!;
    expect(final('bext01.dat').get('Unsupported')).toContain('nothingSupportsThis');
    expect(final('invut.dat').get('Accept')).toBe('application/sdp');
    expect(final('sdp01.dat').get('Accept')).toBe('application/sdp');
    expect(final('regaut01.dat').get('WWW-Authenticate')).toMatch(/^Digest /);
    expect(final('intmeth.dat').get('Allow')).toContain('INVITE');
  });

  it('sends every answer to loopback and never looks a host up', () => {
    expect(destinations.length).toBeGreaterThan(30);
    expect(new Set(destinations)).toEqual(new Set(['127.0.0.1']));
    expect(lookups).toEqual([]);
  });
});

describe('RFC 4475 framing errors over TCP', () => {
  async function exchange(file: string, waitMs: number): Promise<{ data: string; closed: boolean }> {
    const port = ua.transport.entryFor('TCP')!.transport.localPort;
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    sock.on('data', (d) => (data += d.toString('latin1')));
    sock.on('close', () => (closed = true));
    sock.on('error', () => {});
    await new Promise((r) => sock.once('connect', r));
    sock.write(rfc4475(file));
    const until = Date.now() + waitMs;
    while (Date.now() < until && !closed) await new Promise((r) => setTimeout(r, 20));
    sock.destroy();
    return { data, closed };
  }

  it('waits for more octets when Content-Length exceeds what arrived (clerr)', async () => {
    const r = await exchange('clerr.dat', 400);
    expect(r.data).toBe('');
    expect(r.closed).toBe(false);
  });

  it('answers a negative Content-Length with 400 and closes the connection (ncl)', async () => {
    const r = await exchange('ncl.dat', 3000);
    expect(r.data).toMatch(/^SIP\/2.0 400 /);
    expect(r.closed).toBe(true);
  });

  it('answers repeated Content-Length with 400 and closes the connection (mcl01)', async () => {
    const r = await exchange('mcl01.dat', 3000);
    expect(r.data).toMatch(/^SIP\/2.0 400 /);
    expect(r.closed).toBe(true);
  });
});
