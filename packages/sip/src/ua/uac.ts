// Placing a call as UAC (RFC 3261 §13.2): INVITE, provisional responses, digest retry (§22.2), ACK for 2xx
// (§13.2.2.4), CANCEL through an AbortSignal (§9.1), and ACK+BYE for extra 2xx from forks (§13.2.2.4).
import { answerChallenge, type Credentials } from '../auth/digest.client.ts';
import { Dialog, type DialogContext } from '../dialog/dialog.ts';
import { SipError } from '../dialog/errors.ts';
import { applyReply, type ReplyOptions } from '../dialog/responder.ts';
import { newCallId, newTag } from '../message/builders.ts';
import { formatNameAddr, parseNameAddr } from '../message/headers.ts';
import { SipRequest, type SipResponse, type TransportName } from '../message/message.ts';
import type { ClientTransaction } from '../transaction/client.transaction.ts';
import type { Destination } from '../transport/transport.ts';

export interface UacOptions extends ReplyOptions {
  localSdp?: string;
  /** From URI or name-addr (default sip:kefu@<our address>). */
  from?: string;
  /** To URI or name-addr (default the Request-URI). */
  to?: string;
  credentials?: Credentials;
  /** Send to this next hop instead of resolving the Request-URI (outbound proxy, trunk address). */
  dest?: Destination;
  onProvisional?: (res: SipResponse) => void;
  /** Aborting sends CANCEL; the promise then rejects with SipError CANCELLED. */
  signal?: AbortSignal;
  /** Ask for a session timer (RFC 4028), in seconds. */
  sessionExpires?: number;
}

export interface UacHost {
  ctx: DialogContext;
  contact(protocol: TransportName): string;
  name: string;
  credentials?: Credentials;
  addDialog(d: Dialog): void;
  advertise(): { host: string; port: number };
}

function asNameAddr(s: string): string {
  return s.includes('<') ? s : `<${s}>`;
}

export async function inviteAsUac(host: UacHost, uri: string, opts: UacOptions): Promise<Dialog> {
  const callId = newCallId();
  const fromTag = newTag();
  const adv = host.advertise();
  const from = asNameAddr(opts.from ?? `sip:kefu@${adv.host}:${adv.port}`);
  const to = asNameAddr(opts.to ?? uri);
  let cseq = 1;
  const protocol: TransportName = opts.dest?.transport ?? (/;transport=(tcp|tls|ws|wss)/i.exec(uri)?.[1]?.toUpperCase() as TransportName | undefined) ?? 'UDP';
  const build = (): SipRequest => {
    const req = new SipRequest('INVITE', uri);
    req.append('Max-Forwards', 70);
    req.append('From', `${from};tag=${fromTag}`);
    req.append('To', to);
    req.append('Call-ID', callId);
    req.append('CSeq', `${cseq++} INVITE`);
    req.append('Contact', host.contact(protocol));
    req.append('Allow', host.ctx.allow);
    req.append('Supported', 'timer, replaces');
    req.append('User-Agent', host.name);
    if (opts.sessionExpires) req.append('Session-Expires', `${opts.sessionExpires};refresher=uac`);
    const { localSdp, body, ...rest } = opts;
    applyReply(req as unknown as SipResponse, { ...rest, ...(localSdp !== undefined ? { body: localSdp } : body !== undefined ? { body } : {}) });
    return req;
  };
  const creds = opts.credentials ?? host.credentials;
  let req = build();
  let outcome = await runInvite(host, req, opts);
  if ('response' in outcome && (outcome.response.status === 401 || outcome.response.status === 407) && creds) {
    const retry = build();
    if (answerChallenge(retry, outcome.response, creds)) {
      req = retry;
      outcome = await runInvite(host, req, opts);
    }
  }
  if ('dialog' in outcome) return outcome.dialog;
  const res = outcome.response;
  if (res.status === 487 && opts.signal?.aborted) throw new SipError('CANCELLED', 'call cancelled', 487, res);
  throw new SipError('REJECTED', `INVITE failed: ${res.status} ${res.reason}`, res.status, res);
}

type Outcome = { dialog: Dialog } | { response: SipResponse };

async function runInvite(host: UacHost, req: SipRequest, opts: UacOptions): Promise<Outcome> {
  const tx: ClientTransaction = await host.ctx.transactions.request(req, opts.dest);
  return new Promise((resolve, reject) => {
    let dialog: Dialog | undefined;
    const onAbort = (): void => void host.ctx.transactions.cancel(tx);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    tx.on('response', (res) => {
      if (res.status < 200) return opts.onProvisional?.(res);
      opts.signal?.removeEventListener('abort', onAbort);
      if (res.status >= 300) return resolve({ response: res });
      const tag = res.toTag ?? '';
      if (!dialog) {
        dialog = makeDialog(host, req, res, tx.dest);
        host.addDialog(dialog);
        dialog.sendAck(req.cseq.seq, req);
        resolve({ dialog });
      } else if (dialog.remoteTag === tag) {
        dialog.sendAck(req.cseq.seq, req); // a retransmitted 2xx
      } else {
        const extra = makeDialog(host, req, res, tx.dest); // a second fork answered: ACK, then BYE
        extra.sendAck(req.cseq.seq, req);
        void extra.destroy();
      }
    });
    tx.on('error', (e) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    tx.on('terminated', () => reject(new SipError('DIALOG_TERMINATED', 'INVITE ended without a final response')));
  });
}

/** The UAC's view of the dialog (§12.1.2): route set = Record-Route reversed, remote target = Contact. */
function makeDialog(host: UacHost, req: SipRequest, res: SipResponse, flow: Destination): Dialog {
  const contact = res.contacts[0];
  const fromNa = parseNameAddr(req.get('From')!, 'From');
  const toNa = res.to;
  return new Dialog(host.ctx, {
    role: 'uac',
    callId: req.callId,
    localTag: fromNa.params.get('tag') ?? '',
    remoteTag: toNa.params.get('tag') ?? '',
    localParty: { ...fromNa, params: new Map() },
    remoteParty: { ...toNa, params: new Map() },
    remoteTarget: contact ? formatNameAddr({ displayName: undefined, uri: contact.uri, params: new Map() }).slice(1, -1) : req.uri,
    routeSet: res.getAll('Record-Route').reverse(),
    localCSeq: req.cseq.seq,
    remoteCSeq: undefined,
    flow,
    localSdp: req.body.length ? req.bodyText : undefined,
    remoteSdp: res.body.length ? res.bodyText : undefined,
    invite: req,
  });
}
