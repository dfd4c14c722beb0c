// Fuzz/property test: 100k mutated messages (byte flips, truncation, duplicated and huge headers, splices) never
// crash the parser or the layers above it, never hang, and keep memory bounded.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  parseMessage, validateRequest, validateResponse, SipParseError, StreamFramer, TransportLayer, TransactionLayer,
  type SipMessage,
} from '../src/index.ts';
import { createMemoryPair, seededRandom } from '../src/testing/index.ts';
import { rfc4475, rfc5118, testdata } from './helpers.ts';

const seeds: Buffer[] = [
  ...readdirSync(path.join(testdata, 'rfc4475')).filter((f) => f.endsWith('.dat')).map(rfc4475),
  ...readdirSync(path.join(testdata, 'rfc5118')).filter((f) => f.endsWith('.dat')).map(rfc5118),
];

const rnd = seededRandom(4475);
const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
const SPECIAL = Buffer.from('\r\n:;,<>"\\%@[] \t=?/\x00\xff');

function mutate(src: Buffer): Buffer {
  // Weights keep the run at a few seconds: huge headers 1 %, duplicated headers 5 %, the cheap ones the rest.
  const r = rnd();
  const kind = r < 0.01 ? 3 : r < 0.06 ? 2 : [0, 1, 4, 5, 6][Math.floor(rnd() * 5)]!;
  let b = Buffer.from(src);
  switch (kind) {
    case 0: // byte flips
      for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      return b;
    case 1: // truncation
      return b.subarray(0, Math.floor(rnd() * b.length));
    case 2: { // duplicated header line, up to 400 times
      const text = b.toString('latin1');
      const lines = text.split('\r\n');
      const i = 1 + Math.floor(rnd() * Math.max(1, lines.length - 2));
      const dup = new Array(1 + Math.floor(rnd() * 400)).fill(lines[i] ?? 'Via: x');
      lines.splice(i, 0, ...dup);
      return Buffer.from(lines.join('\r\n'), 'latin1');
    }
    case 3: { // a huge header value
      const at = b.indexOf('\r\n') + 2;
      const name = pick(['Via', 'To', 'Contact', 'Route', 'X-Big', 'CSeq', 'Call-ID']);
      const unit = pick(['a', ';', ',', '"', '<', 'sip:x@y;', '%41', ' ']);
      const huge = Buffer.from(`${name}: ${unit.repeat(Math.floor((20_000 + rnd() * 60_000) / unit.length))}\r\n`);
      return Buffer.concat([b.subarray(0, at), huge, b.subarray(at)]);
    }
    case 4: // special characters sprinkled
      for (let i = 0, n = 1 + Math.floor(rnd() * 6); i < n; i++) b[Math.floor(rnd() * b.length)] = SPECIAL[Math.floor(rnd() * SPECIAL.length)]!;
      return b;
    case 5: { // splice two messages
      const other = pick(seeds);
      return Buffer.concat([b.subarray(0, Math.floor(rnd() * b.length)), other.subarray(Math.floor(rnd() * other.length))]);
    }
    default: { // repeat a random slice
      const s = Math.floor(rnd() * b.length);
      const e = Math.min(b.length, s + Math.floor(rnd() * 200));
      const slice = b.subarray(s, e);
      b = Buffer.concat([b.subarray(0, e), ...new Array(1 + Math.floor(rnd() * 50)).fill(slice), b.subarray(e)]);
      return b;
    }
  }
}

/** Validation reads Via, From, To, CSeq, Call-ID, Contact, Max-Forwards, Expires, the URI; add the routes. */
function exercise(m: SipMessage): void {
  const err = m.kind === 'request' ? validateRequest(m) : validateResponse(m);
  if (err && !(err instanceof SipParseError)) throw new Error(`validation returned ${String(err)}`);
  for (const get of [() => m.routes, () => m.recordRoutes]) {
    try {
      get();
    } catch (e) {
      if (!(e instanceof SipParseError)) throw e;
    }
  }
}

describe('fuzzing the message layer', () => {
  it('survives 100,000 mutated messages with only SipParseError and bounded memory', () => {
    const rssBefore = process.memoryUsage().rss;
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 100_000; i++) {
      const buf = mutate(pick(seeds));
      try {
        exercise(parseMessage(buf, { datagram: i % 2 === 0 }));
        parsed++;
      } catch (e) {
        if (!(e instanceof SipParseError)) throw new Error(`message ${i} threw ${String(e)}: ${buf.toString('latin1').slice(0, 200)}`);
        if (e.partial) exercise(e.partial);
        rejected++;
      }
    }
    expect(parsed + rejected).toBe(100_000);
    expect(parsed).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 * 1024);
  });

  it('keeps stream framing bounded on 2,000 mutated byte streams fed in random chunks', () => {
    let messages = 0;
    let fatal = 0;
    for (let i = 0; i < 2000; i++) {
      let dead = false;
      const framer = new StreamFramer(
        {
          message: () => messages++,
          invalid: () => {},
          ping: () => {},
          fatal: () => {
            dead = true;
            fatal++;
          },
        },
        64 * 1024,
      );
      const stream = Buffer.concat([mutate(pick(seeds)), mutate(pick(seeds)), mutate(pick(seeds))]);
      for (let at = 0; at < stream.length && !dead; ) {
        const n = 1 + Math.floor(rnd() * 700);
        framer.push(stream.subarray(at, at + n));
        at += n;
      }
    }
    expect(messages + fatal).toBeGreaterThan(0);
  });

  it('never lets a mutated datagram throw out of the transport and transaction layers', async () => {
    const [a, b] = createMemoryPair();
    const layer = new TransportLayer({ forceRport: true, resolve: async () => { throw new Error('no DNS'); } });
    layer.add(b);
    const tx = new TransactionLayer(layer);
    tx.onRequest((_req, st) => st?.respond(st.response(486)));
    for (let i = 0; i < 5000; i++) b.deliver(mutate(pick(seeds)), a);
    await new Promise((r) => setImmediate(r));
    tx.close();
    expect(b.sent.length).toBeGreaterThan(100);
  });
});
