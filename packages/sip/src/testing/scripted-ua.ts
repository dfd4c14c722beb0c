// A scripted peer for tests: sends raw messages and waits for the ones it expects, with no transaction layer of
// its own, so a test decides exactly what is retransmitted, lost or answered.
import { createResponse } from '../message/builders.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { parseMessage } from '../message/parser.ts';
import { serialize } from '../message/serializer.ts';
import type { Destination, Transport } from '../transport/transport.ts';

interface Waiter {
  match: (m: SipMessage) => boolean;
  resolve: (m: SipMessage) => void;
}

export class ScriptedUA {
  /** Every message received, in order. */
  readonly received: SipMessage[] = [];
  private queue: SipMessage[] = [];
  private waiters: Waiter[] = [];
  private last: { address: string; port: number } | undefined;

  constructor(
    readonly transport: Transport,
    /** Where to send by default (the stack under test). */
    private readonly peer: Destination,
  ) {
    transport.onData((raw) => {
      let msg: SipMessage;
      try {
        msg = parseMessage(raw.data, { datagram: !raw.framed });
      } catch {
        return;
      }
      this.last = { address: raw.address, port: raw.port };
      this.received.push(msg);
      const i = this.waiters.findIndex((w) => w.match(msg));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg);
      else this.queue.push(msg);
    });
  }

  /** Sends a message as is (requests must carry their own Via). */
  async send(msg: SipMessage, dest: Destination = this.peer): Promise<void> {
    await this.transport.send(dest, serialize(msg));
  }

  /** Answers a received request; `toTag` is added to To when given. */
  async respond(req: SipRequest, status: number, init: { toTag?: string; headers?: Record<string, string>; body?: string } = {}): Promise<SipResponse> {
    const res = createResponse(req, status, undefined, init.toTag);
    for (const [k, v] of Object.entries(init.headers ?? {})) res.set(k, v);
    if (init.body !== undefined) {
      res.body = Buffer.from(init.body);
      res.set('Content-Type', 'application/sdp');
    }
    await this.send(res, this.last ? { ...this.peer, address: this.last.address, port: this.last.port } : this.peer);
    return res;
  }

  /** Resolves with the first message (already queued or yet to come) that matches. */
  waitFor(match: (m: SipMessage) => boolean): Promise<SipMessage> {
    const i = this.queue.findIndex(match);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  async expectRequest(method: string): Promise<SipRequest> {
    return (await this.waitFor((m) => m.kind === 'request' && m.method === method)) as SipRequest;
  }

  async expectResponse(status: number | ((s: number) => boolean), method?: string): Promise<SipResponse> {
    const ok = typeof status === 'number' ? (s: number) => s === status : status;
    return (await this.waitFor(
      (m) => m.kind === 'response' && ok(m.status) && (method === undefined || m.cseq.method === method),
    )) as SipResponse;
  }

  /** Messages received and not yet consumed by a wait. */
  get pending(): readonly SipMessage[] {
    return this.queue;
  }
}
