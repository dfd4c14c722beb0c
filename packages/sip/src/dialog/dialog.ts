// Dialogs (RFC 3261 §12-§15): route set, CSeq rules, in-dialog requests, ACK for 2xx, re-INVITE/UPDATE
// (hold, RFC 3264), INFO (RFC 6086), REFER/NOTIFY (RFC 3515), BYE, and session timers (RFC 4028).
import { answerChallenge, type Credentials } from '../auth/digest.client.ts';
import { newBranch } from '../message/builders.ts';
import { formatNameAddr, formatVia, type NameAddr } from '../message/headers.ts';
import { REASONS, SipRequest, type SipResponse, type TransportName } from '../message/message.ts';
import { parseSipUri } from '../message/uri.ts';
import { formatReferTo } from './replaces.ts';
import type { ServerTransaction } from '../transaction/server.transaction.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { Destination } from '../transport/transport.ts';
import { Emitter } from '../util/emitter.ts';
import { SipError } from './errors.ts';
import { applyReply, Responder, type ReplyOptions } from './responder.ts';
import { answerDirection, sdpDirection, withDirection } from './sdp-direction.ts';
import { SessionTimer } from './session-timer.ts';

/** What a dialog needs from the user agent that owns it (implemented by UserAgent; never reached up to). */
export interface DialogContext {
  transactions: TransactionLayer;
  contact(protocol: TransportName): string;
  allow: string;
  credentials?: Credentials;
  dialogEnded(d: Dialog): void;
}

export interface DialogInit {
  role: 'uac' | 'uas';
  callId: string;
  localTag: string;
  remoteTag: string;
  localParty: NameAddr;
  remoteParty: NameAddr;
  remoteTarget: string;
  routeSet: string[];
  localCSeq: number;
  remoteCSeq: number | undefined;
  flow: Destination | undefined;
  localSdp: string | undefined;
  remoteSdp: string | undefined;
  invite: SipRequest;
}

export type DestroyReason = 'local' | 'remote' | 'no-ack' | 'session-expired' | 'error';

export interface RequestOptions extends ReplyOptions {
  /** Do not wait: resolve with the final response whatever its status (default: reject on >= 300). */
  noThrow?: boolean;
}

export interface DialogEvents extends Record<string, unknown[]> {
  /** re-INVITE or UPDATE from the peer; answer with res.send() or let the dialog answer with the current SDP. */
  modify: [SipRequest, Responder];
  refer: [SipRequest, Responder];
  info: [SipRequest, Responder];
  notify: [SipRequest, Responder];
  ack: [SipRequest];
  destroy: [{ reason: DestroyReason; request?: SipRequest }];
}

export class Dialog extends Emitter<DialogEvents> {
  readonly role: 'uac' | 'uas';
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  localParty: NameAddr;
  remoteParty: NameAddr;
  remoteTarget: string;
  routeSet: string[];
  localCSeq: number;
  remoteCSeq: number | undefined;
  localSdp: string | undefined;
  remoteSdp: string | undefined;
  state: 'confirmed' | 'terminated' = 'confirmed';
  readonly invite: SipRequest;
  private readonly flow: Destination | undefined;
  private pendingInvite = false;
  private ackWait: { cseq: number; done: (ok: boolean) => void } | undefined;
  private readonly session: SessionTimer;

  constructor(
    private readonly ctx: DialogContext,
    init: DialogInit,
  ) {
    super();
    this.role = init.role;
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localParty = init.localParty;
    this.remoteParty = init.remoteParty;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localCSeq = init.localCSeq;
    this.remoteCSeq = init.remoteCSeq;
    this.flow = init.flow;
    this.localSdp = init.localSdp;
    this.remoteSdp = init.remoteSdp;
    this.invite = init.invite;
    this.session = new SessionTimer(
      ctx.transactions.clock,
      () => (this.localSdp ? this.request('INVITE', { body: this.localSdp }) : this.request('UPDATE')),
      () => void this.expireSession(),
    );
  }

  get id(): string {
    return dialogId(this.callId, this.localTag, this.remoteTag);
  }

  private get protocol(): TransportName {
    return this.flow?.transport ?? 'UDP';
  }

  /** Builds an in-dialog request (§12.2.1.1): remote target, route set, tags, next CSeq. */
  buildRequest(method: string, opts: ReplyOptions = {}, cseq?: number): SipRequest {
    const req = new SipRequest(method, this.remoteTarget);
    for (const r of this.routeSet) req.append('Route', r);
    req.append('Max-Forwards', 70);
    req.append('From', formatNameAddr({ ...this.localParty, params: new Map([['tag', this.localTag]]) }));
    req.append('To', formatNameAddr({ ...this.remoteParty, params: new Map([['tag', this.remoteTag]]) }));
    req.append('Call-ID', this.callId);
    if (cseq === undefined) cseq = ++this.localCSeq;
    req.append('CSeq', `${cseq} ${method}`);
    if (method === 'INVITE' || method === 'UPDATE' || method === 'REFER' || method === 'SUBSCRIBE' || method === 'NOTIFY') {
      req.append('Contact', this.ctx.contact(this.protocol));
    }
    if (method === 'INVITE' || method === 'UPDATE') req.append('Allow', this.ctx.allow);
    applyReply(req as unknown as SipResponse, opts);
    return req;
  }

  private destination(): Destination | undefined {
    // Requests follow the flow the dialog was set up on unless a route set says otherwise (RFC 5626 §5.3 spirit):
    // WebSocket and NAT'd peers can only be reached that way.
    return this.routeSet.length === 0 ? this.flow : undefined;
  }

  /** Sends an in-dialog request and resolves with its final response (answers 401/407 once if credentials). */
  async request(method: string, opts: RequestOptions = {}): Promise<SipResponse> {
    if (this.state === 'terminated') throw new SipError('DIALOG_TERMINATED', 'dialog is terminated');
    if (method === 'INVITE') this.pendingInvite = true;
    try {
      let req = this.buildRequest(method, opts);
      let res = await this.exchange(req);
      if ((res.status === 401 || res.status === 407) && this.ctx.credentials) {
        const retry = this.buildRequest(method, opts);
        if (answerChallenge(retry, res, this.ctx.credentials)) {
          req = retry;
          res = await this.exchange(retry);
        }
      }
      if (method === 'INVITE' && res.status >= 200 && res.status < 300) this.afterReinvite(req, res);
      if (res.status === 481 || res.status === 408) this.terminate('remote');
      if (res.status >= 300 && !opts.noThrow) {
        throw new SipError('REJECTED', `${method} failed: ${res.status} ${res.reason}`, res.status, res);
      }
      return res;
    } finally {
      if (method === 'INVITE') this.pendingInvite = false;
    }
  }

  private async exchange(req: SipRequest): Promise<SipResponse> {
    const tx = await this.ctx.transactions.request(req, this.destination());
    return new Promise((resolve, reject) => {
      tx.on('response', (res) => {
        if (res.status >= 200) resolve(res);
      });
      tx.on('error', reject);
      tx.on('terminated', () => reject(new SipError('DIALOG_TERMINATED', `${req.method} ended without a final response`)));
    });
  }

  private afterReinvite(req: SipRequest, res: SipResponse): void {
    const contact = res.contacts[0];
    if (contact) this.remoteTarget = formatUriOf(contact);
    if (res.body.length) this.remoteSdp = res.bodyText;
    this.sendAck(req.cseq.seq, req);
  }

  /** The ACK for a 2xx (§13.2.2.4): its own transaction-less request with the INVITE's CSeq number. */
  sendAck(cseq: number, invite: SipRequest = this.invite, body?: string): void {
    const ack = this.buildRequest('ACK', body ? { body } : {}, cseq);
    for (const name of ['Authorization', 'Proxy-Authorization']) {
      const v = invite.get(name);
      if (v) ack.append(name, v);
    }
    const dest = this.destination();
    const target = dest ?? undefined;
    if (target) {
      ack.prepend('Via', formatVia(this.ctx.transactions.lower.viaFor(target.transport, newBranch())));
    }
    this.ctx.transactions.sendStateless(ack, target).catch(() => {});
  }

  /** Re-INVITE with new SDP (e.g. hold: withDirection(sdp, 'sendonly')). Resolves with the remote SDP. */
  async modify(localSdp: string): Promise<string | undefined> {
    this.localSdp = localSdp;
    await this.request('INVITE', { body: localSdp });
    return this.remoteSdp;
  }

  /** Puts the peer on hold or takes it off (RFC 3264 §8.4). */
  hold(on = true): Promise<string | undefined> {
    if (!this.localSdp) throw new SipError('BAD_REQUEST', 'no local SDP to modify');
    return this.modify(withDirection(this.localSdp, on ? 'sendonly' : 'sendrecv'));
  }

  /**
   * Transfer (RFC 3515): REFER the peer to `target`; with `replaces` (another dialog of ours) it is an attended
   * transfer and the Refer-To carries a Replaces header for that dialog (RFC 3891 §7). Resolves with the 202.
   */
  refer(target: string, replaces?: Dialog): Promise<SipResponse> {
    const uri = parseSipUri(target);
    const rep = replaces
      ? { callId: replaces.callId, toTag: replaces.remoteTag, fromTag: replaces.localTag, earlyOnly: false }
      : undefined;
    return this.request('REFER', { headers: { 'Refer-To': formatReferTo(uri, rep), 'Referred-By': formatNameAddr({ ...this.localParty, params: new Map() }) } });
  }

  /**
   * Reports the progress of a REFER we accepted (RFC 3515 §2.4.5): a NOTIFY with a message/sipfrag status line;
   * a final status (>= 200) terminates the implicit subscription.
   */
  notifyReferProgress(status: number, reason = REASONS[status] ?? ''): Promise<SipResponse> {
    return this.request('NOTIFY', {
      headers: {
        Event: 'refer',
        'Subscription-State': status >= 200 ? 'terminated;reason=noresource' : 'active;expires=60',
      },
      body: `SIP/2.0 ${status} ${reason}\r\n`,
      contentType: 'message/sipfrag;version=2.0',
      noThrow: true,
    });
  }

  /** BYE and terminate (§15.1.1). */
  async destroy(opts: ReplyOptions = {}): Promise<void> {
    if (this.state === 'terminated') return;
    const req = this.buildRequest('BYE', opts);
    this.terminate('local');
    try {
      await this.exchange(req);
    } catch {
      /* the dialog is gone whatever the peer says (§15.1.1) */
    }
  }

  /** Handles a request the UA matched to this dialog; `tx` is undefined for the ACK of a 2xx. */
  handleRequest(req: SipRequest, tx: ServerTransaction | undefined): void {
    if (req.method === 'ACK') {
      if (this.ackWait && req.cseq.seq === this.ackWait.cseq) {
        const w = this.ackWait;
        this.ackWait = undefined;
        if (req.body.length && !this.remoteSdp) this.remoteSdp = req.bodyText;
        w.done(true);
        this.emit('ack', req);
      }
      return;
    }
    if (!tx) return;
    const seq = req.cseq.seq;
    // §12.2.2: a lower CSeq than the last one is out of order: 500.
    if (this.remoteCSeq !== undefined && seq <= this.remoteCSeq && req.method !== 'CANCEL') {
      tx.respond(tx.response(500, 'Out of Order'));
      return;
    }
    this.remoteCSeq = seq;
    switch (req.method) {
      case 'BYE':
        tx.respond(tx.response(200));
        this.terminate('remote', req);
        return;
      case 'INVITE':
      case 'UPDATE':
        return this.handleModify(req, tx);
      case 'INFO':
      case 'REFER':
      case 'NOTIFY': {
        const event = req.method.toLowerCase() as 'info' | 'refer' | 'notify';
        const res = new Responder(tx);
        if (!this.emit(event, req, res)) res.send(req.method === 'REFER' ? 603 : 200);
        return;
      }
      case 'OPTIONS':
        tx.respond(applyReply(tx.response(200), { headers: { Allow: this.ctx.allow } }));
        return;
      default:
        tx.respond(applyReply(tx.response(501), { headers: { Allow: this.ctx.allow } }));
    }
  }

  private handleModify(req: SipRequest, tx: ServerTransaction): void {
    // RFC 3261 §14.2: a re-INVITE while ours is pending gets 491.
    if (req.method === 'INVITE' && (this.pendingInvite || this.ackWait)) {
      tx.respond(tx.response(491));
      return;
    }
    const contact = req.contacts[0];
    if (contact) this.remoteTarget = formatUriOf(contact);
    const offer = req.body.length ? req.bodyText : undefined;
    if (offer) this.remoteSdp = offer;
    this.touchSessionTimer(req);
    const res = new Responder(tx, (status, opts) => {
      const out = applyReply(tx.response(status, undefined, this.localTag), opts);
      if (status >= 200 && status < 300) {
        out.set('Contact', this.ctx.contact(this.protocol));
        if (opts.body !== undefined) this.localSdp = out.bodyText;
        this.addSessionTimerHeaders(out);
      }
      if (req.method === 'INVITE' && status >= 200 && status < 300) this.send2xx(tx, out, seqOf(req));
      else tx.respond(out);
    });
    if (this.emit('modify', req, res)) return;
    // Default answer: the current local SDP with the direction RFC 3264 §6.1 asks for (hold → recvonly).
    if (offer && this.localSdp) {
      this.localSdp = withDirection(this.localSdp, answerDirection(sdpDirection(offer), 'sendrecv'));
      res.send(200, { body: this.localSdp });
    } else if (this.localSdp && req.method === 'INVITE') res.send(200, { body: this.localSdp });
    else res.send(200);
  }

  /**
   * Sends a 2xx to an INVITE and retransmits it (T1 doubling to T2) until the ACK arrives (§13.3.1.4); without
   * an ACK after 64*T1 the dialog sends BYE.
   */
  send2xx(tx: ServerTransaction, res: SipResponse, cseq: number): Promise<boolean> {
    const { clock, timers } = this.ctx.transactions;
    const reliable = this.ctx.transactions.lower.isReliable(tx.request.source?.transport ?? 'UDP');
    tx.respond(res);
    return new Promise((resolve) => {
      let interval = timers.T1;
      let handle: unknown;
      const giveUp = clock.setTimeout(() => {
        if (this.ackWait?.cseq !== cseq) return;
        this.ackWait = undefined;
        if (handle !== undefined) clock.clearTimeout(handle);
        resolve(false);
        void this.destroyAfterNoAck();
      }, 64 * timers.T1);
      const tick = (): void => {
        if (this.ackWait?.cseq !== cseq) return;
        tx.respond(res);
        interval = Math.min(interval * 2, timers.T2);
        handle = clock.setTimeout(tick, interval);
      };
      this.ackWait = {
        cseq,
        done: (ok) => {
          clock.clearTimeout(giveUp);
          if (handle !== undefined) clock.clearTimeout(handle);
          resolve(ok);
        },
      };
      if (!reliable) handle = clock.setTimeout(tick, interval);
    });
  }

  private async destroyAfterNoAck(): Promise<void> {
    if (this.state === 'terminated') return;
    const req = this.buildRequest('BYE');
    this.terminate('no-ack');
    await this.exchange(req).catch(() => {});
  }

  /** Session timer (RFC 4028 §10): refresh at half the interval when we refresh, else expire and BYE. */
  startSessionTimer(interval: number, refresher: 'local' | 'remote'): void {
    this.session.start(interval, refresher);
  }

  get sessionExpires(): { interval: number; refresher: 'local' | 'remote' } | undefined {
    return this.session.interval ? { interval: this.session.interval, refresher: this.session.refresher } : undefined;
  }

  private async expireSession(): Promise<void> {
    if (this.state === 'terminated') return;
    const req = this.buildRequest('BYE', { headers: { Reason: 'SIP;cause=408;text="Session expired"' } });
    this.terminate('session-expired');
    await this.exchange(req).catch(() => {});
  }

  private touchSessionTimer(req: SipRequest): void {
    this.session.touch(req);
  }

  addSessionTimerHeaders(res: SipResponse): void {
    this.session.addHeaders(res, this.role);
  }

  /** Ends the dialog locally without sending anything. */
  terminate(reason: DestroyReason, request?: SipRequest): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.session.stop();
    if (this.ackWait) {
      const w = this.ackWait;
      this.ackWait = undefined;
      w.done(false);
    }
    this.ctx.dialogEnded(this);
    this.emit('destroy', request ? { reason, request } : { reason });
  }
}

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

function formatUriOf(na: NameAddr): string {
  return formatNameAddr({ displayName: undefined, uri: na.uri, params: new Map() }).slice(1, -1);
}

function seqOf(req: SipRequest): number {
  return req.cseq.seq;
}
