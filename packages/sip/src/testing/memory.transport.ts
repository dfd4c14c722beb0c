// An in-memory, datagram-like transport pair with configurable loss, for tests of everything above transports.
import type { Destination, RawIncoming, Transport } from '../transport/transport.ts';

export type LossFn = (data: Buffer, from: MemoryTransport) => boolean;

export interface MemoryPairOptions {
  /** Drop probability (0..1) or a predicate deciding per message. */
  loss?: number | LossFn;
  /** Deterministic randomness for `loss` as a probability. */
  random?: () => number;
}

export class MemoryTransport implements Transport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  peer: MemoryTransport | undefined;
  /** Every message this side sent (including lost ones), for assertions. */
  readonly sent: Buffer[] = [];
  dropped = 0;
  private handler: (m: RawIncoming) => void = () => {};
  private closed = false;

  constructor(
    readonly localAddress: string,
    readonly localPort: number,
    private readonly lossFn: LossFn,
  ) {}

  onData(handler: (m: RawIncoming) => void): void {
    this.handler = handler;
  }

  deliver(data: Buffer, from: MemoryTransport): void {
    if (this.closed) return;
    this.handler({ data, framed: false, address: from.localAddress, port: from.localPort });
  }

  async send(_dest: Destination, data: Buffer): Promise<void> {
    this.sent.push(data);
    if (this.closed || !this.peer) return;
    if (this.lossFn(data, this)) {
      this.dropped++;
      return;
    }
    const peer = this.peer;
    const copy = Buffer.from(data);
    setImmediate(() => peer.deliver(copy, this));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Two connected in-memory transports, "a" at 127.0.0.1:5061 and "b" at 127.0.0.1:5062. */
export function createMemoryPair(opts: MemoryPairOptions = {}): [MemoryTransport, MemoryTransport] {
  const random = opts.random ?? Math.random;
  const loss = opts.loss ?? 0;
  const fn: LossFn = typeof loss === 'function' ? loss : () => loss > 0 && random() < loss;
  const a = new MemoryTransport('127.0.0.1', 5061, fn);
  const b = new MemoryTransport('127.0.0.1', 5062, fn);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** A small deterministic PRNG (mulberry32) for reproducible loss patterns. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
