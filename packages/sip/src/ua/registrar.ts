// A registrar (RFC 3261 §10.3) for the voice service: validates REGISTER, authenticates with a credential lookup,
// stores bindings (with the flow they came on, for NAT'd and WebSocket phones) and answers with the binding list.
import type { DigestAuthenticator } from '../auth/digest.server.ts';
import { formatNameAddr } from '../message/headers.ts';
import type { Source } from '../message/message.ts';
import { Emitter } from '../util/emitter.ts';
import type { IncomingRequest } from './incoming.ts';

export interface Binding {
  aor: string;
  contact: string;
  expiresAt: number;
  callId: string;
  cseq: number;
  source: Source | undefined;
  username: string | undefined;
}

export interface RegistrarOptions {
  /** When set, every REGISTER must authenticate (the authenticated user must own the AOR's user part). */
  auth?: DigestAuthenticator;
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
  now?: () => number;
}

export interface RegistrarEvents extends Record<string, unknown[]> {
  registered: [Binding];
  unregistered: [Binding];
}

export class Registrar extends Emitter<RegistrarEvents> {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly now: () => number;
  constructor(private readonly opts: RegistrarOptions = {}) {
    super();
    this.now = opts.now ?? Date.now;
  }

  /** Current (unexpired) bindings of an address of record (`sip:user@domain`). */
  lookup(aor: string): Binding[] {
    const now = this.now();
    const list = (this.bindings.get(aor) ?? []).filter((b) => b.expiresAt > now);
    if (list.length) this.bindings.set(aor, list);
    else this.bindings.delete(aor);
    return list;
  }

  /** Handles a REGISTER (use as `ua.on('register', (r) => registrar.handle(r))`). */
  async handle(inc: IncomingRequest): Promise<void> {
    const req = inc.request;
    const to = req.to;
    // §10.3 step 3, RFC 4475 §3.3.4: the To header must be a SIP or SIPS AOR.
    if (to.uri.kind !== 'sip') return inc.reply(400, { reason: 'To must be a SIP URI' });
    const aor = `${to.uri.scheme}:${to.uri.user ? `${to.uri.user}@` : ''}${to.uri.host}`;
    let username: string | undefined;
    if (this.opts.auth) {
      username = await inc.authenticate(this.opts.auth);
      if (username === undefined) return;
      if (to.uri.user !== undefined && to.uri.user !== username) return inc.reply(403);
    }
    const min = this.opts.minExpires ?? 60;
    const max = this.opts.maxExpires ?? 3600;
    let headerExpires: number | undefined;
    try {
      headerExpires = req.expires;
    } catch {
      return inc.reply(400);
    }
    if (req.contactStar) {
      // §10.3 step 6: "*" only with Expires: 0 and alone.
      if (headerExpires !== 0 || req.contacts.length) return inc.reply(400);
      for (const b of this.bindings.get(aor) ?? []) this.emit('unregistered', b);
      this.bindings.delete(aor);
      return inc.reply(200);
    }
    const now = this.now();
    const list = this.lookup(aor);
    for (const c of req.contacts) {
      const contact = formatNameAddr({ displayName: undefined, uri: c.uri, params: new Map() });
      const e = c.params.get('expires');
      let expires = e !== undefined && e !== null && /^\d+$/.test(e) ? Number(e) : (headerExpires ?? this.opts.defaultExpires ?? 3600);
      if (expires > 0 && expires < min) return inc.reply(423, { headers: { 'Min-Expires': min } });
      expires = Math.min(expires, max);
      const idx = list.findIndex((b) => b.contact === contact);
      const prev = idx >= 0 ? list[idx] : undefined;
      // §10.3 step 7: an older CSeq from the same Call-ID is out of order.
      if (prev && prev.callId === req.callId && prev.cseq >= req.cseq.seq) return inc.reply(500);
      if (expires === 0) {
        if (prev) {
          list.splice(idx, 1);
          this.emit('unregistered', prev);
        }
        continue;
      }
      const binding: Binding = {
        aor, contact, expiresAt: now + expires * 1000, callId: req.callId, cseq: req.cseq.seq, source: req.source, username,
      };
      if (prev) list[idx] = binding;
      else list.push(binding);
      this.emit('registered', binding);
    }
    if (list.length) this.bindings.set(aor, list);
    else this.bindings.delete(aor);
    const contacts = list.map((b) => `${b.contact};expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`);
    inc.reply(200, { headers: contacts.length ? { Contact: contacts } : {} });
  }
}

