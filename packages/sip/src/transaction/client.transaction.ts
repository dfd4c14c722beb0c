// Client transactions (RFC 3261 §17.1): INVITE (§17.1.1, with the Accepted state of RFC 6026 §7.2) and
// non-INVITE (§17.1.2).
import { formatVia } from '../message/headers.ts';
import { SipRequest, type SipResponse } from '../message/message.ts';
import { serialize } from '../message/serializer.ts';
import type { Destination } from '../transport/transport.ts';
import { TransportError } from '../transport/transport.ts';
import { Emitter } from '../util/emitter.ts';
import { TransactionTimeoutError } from './errors.ts';
import type { Clock, Timers } from './timers.ts';

export type ClientState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientTransactionEvents extends Record<string, unknown[]> {
  response: [SipResponse];
  error: [TransactionTimeoutError | TransportError];
  terminated: [];
}

/** What a transaction needs from below: sending bytes and knowing whether the transport is reliable. */
export interface TransactionTransport {
  send(dest: Destination, data: Buffer): Promise<void>;
  isReliable(protocol: Destination['transport']): boolean;
}

export class ClientTransaction extends Emitter<ClientTransactionEvents> {
  state: ClientState;
  readonly isInvite: boolean;
  readonly branch: string;
  private readonly data: Buffer;
  private readonly reliable: boolean;
  private timers = new Map<string, unknown>();
  private interval: number;
  private ackData: Buffer | undefined;
  lastResponse: SipResponse | undefined;

  constructor(
    readonly request: SipRequest,
    readonly dest: Destination,
    private readonly transport: TransactionTransport,
    private readonly t: Timers,
    private readonly clock: Clock,
  ) {
    super();
    this.isInvite = request.method === 'INVITE';
    this.branch = request.topVia.params.get('branch') ?? '';
    this.state = this.isInvite ? 'calling' : 'trying';
    this.reliable = transport.isReliable(dest.transport);
    this.data = serialize(request);
    this.interval = this.isInvite ? t.A : t.E;
  }

  get key(): string {
    return clientKey(this.branch, this.request.method);
  }

  /** Sends the request and starts Timer A/B (INVITE) or E/F (non-INVITE). */
  start(): void {
    this.transmit(this.data);
    if (!this.reliable) this.schedule('retransmit', this.interval, () => this.retransmit());
    if (this.isInvite) this.schedule('B', this.t.B, () => this.timeout('B'));
    else this.schedule('F', this.t.F, () => this.timeout('F'));
  }

  private retransmit(): void {
    if (this.state === 'calling' || this.state === 'trying' || (!this.isInvite && this.state === 'proceeding')) {
      this.transmit(this.data);
      // Timer A doubles without bound; Timer E doubles up to T2, and is T2 once a provisional arrived (§17.1.2.2).
      this.interval = this.isInvite ? this.interval * 2 : Math.min(this.interval * 2, this.t.T2);
      if (!this.isInvite && this.state === 'proceeding') this.interval = this.t.T2;
      this.schedule('retransmit', this.interval, () => this.retransmit());
    }
  }

  /** A response matched to this transaction by the layer (§17.1.3). */
  receive(res: SipResponse): void {
    const code = res.status;
    if (this.state === 'terminated') return;
    if (this.isInvite) return this.receiveInvite(res, code);
    if (this.state === 'completed') return;
    this.lastResponse = res;
    if (code < 200) {
      this.state = 'proceeding';
      this.emit('response', res);
      return;
    }
    this.state = 'completed';
    this.cancel('retransmit');
    this.cancel('F');
    this.emit('response', res);
    this.schedule('K', this.t.K(this.reliable), () => this.terminate());
  }

  private receiveInvite(res: SipResponse, code: number): void {
    if (code < 200) {
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.state = 'proceeding';
        this.cancel('retransmit');
        this.lastResponse = res;
        this.emit('response', res);
      }
      return;
    }
    if (code < 300) {
      // RFC 6026 §7.2: 2xx moves to Accepted; every 2xx (retransmissions, forks) goes to the TU, which ACKs.
      if (this.state === 'calling' || this.state === 'proceeding') {
        this.state = 'accepted';
        this.cancel('retransmit');
        this.cancel('B');
        this.schedule('M', this.t.M, () => this.terminate());
      }
      if (this.state === 'accepted') {
        this.lastResponse = res;
        this.emit('response', res);
      }
      return;
    }
    // 300-699: ACK within the transaction (§17.1.1.3), Completed, Timer D; retransmissions are ACKed again.
    if (this.state === 'calling' || this.state === 'proceeding') {
      this.state = 'completed';
      this.cancel('retransmit');
      this.cancel('B');
      this.ackData = serialize(this.buildAck(res));
      this.transmit(this.ackData);
      this.lastResponse = res;
      this.emit('response', res);
      this.schedule('D', this.t.D(this.reliable), () => this.terminate());
    } else if (this.state === 'completed' && this.ackData) {
      this.transmit(this.ackData);
    }
  }

  /** The ACK for a non-2xx final response (§17.1.1.3): same Via, Route, From, Call-ID, CSeq number; To from the response. */
  private buildAck(res: SipResponse): SipRequest {
    const ack = new SipRequest('ACK', this.request.uri);
    const top = this.request.vias[0];
    if (top) ack.append('Via', formatVia(top));
    for (const h of this.request.headers) {
      if (h.name === 'Route' || h.name === 'From' || h.name === 'Call-ID' || h.name === 'Max-Forwards') ack.headers.push({ ...h });
    }
    ack.set('To', res.get('To') ?? this.request.get('To') ?? '');
    ack.set('CSeq', `${this.request.cseq.seq} ACK`);
    return ack;
  }

  private timeout(timer: 'B' | 'F'): void {
    if (this.state !== 'calling' && this.state !== 'trying' && this.state !== 'proceeding') return;
    this.emit('error', new TransactionTimeoutError(`${this.request.method} timed out (Timer ${timer})`, timer));
    this.terminate();
  }

  private transmit(data: Buffer): void {
    this.transport.send(this.dest, data).catch((e: unknown) => {
      if (this.state === 'terminated') return;
      // §17.1.1.2, §17.1.2.2: a transport error is reported to the TU and ends the transaction.
      const err = e instanceof TransportError ? e : new TransportError('SEND_FAILED', String(e));
      if (this.state === 'calling' || this.state === 'trying' || this.state === 'proceeding') {
        this.emit('error', err);
        this.terminate();
      }
    });
  }

  private schedule(name: string, ms: number, fn: () => void): void {
    this.cancel(name);
    if (ms <= 0) {
      this.timers.set(name, this.clock.setTimeout(fn, 0));
      return;
    }
    this.timers.set(name, this.clock.setTimeout(fn, ms));
  }

  private cancel(name: string): void {
    const h = this.timers.get(name);
    if (h !== undefined) this.clock.clearTimeout(h);
    this.timers.delete(name);
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    for (const h of this.timers.values()) this.clock.clearTimeout(h);
    this.timers.clear();
    this.emit('terminated');
    this.removeAllListeners();
  }
}

export function clientKey(branch: string, method: string): string {
  return `${branch}|${method === 'ACK' ? 'INVITE' : method}`;
}
