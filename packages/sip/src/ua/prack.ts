// Reliable provisional responses as UAS (RFC 3262 §3): RSeq, retransmission until PRACK, 200 to the PRACK.
import type { SipRequest } from '../message/message.ts';
import type { ServerTransaction } from '../transaction/server.transaction.ts';
import type { Clock, Timers } from '../transaction/timers.ts';
import { applyReply, type ReplyOptions } from '../dialog/responder.ts';
import type { IncomingInvite } from './incoming.ts';

interface Pending {
  rseq: number;
  cseq: number;
  done: (ok: boolean) => void;
}

export class ReliableProvisionals {
  private readonly pending = new Map<string, Pending>();
  private readonly rseqs = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly timers: Timers,
  ) {}

  /** True when the INVITE allows 100rel (Supported or Require, RFC 3262 §3). */
  static allowed(req: SipRequest): boolean {
    return req.optionTags('Supported').includes('100rel') || req.optionTags('Require').includes('100rel');
  }

  private key(callId: string, tag: string): string {
    return `${callId}|${tag}`;
  }

  /** Sends a reliable provisional; resolves true when PRACKed, false after 64*T1 (the INVITE should then fail). */
  send(inv: IncomingInvite, status: number, opts: ReplyOptions, contact: string): Promise<boolean> {
    const key = this.key(inv.request.callId, inv.localTag);
    const rseq = (this.rseqs.get(key) ?? Math.floor(Math.random() * 1000)) + 1;
    this.rseqs.set(key, rseq);
    const res = applyReply(inv.tx.response(status, undefined, inv.localTag), opts);
    res.set('Require', '100rel');
    res.set('RSeq', rseq);
    res.set('Contact', contact);
    const tx: ServerTransaction = inv.tx;
    tx.respond(res);
    return new Promise((resolve) => {
      let interval = this.timers.T1;
      let handle: unknown;
      const tick = (): void => {
        if (this.pending.get(key)?.rseq !== rseq || tx.state !== 'proceeding') return;
        tx.respond(res);
        interval *= 2;
        handle = this.clock.setTimeout(tick, interval);
      };
      const giveUp = this.clock.setTimeout(() => finish(false), 64 * this.timers.T1);
      const finish = (ok: boolean): void => {
        this.clock.clearTimeout(giveUp);
        if (handle !== undefined) this.clock.clearTimeout(handle);
        if (this.pending.get(key)?.rseq === rseq) this.pending.delete(key);
        resolve(ok);
      };
      this.pending.set(key, { rseq, cseq: inv.request.cseq.seq, done: finish });
      handle = this.clock.setTimeout(tick, interval);
    });
  }

  /** Handles a PRACK (RFC 3262 §3): 200 if its RAck matches, 481 otherwise. Returns false if not ours. */
  handlePrack(req: SipRequest, tx: ServerTransaction): boolean {
    const key = this.key(req.callId, req.toTag ?? '');
    const p = this.pending.get(key);
    const rack = /^\s*(\d+)\s+(\d+)\s+(\S+)/.exec(req.get('RAck') ?? '');
    if (!p || !rack || Number(rack[1]) !== p.rseq || Number(rack[2]) !== p.cseq) {
      if (!this.rseqs.has(key)) return false;
      tx.respond(tx.response(481));
      return true;
    }
    tx.respond(tx.response(200));
    p.done(true);
    return true;
  }

  forget(callId: string, tag: string): void {
    this.rseqs.delete(this.key(callId, tag));
  }
}
