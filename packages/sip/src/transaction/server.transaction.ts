// Server transactions (RFC 3261 §17.2): INVITE (§17.2.1, with the Accepted state of RFC 6026 §7.1) and
// non-INVITE (§17.2.2).
import type { SipRequest, SipResponse } from '../message/message.ts';
import { createResponse } from '../message/builders.ts';
import { TransportError } from '../transport/transport.ts';
import type { PreparedResponse } from '../transport/transport-layer.ts';
import { Emitter } from '../util/emitter.ts';
import { TransactionTimeoutError } from './errors.ts';
import type { Clock, Timers } from './timers.ts';

export type ServerState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export interface ServerTransactionEvents extends Record<string, unknown[]> {
  /** A CANCEL matched this INVITE transaction (RFC 3261 §9.2); the layer already answered the CANCEL. */
  cancel: [SipRequest];
  /** The ACK for a non-2xx final response arrived (Confirmed). */
  ack: [SipRequest];
  /** The first final response was sent. */
  final: [number];
  error: [TransactionTimeoutError | TransportError];
  terminated: [];
}

/** What a server transaction needs from below. */
export interface ResponseSender {
  sendResponse(res: SipResponse, source?: SipRequest['source']): Promise<void>;
  /** Serializes a response and resolves its destination once; throws a TransportError when there is none. */
  prepareResponse(res: SipResponse, source?: SipRequest['source']): PreparedResponse;
  sendPrepared(prepared: PreparedResponse): Promise<void>;
  isReliable(protocol: NonNullable<SipRequest['source']>['transport']): boolean;
}

export class ServerTransaction extends Emitter<ServerTransactionEvents> {
  state: ServerState;
  readonly isInvite: boolean;
  lastResponse: SipResponse | undefined;
  cancelled = false;
  /**
   * Set by the transaction layer when it takes over absorbing retransmissions after a 2xx (TransactionLayer.accept):
   * the transaction then runs no Timer L of its own, so nothing keeps it (and the dialog hung on it) alive.
   */
  detached = false;
  private readonly reliable: boolean;
  private timers = new Map<string, unknown>();
  private interval: number;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    private readonly sender: ResponseSender,
    private readonly t: Timers,
    private readonly clock: Clock,
  ) {
    super();
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
    this.reliable = sender.isReliable(request.source?.transport ?? 'UDP');
    this.interval = t.G;
  }

  /** Builds a response to this transaction's request (§8.2.6). */
  response(status: number, reason?: string, toTag?: string): SipResponse {
    return createResponse(this.request, status, reason, toTag);
  }

  /** Sends a response from the TU, moving the state machine (§17.2.1, §17.2.2). */
  respond(res: SipResponse): void {
    const code = res.status;
    if (this.state === 'terminated' || this.state === 'completed' || this.state === 'confirmed') return;
    if (this.state === 'accepted') {
      // RFC 6026 §7.1: further 2xx (retransmitted by the TU) pass through; nothing else is sent.
      if (code >= 200 && code < 300) this.transmit(res);
      return;
    }
    this.lastResponse = res;
    if (code < 200) {
      if (!this.isInvite) this.state = 'proceeding';
      this.transmit(res);
      return;
    }
    this.transmit(res);
    this.emit('final', code);
    if ((this.state as ServerState) === 'terminated') return; // retired by the layer (TransactionLayer.retire)
    if (this.isInvite) {
      if (code < 300) {
        this.state = 'accepted';
        if (!this.detached) this.schedule('L', this.t.L, () => this.terminate());
        return;
      }
      this.state = 'completed';
      if (!this.reliable) this.schedule('G', this.interval, () => this.retransmitFinal());
      this.schedule('H', this.t.H, () => {
        this.emit('error', new TransactionTimeoutError('no ACK for the final response (Timer H)', 'H'));
        this.terminate();
      });
      return;
    }
    this.state = 'completed';
    this.schedule('J', this.t.J(this.reliable), () => this.terminate());
  }

  private retransmitFinal(): void {
    if (this.state !== 'completed' || !this.lastResponse) return;
    this.transmit(this.lastResponse);
    this.interval = Math.min(this.interval * 2, this.t.T2);
    this.schedule('G', this.interval, () => this.retransmitFinal());
  }

  /** A retransmission of the request (or the ACK for a non-2xx) matched this transaction. */
  receive(req: SipRequest): void {
    if (req.method === 'ACK') {
      if (this.state === 'completed') {
        this.state = 'confirmed';
        this.cancel('G');
        this.cancel('H');
        this.emit('ack', req);
        this.schedule('I', this.t.I(this.reliable), () => this.terminate());
      }
      return;
    }
    // §17.2.1, §17.2.2: a retransmitted request gets the last response again; Accepted absorbs it (RFC 6026).
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) this.transmit(this.lastResponse);
  }

  /** Marks the transaction cancelled (§9.2) and tells the TU. */
  cancelWith(cancel: SipRequest): void {
    if (this.cancelled || this.state !== 'proceeding') return;
    this.cancelled = true;
    this.emit('cancel', cancel);
  }

  private transmit(res: SipResponse): void {
    this.sender.sendResponse(res, this.request.source).catch((e: unknown) => {
      if (this.state === 'terminated') return;
      this.emit('error', e instanceof TransportError ? e : new TransportError('SEND_FAILED', String(e)));
      this.terminate();
    });
  }

  private schedule(name: string, ms: number, fn: () => void): void {
    this.cancel(name);
    this.timers.set(name, this.clock.setTimeout(fn, Math.max(0, ms)));
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
