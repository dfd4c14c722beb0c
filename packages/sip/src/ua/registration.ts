// Registering with a registrar or trunk provider (RFC 3261 §10.2) and keeping the binding alive: refresh before
// expiry, digest retry, 423 Interval Too Brief, and retry with backoff after failures.
import { answerChallenge, type Credentials } from '../auth/digest.client.ts';
import { newCallId, newTag } from '../message/builders.ts';
import { SipRequest, type SipResponse, type TransportName } from '../message/message.ts';
import type { TransactionLayer } from '../transaction/transaction-layer.ts';
import type { Destination } from '../transport/transport.ts';
import { Emitter } from '../util/emitter.ts';

export interface RegistrationOptions {
  /** Registrar URI, e.g. sip:sip.provider.example (Request-URI of REGISTER). */
  registrar: string;
  /** Address of record (To and From), e.g. sip:1000@provider.example. */
  aor: string;
  credentials?: Credentials;
  /** Requested lifetime in seconds (default 3600). */
  expires?: number;
  dest?: Destination;
  /** Seconds to wait before retrying after a failure (default 30). */
  retryAfter?: number;
}

export interface RegistrationEvents extends Record<string, unknown[]> {
  registered: [{ expires: number; response: SipResponse }];
  failed: [{ status?: number; error?: Error }];
  unregistered: [];
  stopped: [];
}

export class Registration extends Emitter<RegistrationEvents> {
  readonly callId = newCallId();
  private readonly fromTag = newTag();
  private cseq = 0;
  private expires: number;
  private timer: unknown;
  private stopped = false;
  registered = false;

  constructor(
    private readonly tx: TransactionLayer,
    private readonly contact: (p: TransportName) => string,
    private readonly opts: RegistrationOptions,
  ) {
    super();
    this.expires = opts.expires ?? 3600;
  }

  start(): void {
    void this.refresh();
  }

  private build(expires: number): SipRequest {
    const protocol = this.opts.dest?.transport ?? 'UDP';
    const req = new SipRequest('REGISTER', this.opts.registrar);
    req.append('Max-Forwards', 70);
    req.append('From', `<${this.opts.aor}>;tag=${this.fromTag}`);
    req.append('To', `<${this.opts.aor}>`);
    req.append('Call-ID', this.callId); // §10.2: the same Call-ID for every refresh
    req.append('CSeq', `${++this.cseq} REGISTER`);
    req.append('Contact', this.contact(protocol));
    req.append('Expires', expires);
    return req;
  }

  private async send(expires: number): Promise<SipResponse> {
    let req = this.build(expires);
    let res = await this.exchange(req);
    if (res.status === 423) {
      const min = Number(res.get('Min-Expires') ?? 0);
      if (min > 0) {
        this.expires = min;
        expires = expires === 0 ? 0 : min;
        req = this.build(expires);
        res = await this.exchange(req);
      }
    }
    if ((res.status === 401 || res.status === 407) && this.opts.credentials) {
      const retry = this.build(expires);
      if (answerChallenge(retry, res, this.opts.credentials)) res = await this.exchange(retry);
    }
    return res;
  }

  private async exchange(req: SipRequest): Promise<SipResponse> {
    const ctx = await this.tx.request(req, this.opts.dest);
    return new Promise((resolve, reject) => {
      ctx.on('response', (r) => {
        if (r.status >= 200) resolve(r);
      });
      ctx.on('error', reject);
      ctx.on('terminated', () => reject(new Error('REGISTER ended without a final response')));
    });
  }

  private schedule(seconds: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.tx.clock.clearTimeout(this.timer);
    this.timer = this.tx.clock.setTimeout(() => void this.refresh(), seconds * 1000);
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await this.send(this.expires);
      if (res.status >= 200 && res.status < 300) {
        const granted = grantedExpires(res, this.expires);
        this.registered = true;
        this.emit('registered', { expires: granted, response: res });
        // Refresh well before expiry: at half the lifetime, at least 5 s ahead.
        this.schedule(Math.max(1, Math.min(granted / 2, granted - 5)));
      } else {
        this.registered = false;
        this.emit('failed', { status: res.status });
        this.schedule(Number(res.get('Retry-After') ?? this.opts.retryAfter ?? 30));
      }
    } catch (e) {
      this.registered = false;
      this.emit('failed', { error: e as Error });
      this.schedule(this.opts.retryAfter ?? 30);
    }
  }

  /** Removes the binding (Expires: 0) and stops refreshing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.tx.clock.clearTimeout(this.timer);
    if (this.registered) {
      try {
        await this.send(0);
      } catch {
        /* best effort */
      }
      this.registered = false;
      this.emit('unregistered');
    }
    this.emit('stopped');
  }
}

/** The lifetime the registrar granted: our Contact's expires param, else Expires, else what we asked for. */
function grantedExpires(res: SipResponse, asked: number): number {
  try {
    for (const c of res.contacts) {
      const e = c.params.get('expires');
      if (e) return Number(e);
    }
  } catch {
    /* fall through */
  }
  const e = res.get('Expires');
  return e !== undefined && /^\d+$/.test(e.trim()) ? Number(e) : asked;
}
