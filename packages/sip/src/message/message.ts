// SIP requests and responses (RFC 3261 §7) with ordered headers and typed, validating accessors.
import { parseError } from './errors.ts';
import { splitOutside, parseUint } from './grammar.ts';
import {
  canonicalName, sameName, LIST_HEADERS, parseCSeq, parseNameAddr, parseVia, formatVia, formatNameAddr,
  type CSeq, type NameAddr, type Via,
} from './headers.ts';
import { parseUri, type Uri } from './uri.ts';

export interface Header {
  name: string;
  value: string;
}

export type TransportName = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

/** Where a received message came from; set by the transport layer. */
export interface Source {
  transport: TransportName;
  address: string;
  port: number;
  /** Stream transports: the connection it arrived on, so that responses reuse it (RFC 3261 §18.2.2). */
  connectionId?: string;
  localAddress: string;
  localPort: number;
}

abstract class SipMessageBase {
  headers: Header[] = [];
  body: Buffer = Buffer.alloc(0);
  source?: Source;
  /**
   * Parsed values of the headers every layer reads (Via, From, To, CSeq, Call-ID), each with the header text it was
   * parsed from. The transport, transaction, dialog and UA layers each asked again and reparsed: From and To four
   * or five times per INVITE. A value is reused only while the header text is the same string, so changing a header
   * (set, remove, or writing `headers[i].value`) is seen at the next read. Treat the returned objects as read-only.
   */
  private parsed: Record<string, { raw: string; value: unknown }> | undefined;

  protected memo<T>(slot: string, raw: string, parse: (raw: string) => T): T {
    const cache = (this.parsed ??= {});
    const hit = cache[slot];
    if (hit !== undefined && hit.raw === raw) return hit.value as T;
    const value = parse(raw);
    cache[slot] = { raw, value };
    return value;
  }

  /** First value of a header (case-insensitive, compact forms accepted). */
  get(name: string): string | undefined {
    const n = canonicalName(name);
    for (const h of this.headers) if (sameName(h.name, n)) return h.value;
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** All values of a header; list headers are split at top-level commas (RFC 3261 §7.3.1). */
  getAll(name: string): string[] {
    const canon = canonicalName(name);
    const out: string[] = [];
    for (const h of this.headers) {
      if (!sameName(h.name, canon)) continue;
      if (LIST_HEADERS.has(canon)) for (const v of splitOutside(h.value, ',')) out.push(v.trim());
      else out.push(h.value);
    }
    return out;
  }

  /** Number of header lines with this name. */
  count(name: string): number {
    const n = canonicalName(name);
    let c = 0;
    for (const h of this.headers) if (sameName(h.name, n)) c++;
    return c;
  }

  set(name: string, value: string | number): this {
    this.remove(name);
    this.headers.push({ name: canonicalName(name), value: String(value) });
    return this;
  }

  append(name: string, value: string | number): this {
    this.headers.push({ name: canonicalName(name), value: String(value) });
    return this;
  }

  prepend(name: string, value: string | number): this {
    this.headers.unshift({ name: canonicalName(name), value: String(value) });
    return this;
  }

  remove(name: string): this {
    const n = canonicalName(name);
    this.headers = this.headers.filter((h) => !sameName(h.name, n));
    return this;
  }

  /** Every line of a header, as one string: the cache key of values parsed from all of them. */
  private lines(name: string): string {
    const n = canonicalName(name);
    let out = '';
    let first = true;
    for (const h of this.headers) {
      if (!sameName(h.name, n)) continue;
      out = first ? h.value : `${out}\n${h.value}`;
      first = false;
    }
    return out;
  }

  private required(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw parseError('MISSING_HEADER', `missing ${name}`, name);
    return v;
  }

  get callId(): string {
    return this.memo('callId', this.required('Call-ID'), (raw) => {
      const v = raw.trim();
      if (!v || /\s/.test(v)) throw parseError('HEADER', 'bad Call-ID', 'Call-ID');
      return v;
    });
  }

  get from(): NameAddr {
    return this.memo('from', this.required('From'), (raw) => parseNameAddr(raw, 'From'));
  }

  get to(): NameAddr {
    return this.memo('to', this.required('To'), (raw) => parseNameAddr(raw, 'To'));
  }

  get fromTag(): string | undefined {
    return this.from.params.get('tag') ?? undefined;
  }

  get toTag(): string | undefined {
    return this.to.params.get('tag') ?? undefined;
  }

  get cseq(): CSeq {
    return this.memo('cseq', this.required('CSeq'), parseCSeq);
  }

  get vias(): Via[] {
    return this.memo('vias', this.lines('Via'), () => this.getAll('Via').map(parseVia));
  }

  get topVia(): Via {
    const line = this.get('Via');
    if (line === undefined) throw parseError('MISSING_HEADER', 'missing Via', 'Via');
    return this.memo('topVia', line, (raw) => {
      const first = splitOutside(raw, ',')[0];
      if (first === undefined) throw parseError('MISSING_HEADER', 'missing Via', 'Via');
      return parseVia(first.trim());
    });
  }

  /** Contacts; `*` (RFC 3261 §10.2.2) is returned as an empty list with `contactStar` true. */
  get contacts(): NameAddr[] {
    return this.memo('contacts', this.lines('Contact'), () =>
      this.getAll('Contact').filter((v) => v !== '*').map((v) => parseNameAddr(v, 'Contact')),
    );
  }

  get contactStar(): boolean {
    return this.getAll('Contact').includes('*');
  }

  get recordRoutes(): NameAddr[] {
    return this.getAll('Record-Route').map((v) => parseNameAddr(v, 'Record-Route'));
  }

  get routes(): NameAddr[] {
    return this.getAll('Route').map((v) => parseNameAddr(v, 'Route'));
  }

  get maxForwards(): number | undefined {
    const v = this.get('Max-Forwards');
    if (v === undefined) return undefined;
    const n = parseUint(v.trim(), 255);
    if (n === undefined) throw parseError('HEADER', 'bad Max-Forwards', 'Max-Forwards');
    return n;
  }

  get expires(): number | undefined {
    const v = this.get('Expires');
    if (v === undefined) return undefined;
    const n = parseUint(v.trim(), 2 ** 32 - 1);
    if (n === undefined) throw parseError('HEADER', 'bad Expires', 'Expires');
    return n;
  }

  /** Media type without parameters, lower-case (RFC 3261 §20.15). */
  get contentType(): string | undefined {
    const v = this.get('Content-Type');
    return v === undefined ? undefined : v.split(';')[0]!.trim().toLowerCase();
  }

  /** Option tags of Require / Supported / Proxy-Require (RFC 3261 §20.32). */
  optionTags(name: 'Require' | 'Supported' | 'Proxy-Require' | 'Unsupported'): string[] {
    return this.getAll(name).map((t) => t.toLowerCase()).filter(Boolean);
  }

  get bodyText(): string {
    return this.body.toString('utf8');
  }

  setVias(vias: Via[]): this {
    this.remove('Via');
    for (const v of vias) this.append('Via', formatVia(v));
    return this;
  }

  setNameAddr(name: 'From' | 'To' | 'Contact', na: NameAddr): this {
    return this.set(name, formatNameAddr(na));
  }
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  constructor(
    public method: string,
    public uri: string,
    public version = 'SIP/2.0',
  ) {
    super();
  }

  get requestUri(): Uri {
    return this.memo('requestUri', this.uri, parseUri);
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  constructor(
    public status: number,
    public reason: string,
    public version = 'SIP/2.0',
  ) {
    super();
  }
}

export type SipMessage = SipRequest | SipResponse;

/** Default reason phrases (RFC 3261 §21 and extensions). */
export const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout', 410: 'Gone',
  413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme',
  420: 'Bad Extension', 421: 'Extension Required', 422: 'Session Interval Too Small', 423: 'Interval Too Brief',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected',
  483: 'Too Many Hops', 484: 'Address Incomplete', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};
