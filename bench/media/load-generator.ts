/**
 * RTP load generator (runs as a child process of the benchmark). Each call has two legs, A and B;
 * each leg is a UDP socket sending 20 ms PCMU packets to its target and receiving the other leg's
 * packets back through the system under test. A packet's payload carries its send time, so the
 * generator measures one-way transit through the relay on a single clock.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

interface Leg {
  socket: dgram.Socket;
  port: number;
  target: number;
  seq: number;
  ts: number;
  ssrc: number;
  sent: number;
  received: number;
}

const legs: Leg[] = [];
const BIN_MS = 0.05;
const hist = new Uint32Array(40_000); // 0..2 s in 50 µs bins
/** Measurement window in epoch ms, shared by all generator processes of a run. */
let fromEpoch = Infinity;
let untilEpoch = -Infinity;
let minTransit = Infinity;

function send(msg: unknown): void {
  process.send!(msg);
}

async function open(calls: number): Promise<number[][]> {
  const ports: number[][] = [];
  for (let c = 0; c < calls; c++) {
    const pair: number[] = [];
    for (let l = 0; l < 2; l++) {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 } as dgram.SocketOptions);
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
      const leg: Leg = { socket, port: socket.address().port, target: 0, seq: 0, ts: 0, ssrc: (c * 2 + l + 1) >>> 0, sent: 0, received: 0 };
      socket.on('message', (m) => {
        if (m.length !== 12 + 160 || (m[1]! & 0x7f) !== 0) return; // RTP PCMU only (skip RTCP)
        const sentAt = m.readDoubleBE(12);
        if (sentAt < fromEpoch || sentAt >= untilEpoch) return;
        leg.received++;
        const transit = performance.timeOrigin + performance.now() - sentAt;
        if (transit < minTransit) minTransit = transit;
        hist[Math.min(hist.length - 1, Math.max(0, Math.floor(transit / BIN_MS)))]!++;
      });
      legs.push(leg);
      pair.push(leg.port);
    }
    ports.push(pair);
  }
  return ports;
}

function packet(leg: Leg, epochNow: number): Buffer {
  const b = Buffer.alloc(12 + 160, 0xff);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(leg.seq & 0xffff, 2);
  b.writeUInt32BE(leg.ts >>> 0, 4);
  b.writeUInt32BE(leg.ssrc, 8);
  b.writeDoubleBE(epochNow, 12); // epoch ms: comparable across generator processes
  return b;
}

/** Sends every leg once per 20 ms, spread over four 5 ms slots, from a monotonic schedule, until `endEpoch`. */
function run(endEpoch: number): Promise<void> {
  const start = performance.now();
  const slots = 4;
  let n = 0;
  return new Promise((resolve) => {
    const step = () => {
      const slot = n % slots;
      for (let i = slot; i < legs.length; i += slots) {
        const leg = legs[i]!;
        if (leg.target === 0) continue; // a leg played by another generator (WebRTC)
        const at = performance.timeOrigin + performance.now();
        leg.socket.send(packet(leg, at), leg.target, '127.0.0.1');
        leg.seq++;
        leg.ts += 160;
        if (at >= fromEpoch && at < untilEpoch) leg.sent++;
      }
      n++;
      if (performance.timeOrigin + performance.now() >= endEpoch) {
        resolve();
        return;
      }
      const due = start + (n + 1) * (20 / slots);
      setTimeout(step, Math.max(0, due - performance.now()));
    };
    step();
  });
}

process.on('message', async (msg: { cmd: string; calls?: number; targets?: number[][]; fromEpoch?: number; untilEpoch?: number }) => {
  if (msg.cmd === 'open') {
    send({ ports: await open(msg.calls!) });
  } else if (msg.cmd === 'start') {
    msg.targets!.forEach(([a, b], c) => {
      legs[c * 2]!.target = a!;
      legs[c * 2 + 1]!.target = b!;
    });
    fromEpoch = msg.fromEpoch!;
    untilEpoch = msg.untilEpoch!;
    await run(untilEpoch + 100);
    await new Promise((r) => setTimeout(r, 1000)); // packets in flight
    // Legs are paired: A's packets arrive at B and vice versa.
    let sent = 0;
    let received = 0;
    for (const l of legs) {
      sent += l.sent;
      received += l.received;
    }
    const bins: [number, number][] = [];
    hist.forEach((c, i) => c && bins.push([i, c]));
    send({ sent, received, minTransitMs: minTransit, measuredMs: untilEpoch - fromEpoch, binMs: BIN_MS, bins });
  } else if (msg.cmd === 'close') {
    await Promise.all(legs.map((l) => new Promise<void>((r) => l.socket.close(() => r()))));
    process.exit(0);
  }
});
send({ ready: true });
