// Transaction state machines (RFC 3261 §17, RFC 6026) under a fake clock over a lossy in-memory transport.
import { afterEach, describe, expect, it } from 'vitest';
import { TransportLayer } from '../src/transport/transport-layer.ts';
import { TransactionLayer } from '../src/transaction/transaction-layer.ts';
import { TransactionTimeoutError } from '../src/transaction/errors.ts';
import type { ServerTransaction } from '../src/transaction/server.transaction.ts';
import type { SipRequest, SipResponse } from '../src/message/message.ts';
import { parseMessage } from '../src/message/parser.ts';
import { FakeClock, createMemoryPair, seededRandom, buildRequest, type LossFn, type MemoryTransport } from '../src/testing/index.ts';

interface Side {
  transport: MemoryTransport;
  tx: TransactionLayer;
  requests: Array<[SipRequest, ServerTransaction | undefined]>;
}

function setup(loss: number | LossFn = 0, timers?: { T1?: number; T2?: number; T4?: number }) {
  const clock = new FakeClock();
  const [a, b] = createMemoryPair({ loss, random: seededRandom(7) });
  const make = (t: MemoryTransport): Side => {
    const tl = new TransportLayer({ forceRport: true });
    tl.add(t);
    const tx = new TransactionLayer(tl, { clock, ...(timers ? { timers } : {}) });
    const requests: Side['requests'] = [];
    tx.onRequest((req, st) => requests.push([req, st]));
    return { transport: t, tx, requests };
  };
  return { clock, a: make(a), b: make(b) };
}

const sentMethods = (t: MemoryTransport, what: string): number =>
  t.sent.filter((d) => d.toString('latin1').startsWith(what)).length;

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

describe('non-INVITE client transaction', () => {
  it('delivers the final response and terminates after Timer K', async () => {
    const { clock, a, b } = setup();
    const ctx = await a.tx.request(buildRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5062' }));
    const got: SipResponse[] = [];
    ctx.on('response', (r) => got.push(r));
    await clock.advance(0);
    const [, st] = b.requests[0]!;
    st!.respond(st!.response(200));
    await clock.advance(0);
    expect(got.map((r) => r.status)).toEqual([200]);
    expect(ctx.state).toBe('completed');
    await clock.advance(5000);
    expect(ctx.state).toBe('terminated');
  });

  it('retransmits with Timer E doubling up to T2 and times out at Timer F', async () => {
    const { clock, a } = setup(1);
    const ctx = await a.tx.request(buildRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5062' }));
    const errors: Error[] = [];
    ctx.on('error', (e) => errors.push(e));
    // Sends at 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 s.
    await clock.advance(31_999);
    expect(sentMethods(a.transport, 'OPTIONS')).toBe(11);
    expect(errors).toHaveLength(0);
    await clock.advance(1);
    expect(errors[0]).toBeInstanceOf(TransactionTimeoutError);
    expect((errors[0] as TransactionTimeoutError).timer).toBe('F');
    expect(ctx.state).toBe('terminated');
  });

  it('derives every timer from a configured T1', async () => {
    const { clock, a } = setup(1, { T1: 100, T2: 400 });
    const ctx = await a.tx.request(buildRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5062' }));
    let timedOut = false;
    ctx.on('error', () => (timedOut = true));
    await clock.advance(6399);
    expect(timedOut).toBe(false);
    await clock.advance(1);
    expect(timedOut).toBe(true);
  });

  it('completes every transaction over a link that loses 30 % of packets', async () => {
    const { clock, a, b } = setup(0.3);
    b.tx.onRequest((_req, st) => st?.respond(st.response(200)));
    const finals: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ctx = await a.tx.request(buildRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5062' }));
      ctx.on('response', (r) => finals.push(r.status));
    }
    await clock.advance(32_000);
    expect(finals).toEqual(new Array(20).fill(200));
    expect(a.transport.dropped + b.transport.dropped).toBeGreaterThan(0);
  });
});

describe('INVITE client transaction', () => {
  it('retransmits with Timer A doubling and times out at Timer B', async () => {
    const { clock, a } = setup(1);
    const ctx = await a.tx.request(buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062' }));
    const errors: Error[] = [];
    ctx.on('error', (e) => errors.push(e));
    await clock.advance(31_999);
    expect(sentMethods(a.transport, 'INVITE')).toBe(7); // 0, .5, 1.5, 3.5, 7.5, 15.5, 31.5 s
    await clock.advance(1);
    expect((errors[0] as TransactionTimeoutError).timer).toBe('B');
  });

  it('stops retransmitting on a provisional response', async () => {
    const { clock, a, b } = setup();
    await a.tx.request(buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062' }));
    await clock.advance(0);
    expect(b.requests).toHaveLength(1);
    await clock.advance(10_000);
    expect(sentMethods(a.transport, 'INVITE')).toBe(1);
    expect(sentMethods(b.transport, 'SIP/2.0 100')).toBe(1);
  });

  it('ACKs a non-2xx final response inside the transaction, again for each retransmission', async () => {
    const { clock, a, b } = setup();
    const ctx = await a.tx.request(buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062' }));
    await clock.advance(0);
    const st = b.requests[0]![1]!;
    st.respond(st.response(486, undefined, 'totag'));
    await clock.advance(0);
    expect(ctx.state).toBe('completed');
    expect(sentMethods(a.transport, 'ACK')).toBe(1);
    expect(st.state).toBe('confirmed');
    const ack = parseMessage(a.transport.sent.find((d) => d.toString().startsWith('ACK'))!) as SipRequest;
    expect(ack.topVia.params.get('branch')).toBe(ctx.branch);
    expect(ack.toTag).toBe('totag');
    await clock.advance(32_000);
    expect(ctx.state).toBe('terminated');
  });

  it('passes 2xx and its retransmissions to the TU in the Accepted state (RFC 6026)', async () => {
    const { clock, a, b } = setup();
    const ctx = await a.tx.request(buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062' }));
    const got: number[] = [];
    ctx.on('response', (r) => got.push(r.status));
    await clock.advance(0);
    const st = b.requests[0]![1]!;
    const ok = st.response(200, undefined, 't1');
    st.respond(ok);
    st.respond(ok);
    await clock.advance(0);
    expect(got).toEqual([100, 200, 200]);
    expect(ctx.state).toBe('accepted');
    await clock.advance(32_000);
    expect(ctx.state).toBe('terminated');
  });
});

describe('INVITE server transaction', () => {
  it('retransmits a non-2xx final response with Timer G and gives up at Timer H', async () => {
    const { clock, a, b } = setup((d, from) => from === a.transport && d.toString().startsWith('ACK'));
    await a.tx.request(buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062' }));
    await clock.advance(0);
    const st = b.requests[0]![1]!;
    const errors: Error[] = [];
    st.on('error', (e) => errors.push(e));
    st.respond(st.response(603));
    await clock.advance(31_999);
    // G: 0.5, 1, 2, 4, 4, ... up to 32 s: sends at 0, .5, 1.5, 3.5, 7.5, 11.5, ..., 31.5
    expect(sentMethods(b.transport, 'SIP/2.0 603')).toBe(11);
    await clock.advance(1);
    expect((errors[0] as TransactionTimeoutError).timer).toBe('H');
  });

  it('absorbs INVITE retransmissions after a 2xx (RFC 6026 Accepted)', async () => {
    const { clock, a, b } = setup((_d, from) => from === b.transport);
    await a.tx.request(buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062' }));
    await clock.advance(0);
    const st = b.requests[0]![1]!;
    st.respond(st.response(200, undefined, 'tag2'));
    await clock.advance(5_000);
    expect(sentMethods(a.transport, 'INVITE')).toBeGreaterThan(1);
    expect(b.requests).toHaveLength(1);
    expect(st.state).toBe('accepted');
  });

  it('keeps only the key of an accepted INVITE: absorbed until Timer L, a new request after it', async () => {
    const { clock, a, b } = setup();
    const req = buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062', via: 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKacc1', callId: 'acc1' });
    const data = (await import('../src/message/serializer.ts')).serialize(req);
    const send = () => a.transport.send({ transport: 'UDP', address: '127.0.0.1', port: 5062 }, data);
    await send();
    await clock.advance(0);
    const st = b.requests[0]![1]!;
    st.respond(st.response(200, undefined, 'tag2'));
    // The layer no longer holds the transaction (the dialog may, to retransmit its 2xx through it) ...
    expect(b.tx.serverCount).toBe(0);
    st.respond(st.response(200, undefined, 'tag2'));
    expect(sentMethods(b.transport, 'SIP/2.0 200')).toBe(2);
    // ... and it runs no Timer L of its own, yet a retransmitted INVITE is still absorbed until Timer L (32 s).
    await clock.advance(31_000);
    await send();
    await clock.advance(0);
    expect(b.requests).toHaveLength(1);
    expect(st.state).toBe('accepted');
    await clock.advance(1_000);
    await send();
    await clock.advance(0);
    expect(b.requests).toHaveLength(2);
  });

  it('answers 200 to a CANCEL that arrives after the 2xx, and hands an ACK on the same key to the TU', async () => {
    const { clock, a, b } = setup();
    const invite = buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062', via: 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKacc2', callId: 'acc2' });
    const { serialize } = await import('../src/message/serializer.ts');
    const to = { transport: 'UDP' as const, address: '127.0.0.1', port: 5062 };
    await a.transport.send(to, serialize(invite));
    await clock.advance(0);
    const st = b.requests[0]![1]!;
    st.respond(st.response(200, undefined, 'tag2'));
    const cancel = buildRequest({ method: 'CANCEL', uri: 'sip:127.0.0.1:5062', via: 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKacc2', callId: 'acc2', cseq: 1 });
    await a.transport.send(to, serialize(cancel));
    await clock.advance(0);
    expect(sentMethods(b.transport, 'SIP/2.0 200')).toBe(2);
    expect(sentMethods(b.transport, 'SIP/2.0 481')).toBe(0);
    const ack = buildRequest({ method: 'ACK', uri: 'sip:127.0.0.1:5062', via: 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKacc2', callId: 'acc2', cseq: 1 });
    await a.transport.send(to, serialize(ack));
    await clock.advance(0);
    expect(b.requests.map(([r, t]) => [r.method, t === undefined])).toEqual([['INVITE', false], ['ACK', true]]);
  });

  it('matches CANCEL to the INVITE, answers it 200 and lets the TU send 487', async () => {
    const { clock, a, b } = setup();
    b.tx.onRequest((req, st) => {
      b.requests.push([req, st]);
      st?.on('cancel', () => st.respond(st.response(487, undefined, 'x')));
    });
    const ctx = await a.tx.request(buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062' }));
    const finals: number[] = [];
    ctx.on('response', (r) => finals.push(r.status));
    await clock.advance(0);
    const cancel = await a.tx.cancel(ctx);
    const cancelFinals: number[] = [];
    cancel!.on('response', (r) => cancelFinals.push(r.status));
    await clock.advance(0);
    expect(cancelFinals).toEqual([200]);
    expect(finals).toEqual([100, 487]);
    expect(b.requests.map(([r]) => r.method)).toEqual(['INVITE']);
  });

  it('answers CANCEL for an unknown transaction with 481', async () => {
    const { clock, a } = setup();
    const ctx = await a.tx.request(buildRequest({ method: 'CANCEL', uri: 'sip:127.0.0.1:5062' }));
    const got: number[] = [];
    ctx.on('response', (r) => got.push(r.status));
    await clock.advance(0);
    expect(got).toEqual([481]);
  });

  it('answers a merged request with 482 (RFC 3261 §8.2.2.2)', async () => {
    const { clock, a, b } = setup();
    const first = buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062', callId: 'm1', from: '<sip:a@x>;tag=f1' });
    const second = buildRequest({ method: 'INVITE', uri: 'sip:127.0.0.1:5062', callId: 'm1', from: '<sip:a@x>;tag=f1' });
    await a.tx.request(first);
    const ctx2 = await a.tx.request(second);
    const got: number[] = [];
    ctx2.on('response', (r) => got.push(r.status));
    await clock.advance(0);
    expect(b.requests).toHaveLength(1);
    expect(got).toContain(482);
  });
});

describe('non-INVITE server transaction', () => {
  it('keeps answering retransmissions until Timer J, then treats the request as new', async () => {
    const { clock, a, b } = setup();
    b.tx.onRequest((req, st) => {
      b.requests.push([req, st]);
      // UTF-8 in a header: the retired copy must repeat bytes, not characters.
      st?.respond(st.response(200).set('Subject', '客服 ok'));
    });
    const req = buildRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5062', via: 'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bKretx', callId: 'rj' });
    const data = (await import('../src/message/serializer.ts')).serialize(req);
    const send = () => a.transport.send({ transport: 'UDP', address: '127.0.0.1', port: 5062 }, data);
    await send();
    await clock.advance(0);
    await send();
    await clock.advance(31_000);
    expect(b.requests).toHaveLength(1);
    expect(sentMethods(b.transport, 'SIP/2.0 200')).toBe(2);
    // The retired record repeats the very bytes first sent (it keeps them as a latin1 string).
    const [first, again] = b.transport.sent.filter((d) => d.toString('latin1').startsWith('SIP/2.0 200'));
    expect(again!.equals(first!)).toBe(true);
    expect(again!.toString('utf8')).toContain('Subject: 客服 ok');
    await clock.advance(1_000);
    await send();
    await clock.advance(0);
    expect(b.requests).toHaveLength(2);
  });

  it('answers a retransmitted request with the last response without asking the TU again', async () => {
    const { clock, a, b } = setup((d, from) => from === b.transport && sentMethods(b.transport, 'SIP/2.0 200') === 1);
    const ctx = await a.tx.request(buildRequest({ method: 'OPTIONS', uri: 'sip:127.0.0.1:5062' }));
    const got: number[] = [];
    ctx.on('response', (r) => got.push(r.status));
    await clock.advance(0);
    const st = b.requests[0]![1]!;
    st.respond(st.response(200));
    await clock.advance(600);
    expect(got).toEqual([200]);
    expect(b.requests).toHaveLength(1);
    await clock.advance(32_000);
    expect(st.state).toBe('terminated');
  });
});
