// The transaction layer (RFC 3261 §17): matches requests and responses to transactions (§17.1.3, §17.2.3),
// answers CANCEL (§9.2), detects merged requests (§8.2.2.2) and hands the rest to the transaction user.
import { newBranch } from '../message/builders.ts';
import { formatVia, type Via } from '../message/headers.ts';
import { SipRequest, type SipResponse } from '../message/message.ts';
import { serialize } from '../message/serializer.ts';
import type { SipUri } from '../message/uri.ts';
import { TransportError, type Destination } from '../transport/transport.ts';
import type { PreparedResponse } from '../transport/transport-layer.ts';
import { ClientTransaction, clientKey, type TransactionTransport } from './client.transaction.ts';
import { ServerTransaction, type ResponseSender } from './server.transaction.ts';
import { ExpiringMap } from '../util/expiring-map.ts';
import { deriveTimers, systemClock, type Clock, type TimerConfig, type Timers } from './timers.ts';

/** What the transaction layer needs from the layer below (the TransportLayer, or a test double). */
export interface TransactionLower extends TransactionTransport, ResponseSender {
  onRequest(handler: (req: SipRequest) => void): void;
  onResponse(handler: (res: SipResponse) => void): void;
  resolve(target: SipUri): Promise<Destination>;
  viaFor(protocol: Destination['transport'], branch: string): Via;
}

export interface TransactionLayerOptions {
  timers?: Partial<TimerConfig>;
  clock?: Clock;
  /** Send 100 Trying as soon as an INVITE arrives (RFC 3261 §17.2.1 allows it; default true). */
  autoTrying?: boolean;
}

const MAGIC = 'z9hG4bK';

/** The key of a server transaction (§17.2.3); RFC 2543 requests without the magic cookie fall back to dialog ids. */
export function serverKey(req: SipRequest): string {
  const via = req.topVia;
  const branch = via.params.get('branch') ?? '';
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  const sentBy = `${via.host}:${via.port ?? ''}`;
  // The Call-ID is part of the key as well: broken clients reuse branches across calls (RFC 4475 reuses
  // "z9hG4bKkdjuw" for unrelated requests), and a retransmission always carries the same Call-ID.
  if (branch.startsWith(MAGIC) && branch.length > MAGIC.length) return `${branch}|${sentBy}|${req.callId}|${method}`;
  return `2543|${req.callId}|${req.fromTag ?? ''}|${req.cseq.seq}|${method}|${sentBy}|${branch}`;
}

export class TransactionLayer {
  readonly timers: Timers;
  readonly clock: Clock;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly merged = new Map<string, string>();
  /** Non-INVITE transactions past their final response over UDP: the bytes to repeat until Timer J (retire). */
  private readonly completed: ExpiringMap<RetiredResponse>;
  /** INVITE transactions past a 2xx (RFC 6026 Accepted): retransmitted INVITEs are absorbed until Timer L (accept). */
  private readonly accepted: ExpiringMap<true>;
  private requestHandler: (req: SipRequest, tx: ServerTransaction | undefined) => void = () => {};
  private strayResponseHandler: (res: SipResponse) => void = () => {};
  private readonly autoTrying: boolean;

  constructor(
    readonly lower: TransactionLower,
    opts: TransactionLayerOptions = {},
  ) {
    this.timers = deriveTimers(opts.timers);
    this.clock = opts.clock ?? systemClock;
    this.autoTrying = opts.autoTrying ?? true;
    this.completed = new ExpiringMap(this.clock, this.timers.J(false));
    this.accepted = new ExpiringMap(this.clock, this.timers.L);
    lower.onRequest((req) => this.handleRequest(req));
    lower.onResponse((res) => this.handleResponse(res));
  }

  /** Requests for the TU: new server transactions, and ACKs for 2xx (no transaction, §17.2.3) with `tx` undefined. */
  onRequest(handler: (req: SipRequest, tx: ServerTransaction | undefined) => void): void {
    this.requestHandler = handler;
  }

  /** Responses that match no transaction (e.g. 2xx retransmissions the dialog must ACK again, §13.2.2.4). */
  onStrayResponse(handler: (res: SipResponse) => void): void {
    this.strayResponseHandler = handler;
  }

  get serverCount(): number {
    return this.servers.size;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private handleRequest(req: SipRequest): void {
    let key: string;
    try {
      key = serverKey(req);
    } catch {
      return;
    }
    const existing = this.servers.get(key);
    if (existing) return existing.receive(req);
    const retired = this.completed.get(key);
    if (retired) {
      // Timer J still runs for this request: a retransmission gets the final response again (§17.2.2).
      if (req.method !== 'ACK') {
        const again: PreparedResponse = { transport: retired.transport, dest: retired.dest, data: Buffer.from(retired.bytes, 'latin1') };
        this.lower.sendPrepared(again).catch(() => {});
      }
      return;
    }
    if (this.accepted.has(key)) {
      // RFC 6026 §7.1: a retransmitted INVITE is absorbed; an ACK (for the 2xx) belongs to the dialog (§17.2.3).
      if (req.method === 'ACK') this.requestHandler(req, undefined);
      return;
    }
    if (req.method === 'ACK') return this.requestHandler(req, undefined);
    if (req.method === 'CANCEL') return this.handleCancel(req, key);
    const tx = new ServerTransaction(key, req, this.lower, this.timers, this.clock);
    // §8.2.2.2: same From tag, Call-ID and CSeq as a request in progress but another branch: a merged request.
    const mergeKey = req.toTag === undefined ? `${req.callId}|${req.fromTag ?? ''}|${req.cseq.seq}|${req.cseq.method}` : undefined;
    if (mergeKey) {
      const other = this.merged.get(mergeKey);
      if (other !== undefined && other !== key && this.servers.has(other)) {
        this.servers.set(key, tx);
        tx.on('terminated', () => this.servers.delete(key));
        tx.respond(tx.response(482));
        return;
      }
      this.merged.set(mergeKey, key);
    }
    this.servers.set(key, tx);
    tx.on('terminated', () => {
      this.servers.delete(key);
      if (mergeKey && this.merged.get(mergeKey) === key) this.merged.delete(mergeKey);
    });
    if (!tx.isInvite && !this.lower.isReliable(req.source?.transport ?? 'UDP')) tx.once('final', () => this.retire(key, tx));
    if (tx.isInvite) {
      tx.once('final', (code) => {
        if (code >= 200 && code < 300) this.accept(key, tx, mergeKey);
      });
    }
    if (tx.isInvite && this.autoTrying) tx.respond(tx.response(100));
    this.requestHandler(req, tx);
  }

  /** §9.2: CANCEL matches the INVITE transaction with the same branch (and Call-ID); 200 to the CANCEL, 481 if none. */
  private handleCancel(req: SipRequest, key: string): void {
    const tx = new ServerTransaction(key, req, this.lower, this.timers, this.clock);
    this.servers.set(key, tx);
    tx.on('terminated', () => this.servers.delete(key));
    const inviteKey = key.replace(/\|CANCEL$/, '|INVITE');
    const invite = this.servers.get(inviteKey);
    if (!invite && this.accepted.has(inviteKey)) {
      tx.respond(tx.response(200)); // already answered with a 2xx: the CANCEL succeeds and changes nothing (§9.2)
      return;
    }
    if (!invite) {
      tx.respond(tx.response(481));
      return;
    }
    // An INVITE already answered is not affected, but the CANCEL itself still succeeds (§9.2).
    tx.respond(tx.response(200));
    invite.cancelWith(req);
  }

  /**
   * A non-INVITE server transaction that sent its final response over UDP only has to answer retransmissions until
   * Timer J fires (§17.2.2). It is replaced by a small record (the response and where it went) so that the request,
   * the transaction and everything the application hung on it can be collected: at 2,000 REGISTER/s, 64*T1 of
   * full transactions is a quarter million objects graphs.
   */
  private retire(key: string, tx: ServerTransaction): void {
    const last = tx.lastResponse;
    if (!last) return;
    let response: PreparedResponse;
    try {
      response = this.lower.prepareResponse(last, tx.request.source);
    } catch {
      return; // nowhere to send it: the transaction runs its course and reports the error itself
    }
    tx.terminate();
    this.completed.set(detachedKey(key), { transport: response.transport, dest: response.dest, bytes: response.data.toString('latin1') });
  }

  /**
   * An INVITE server transaction that sent a 2xx only absorbs retransmitted INVITEs until Timer L fires (RFC 6026
   * §7.1); 2xx retransmissions come from the dialog (§13.3.1.4), which keeps the transaction object while it needs
   * it. The layer keeps just the key, so a call's request, transaction and dialog are collected as soon as the
   * dialog is done rather than 64*T1 later: at 2,000 calls/s that is the difference between ~100 MB and ~1 GB
   * of heap, and the garbage collector's pauses grow with it.
   */
  private accept(key: string, tx: ServerTransaction, mergeKey: string | undefined): void {
    tx.detached = true;
    this.servers.delete(key);
    if (mergeKey && this.merged.get(mergeKey) === key) this.merged.delete(mergeKey);
    this.accepted.set(detachedKey(key), true);
  }

  private handleResponse(res: SipResponse): void {
    let key: string;
    try {
      key = clientKey(res.topVia.params.get('branch') ?? '', res.cseq.method);
    } catch {
      return;
    }
    const tx = this.clients.get(key);
    if (tx) return tx.receive(res);
    this.strayResponseHandler(res);
  }

  /**
   * Starts a client transaction: picks the destination (first Route with `lr`, else the Request-URI), pushes a
   * Via with a fresh branch (§8.1.1.7) and sends.
   */
  async request(req: SipRequest, dest?: Destination): Promise<ClientTransaction> {
    const target = dest ?? (await this.lower.resolve(nextHop(req)));
    const via = this.lower.viaFor(target.transport, newBranch());
    req.prepend('Via', formatVia(via));
    const tx = new ClientTransaction(req, target, this.lower, this.timers, this.clock);
    this.clients.set(tx.key, tx);
    tx.on('terminated', () => this.clients.delete(tx.key));
    tx.start();
    return tx;
  }

  /** Sends a request outside any transaction (the ACK for a 2xx, §13.2.2.4), with a fresh branch. */
  async sendStateless(req: SipRequest, dest?: Destination): Promise<Destination> {
    const target = dest ?? (await this.lower.resolve(nextHop(req)));
    if (!req.has('Via')) req.prepend('Via', formatVia(this.lower.viaFor(target.transport, newBranch())));
    await this.lower.send(target, serialize(req));
    return target;
  }

  /**
   * CANCEL for a pending INVITE (§9.1): same Request-URI, Call-ID, From, To, CSeq number and top Via. Sent once a
   * provisional response arrived.
   */
  cancel(invite: ClientTransaction): Promise<ClientTransaction | undefined> {
    const send = async (): Promise<ClientTransaction | undefined> => {
      if (invite.state !== 'proceeding') return undefined;
      const req = invite.request;
      const cancel = new SipRequest('CANCEL', req.uri);
      const top = req.vias[0];
      if (top) cancel.append('Via', formatVia(top));
      for (const h of req.headers) {
        if (['Route', 'From', 'To', 'Call-ID', 'Max-Forwards'].includes(h.name)) cancel.headers.push({ ...h });
      }
      cancel.set('CSeq', `${req.cseq.seq} CANCEL`);
      const tx = new ClientTransaction(cancel, invite.dest, this.lower, this.timers, this.clock);
      this.clients.set(tx.key, tx);
      tx.on('terminated', () => this.clients.delete(tx.key));
      tx.start();
      return tx;
    };
    if (invite.state === 'calling') {
      return new Promise((resolve) => {
        invite.once('response', () => void send().then(resolve));
        invite.once('terminated', () => resolve(undefined));
      });
    }
    return send();
  }

  /** Ends every transaction (shutdown). */
  close(): void {
    for (const tx of [...this.clients.values()]) tx.terminate();
    for (const tx of [...this.servers.values()]) tx.terminate();
    this.completed.clear();
    this.accepted.clear();
  }
}

/**
 * A copy of a transaction key that shares no memory with the message it came from. Keys are built from slices of
 * the received datagram's text, and V8 keeps a sliced string's whole parent alive: a record kept for 32 s would
 * keep the full request text with it.
 */
function detachedKey(key: string): string {
  return JSON.parse(JSON.stringify(key)) as string;
}

/**
 * A retired transaction's final response, kept for Timer J. The bytes are held as a latin1 string (one char per byte,
 * so the round trip is exact): a string is an ordinary heap object, while a Buffer of its own is an ArrayBuffer with
 * a backing store outside the heap that the garbage collector tracks and sweeps separately, and a small Buffer cut
 * from Node's shared pool would keep the whole 8 KB slab alive for 32 s.
 */
interface RetiredResponse {
  transport: PreparedResponse['transport'];
  dest: PreparedResponse['dest'];
  bytes: string;
}

/** The URI a request is sent to: the first Route if it is a loose router (§16.12), else the Request-URI. */
export function nextHop(req: SipRequest): SipUri {
  const route = req.routes[0];
  if (route && route.uri.kind === 'sip' && route.uri.params.has('lr')) return route.uri;
  const uri = req.requestUri;
  if (uri.kind !== 'sip') throw new TransportError('UNRESOLVABLE', `cannot route to a ${uri.scheme} URI`);
  return uri;
}
