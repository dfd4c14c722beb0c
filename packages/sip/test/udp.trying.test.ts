// The 100 Trying over real UDP leaves before the application's INVITE handler runs (RFC 3261 §17.2.1: it keeps the
// caller from retransmitting). The peer is a worker thread with its own event loop: it receives the 100 while the
// main thread is still inside the handler, which blocks on a shared flag the worker sets.
import { afterEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createUserAgent, serialize, type UserAgent } from '../src/index.ts';
import { buildRequest, sdpOffer } from '../src/testing/index.ts';

const peer = `
const { workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const flag = new Int32Array(workerData.flag);
const socket = dgram.createSocket('udp4');
socket.on('message', (m) => {
  const status = m.toString('latin1').slice(8, 11);
  // 1: the 100 came first; 2: something else came before it.
  if (Atomics.load(flag, 0) === 0) Atomics.store(flag, 0, status === '100' ? 1 : 2);
  Atomics.notify(flag, 0);
  if (status !== '100') socket.close();
});
socket.bind(0, '127.0.0.1', () => {
  const invite = workerData.invite.replaceAll('PEERPORT', String(socket.address().port));
  socket.send(Buffer.from(invite, 'latin1'), workerData.uasPort, '127.0.0.1');
});
`;

let ua: UserAgent | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.terminate();
  await ua?.close(50);
  ua = undefined;
  worker = undefined;
});

describe('UDP 100 Trying', () => {
  it('is on the wire while the application is still handling the INVITE', async () => {
    ua = await createUserAgent({ udp: { host: '127.0.0.1' } });
    const uasPort = ua.transport.entryFor('UDP')!.transport.localPort;
    const invite = buildRequest({
      method: 'INVITE',
      uri: `sip:bob@127.0.0.1:${uasPort}`,
      via: `SIP/2.0/UDP 127.0.0.1:PEERPORT;branch=z9hG4bK-trying-${Date.now()}`,
      contact: `<sip:alice@127.0.0.1:PEERPORT>`,
      body: sdpOffer(),
    });
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const seen = new Promise<{ wait: string; flag: number }>((resolve) => {
      ua!.on('invite', (inv) => {
        // Blocks this thread (and so this event loop) until the worker has the 100, for at most 2 s.
        const wait = Atomics.wait(flag, 0, 0, 2000);
        resolve({ wait, flag: Atomics.load(flag, 0) });
        inv.reply(486);
      });
    });
    worker = new Worker(peer, { eval: true, workerData: { flag: flag.buffer, uasPort, invite: serialize(invite).toString('latin1') } });
    const { wait, flag: got } = await seen;
    expect(wait).not.toBe('timed-out');
    expect(got).toBe(1);
  });
});
