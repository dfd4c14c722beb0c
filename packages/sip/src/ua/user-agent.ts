// The user agent (RFC 3261 §8, §12-§13): dispatches requests to dialogs or the application, builds UAS and UAC
// dialogs, answers OPTIONS, sheds load with 503 + Retry-After, and keeps registrations alive.
import type { Credentials } from '../auth/digest.client.ts';
import { Dialog, dialogId, type DialogContext } from '../dialog/dialog.ts';
import { SipError } from '../dialog/errors.ts';
import { parseReplaces } from '../dialog/replaces.ts';
import { applyReply, type ReplyOptions } from '../dialog/responder.ts';
import { newTag } from '../message/builders.ts';
import { formatNameAddr } from '../message/headers.ts';
import type { SipRequest, TransportName } from '../message/message.ts';
import { KNOWN_METHODS } from '../message/validate.ts';
import type { ServerTransaction } from '../transaction/server.transaction.ts';
import type { Clock, TimerConfig } from '../transaction/timers.ts';
import { TransactionLayer } from '../transaction/transaction-layer.ts';
import { TransportLayer } from '../transport/transport-layer.ts';
import type { Transport } from '../transport/transport.ts';
import { Emitter } from '../util/emitter.ts';
import { IncomingInvite, IncomingRequest } from './incoming.ts';
import { ReliableProvisionals } from './prack.ts';
import { inviteAsUac, type UacOptions } from './uac.ts';
import { Registration, type RegistrationOptions } from './registration.ts';

export interface OverloadOptions {
  /** Shed new INVITEs while this many INVITEs still wait for the application's final answer (default 2000). */
  maxPendingInvites?: number;
  /** Shed new INVITEs when more server transactions than this exist, absorbing states included (default 200,000). */
  maxServerTransactions?: number;
  /** Extra test, e.g. event-loop lag above a threshold. */
  isOverloaded?: () => boolean;
  /** Retry-After seconds in the 503 (RFC 3261 §21.5.4). */
  retryAfter?: number;
}

export interface UserAgentOptions {
  /** User-Agent / Server header value. */
  name?: string;
  timers?: Partial<TimerConfig>;
  clock?: Clock;
  forceRport?: boolean;
  resolve?: (host: string) => Promise<string>;
  overload?: OverloadOptions;
  /** Default credentials for answering 401/407 on requests this UA sends. */
  credentials?: Credentials;
  /** User part of our Contact (default "kefu"). */
  contactUser?: string;
  /** Session-Expires floor (RFC 4028 §5, Min-SE; default 90). */
  minSessionExpires?: number;
}

export interface UasOptions extends ReplyOptions {
  localSdp?: string;
  /** Answer with this status (default 200). */
  status?: number;
}

export interface UserAgentEvents extends Record<string, unknown[]> {
  invite: [IncomingInvite];
  register: [IncomingRequest];
  /** Other out-of-dialog requests (MESSAGE, SUBSCRIBE, NOTIFY, INFO, PUBLISH, REFER). */
  request: [IncomingRequest];
  dialog: [Dialog];
}

export const SUPPORTED = ['100rel', 'timer', 'replaces', 'norefersub'];
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, PRACK, MESSAGE, REGISTER, SUBSCRIBE';

export class UserAgent extends Emitter<UserAgentEvents> {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly name: string;
  private readonly dialogs = new Map<string, Dialog>();
  private readonly prack: ReliableProvisionals;
  private readonly ctx: DialogContext;
  private readonly registrations = new Set<Registration>();

  constructor(
    transports: Transport[],
    readonly opts: UserAgentOptions = {},
  ) {
    super();
    this.name = opts.name ?? 'kefu-sip';
    this.transport = new TransportLayer({
      ...(opts.forceRport !== undefined ? { forceRport: opts.forceRport } : {}),
      ...(opts.resolve ? { resolve: opts.resolve } : {}),
    });
    for (const t of transports) this.transport.add(t);
    this.transactions = new TransactionLayer(this.transport, {
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.prack = new ReliableProvisionals(this.transactions.clock, this.transactions.timers);
    this.ctx = {
      transactions: this.transactions,
      contact: (p) => this.contact(p),
      allow: ALLOW,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      dialogEnded: (d) => this.dialogs.delete(d.id),
    };
    this.transactions.onRequest((req, tx) => this.dispatch(req, tx));
  }

  /** Our Contact for a transport (RFC 3261 §8.1.1.8), with transport= for anything but UDP. */
  contact(protocol: TransportName = 'UDP'): string {
    const e = this.transport.entryFor(protocol) ?? this.transport.transports[0];
    if (!e) return '<sip:invalid.invalid>';
    const tp = e.transport.protocol === 'UDP' ? '' : `;transport=${e.transport.protocol.toLowerCase()}`;
    return `<sip:${this.opts.contactUser ?? 'kefu'}@${e.advertise.host}:${e.advertise.port}${tp}>`;
  }

  get dialogCount(): number {
    return this.dialogs.size;
  }

  findDialog(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.dialogs.get(dialogId(callId, localTag, remoteTag));
  }

  private pendingInvites = 0;

  private overloaded(): boolean {
    const o = this.opts.overload ?? {};
    return (
      this.pendingInvites >= (o.maxPendingInvites ?? 2000) ||
      this.transactions.serverCount > (o.maxServerTransactions ?? 200_000) ||
      (o.isOverloaded?.() ?? false)
    );
  }

  private reply(tx: ServerTransaction, status: number, opts: ReplyOptions = {}): void {
    tx.respond(applyReply(tx.response(status, undefined, status > 100 ? newTag() : undefined), opts));
  }

  private dispatch(req: SipRequest, tx: ServerTransaction | undefined): void {
    const toTag = req.toTag;
    if (toTag !== undefined) {
      const d = this.dialogs.get(dialogId(req.callId, toTag, req.fromTag ?? ''));
      if (d) return d.handleRequest(req, tx);
      if (!tx) return;
      if (req.method === 'PRACK' && this.prack.handlePrack(req, tx)) return;
      return this.reply(tx, 481);
    }
    if (!tx) return; // an ACK that matches nothing
    if (!KNOWN_METHODS.has(req.method)) return this.reply(tx, 501, { headers: { Allow: ALLOW } });
    // RFC 3261 §8.2.2.3: unknown extensions in Require get 420 with Unsupported.
    const unsupported = req.getAll('Require').filter((t) => t && !SUPPORTED.includes(t.toLowerCase()));
    if (unsupported.length) return this.reply(tx, 420, { headers: { Unsupported: unsupported.join(', ') } });
    switch (req.method) {
      case 'OPTIONS':
        return this.reply(tx, 200, {
          headers: { Allow: ALLOW, Accept: 'application/sdp', Supported: SUPPORTED.join(', '), Server: this.name },
        });
      case 'INVITE':
        return this.dispatchInvite(req, tx);
      case 'REGISTER': {
        const inc = new IncomingRequest(req, tx);
        if (!this.emit('register', inc)) this.reply(tx, 405, { headers: { Allow: ALLOW } });
        return;
      }
      case 'BYE':
      case 'PRACK':
      case 'UPDATE':
        return this.reply(tx, 481);
      default: {
        const inc = new IncomingRequest(req, tx);
        if (!this.emit('request', inc)) this.reply(tx, 405, { headers: { Allow: ALLOW } });
      }
    }
  }

  private dispatchInvite(req: SipRequest, tx: ServerTransaction): void {
    if (this.overloaded()) {
      // Shed load before doing any work (RFC 3261 §21.5.4): the caller retries elsewhere or later.
      return this.reply(tx, 503, { headers: { 'Retry-After': this.opts.overload?.retryAfter ?? 5 } });
    }
    const ct = req.contentType;
    if (req.body.length && ct !== 'application/sdp' && ct !== 'multipart/mixed') {
      return this.reply(tx, 415, { headers: { Accept: 'application/sdp' } }); // §21.4.13
    }
    const accept = req.getAll('Accept').map((a) => a.split(';')[0]!.trim().toLowerCase());
    if (accept.length && !accept.some((a) => a === 'application/sdp' || a === '*/*' || a === 'application/*')) {
      return this.reply(tx, 406, { headers: { Accept: 'application/sdp' } }); // RFC 4475 §3.3.15
    }
    const se = req.get('Session-Expires');
    const minSe = this.opts.minSessionExpires ?? 90;
    if (se !== undefined && parseInt(se, 10) < minSe) return this.reply(tx, 422, { headers: { 'Min-SE': minSe } });
    const inv = new IncomingInvite(req, tx);
    const rep = req.get('Replaces');
    if (rep !== undefined) {
      try {
        const r = parseReplaces(rep);
        inv.replaces = this.dialogs.get(dialogId(r.callId, r.toTag, r.fromTag)) ?? this.dialogs.get(dialogId(r.callId, r.fromTag, r.toTag));
      } catch {
        return this.reply(tx, 400);
      }
      if (!inv.replaces) return this.reply(tx, 481); // RFC 3891 §3
    }
    this.pendingInvites++;
    let counted = true;
    const done = (): void => {
      if (counted) this.pendingInvites--;
      counted = false;
    };
    tx.once('final', done);
    tx.once('terminated', done);
    tx.on('cancel', () => {
      if (!inv.answered) inv.reply(487);
      inv.markCancelled();
    });
    tx.on('terminated', () => this.prack.forget(req.callId, inv.localTag));
    if (!this.emit('invite', inv)) inv.reply(480);
  }

  /** Sends a provisional response; `reliable` uses 100rel when the caller supports it (RFC 3262). */
  async sendProvisional(inv: IncomingInvite, status: number, opts: ReplyOptions & { reliable?: boolean } = {}): Promise<boolean> {
    if (opts.reliable && ReliableProvisionals.allowed(inv.request)) {
      return this.prack.send(inv, status, opts, this.contact(inv.request.source?.transport));
    }
    inv.tx.respond(applyReply(inv.tx.response(status, undefined, inv.localTag), opts));
    return true;
  }

  /**
   * Answers an INVITE with 2xx and resolves with the confirmed dialog once the ACK arrives (§13.3.1.4).
   * Session timers (RFC 4028) are honoured when the INVITE asks for them.
   */
  async createUAS(inv: IncomingInvite, opts: UasOptions = {}): Promise<Dialog> {
    if (inv.cancelled) throw new SipError('CANCELLED', 'the INVITE was cancelled');
    const req = inv.request;
    const from = req.from;
    const to = req.to;
    const contact = req.contacts[0];
    const dialog = new Dialog(this.ctx, {
      role: 'uas',
      callId: req.callId,
      localTag: inv.localTag,
      remoteTag: from.params.get('tag') ?? '',
      localParty: { ...to, params: new Map() },
      remoteParty: { ...from, params: new Map() },
      remoteTarget: contact ? formatNameAddr({ displayName: undefined, uri: contact.uri, params: new Map() }).slice(1, -1) : req.uri,
      routeSet: req.getAll('Record-Route'),
      localCSeq: Math.floor(Math.random() * 10000),
      remoteCSeq: req.cseq.seq,
      flow: req.source
        ? { transport: req.source.transport, address: req.source.address, port: req.source.port, ...(req.source.connectionId ? { connectionId: req.source.connectionId } : {}) }
        : undefined,
      localSdp: opts.localSdp,
      remoteSdp: req.body.length ? req.bodyText : undefined,
      invite: req,
    });
    const se = req.get('Session-Expires');
    if (se !== undefined) {
      const interval = parseInt(se, 10);
      const asked = /refresher\s*=\s*(uac|uas)/i.exec(se)?.[1]?.toLowerCase();
      const refresher = asked ?? (req.optionTags('Supported').includes('timer') ? 'uac' : 'uas');
      if (interval > 0) dialog.startSessionTimer(interval, refresher === 'uas' ? 'local' : 'remote');
    }
    const res = applyReply(inv.tx.response(opts.status ?? 200, undefined, inv.localTag), {
      ...opts,
      ...(opts.localSdp !== undefined ? { body: opts.localSdp } : {}),
    });
    for (const rr of req.getAll('Record-Route')) res.append('Record-Route', rr); // §12.1.1
    res.set('Contact', this.contact(req.source?.transport));
    res.set('Allow', ALLOW);
    res.set('Supported', SUPPORTED.join(', '));
    dialog.addSessionTimerHeaders(res);
    if (se !== undefined && !req.optionTags('Supported').includes('timer')) res.remove('Require');
    inv.answered = true;
    this.dialogs.set(dialog.id, dialog);
    const acked = await dialog.send2xx(inv.tx, res, req.cseq.seq);
    if (!acked) throw new SipError('NO_ACK', 'no ACK for the 2xx');
    this.emit('dialog', dialog);
    return dialog;
  }

  /** Places a call: INVITE, digest retry, ACK; resolves with the confirmed dialog (RFC 3261 §13.2). */
  async createUAC(uri: string, opts: UacOptions = {}): Promise<Dialog> {
    const dialog = await inviteAsUac(
      {
        ctx: this.ctx,
        contact: (p) => this.contact(p),
        name: this.name,
        ...(this.opts.credentials ? { credentials: this.opts.credentials } : {}),
        addDialog: (d) => this.dialogs.set(d.id, d),
        advertise: () => this.transport.transports[0]?.advertise ?? { host: '127.0.0.1', port: 5060 },
      },
      uri,
      opts,
    );
    this.emit('dialog', dialog);
    return dialog;
  }

  /** Registers with a registrar and refreshes the binding before it expires (RFC 3261 §10.2). */
  register(opts: RegistrationOptions): Registration {
    const reg = new Registration(this.transactions, (p) => this.contact(p), opts);
    this.registrations.add(reg);
    reg.on('stopped', () => this.registrations.delete(reg));
    reg.start();
    return reg;
  }

  /** Ends every dialog (BYE), unregisters, and closes the transports. */
  async close(graceMs = 1000): Promise<void> {
    const pending = Promise.allSettled([
      ...[...this.registrations].map((r) => r.stop()),
      ...[...this.dialogs.values()].map((d) => d.destroy()),
    ]);
    // Wait for the peers' answers for a moment (on the real clock: a fake one may never move), then cut.
    await Promise.race([pending, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.transactions.close();
    await pending;
    await this.transport.close();
  }
}
