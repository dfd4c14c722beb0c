// A one-shot way for the application to answer a request (drachtio-style `res.send(status, opts)`).
import type { SipResponse } from '../message/message.ts';
import type { ServerTransaction } from '../transaction/server.transaction.ts';

export interface ReplyOptions {
  reason?: string;
  headers?: Record<string, string | number | string[]>;
  body?: string | Buffer;
  contentType?: string;
}

export function applyReply(res: SipResponse, opts: ReplyOptions = {}): SipResponse {
  if (opts.reason) res.reason = opts.reason;
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (Array.isArray(v)) for (const x of v) res.append(k, x);
    else res.set(k, v);
  }
  if (opts.body !== undefined) {
    res.body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
    res.set('Content-Type', opts.contentType ?? 'application/sdp');
  }
  return res;
}

export class Responder {
  sent = false;
  constructor(
    readonly tx: ServerTransaction,
    private readonly sendImpl: (status: number, opts: ReplyOptions) => void = (status, opts) =>
      tx.respond(applyReply(tx.response(status), opts)),
  ) {}

  /** Sends a response; only the first final response counts. */
  send(status: number, opts: ReplyOptions = {}): void {
    if (this.sent) return;
    if (status >= 200) this.sent = true;
    this.sendImpl(status, opts);
  }
}
