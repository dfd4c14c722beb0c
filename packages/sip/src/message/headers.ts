// Typed header values: name-addr (RFC 3261 §20.10, §25.1), Via (§20.42), CSeq (§20.16), digest (§25.1, RFC 7616).
import { parseError } from './errors.ts';
import { formatParams, isToken, parseParams, quote, readQuoted, splitOutside, parseUint, type Params } from './grammar.ts';
import { formatUri, parseUri, splitHostPort, type Uri } from './uri.ts';

/** Canonical names for compact forms (RFC 3261 §7.3.3, RFC 3515, RFC 4028, RFC 3265). */
const COMPACT: Record<string, string> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type', f: 'From',
  s: 'Subject', k: 'Supported', t: 'To', v: 'Via', r: 'Refer-To', b: 'Referred-By', o: 'Event',
  u: 'Allow-Events', x: 'Session-Expires',
};
const CANONICAL = new Map<string, string>(
  [
    'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events', 'Authentication-Info',
    'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition', 'Content-Encoding', 'Content-Language',
    'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Error-Info', 'Event', 'Expires', 'From', 'In-Reply-To',
    'Max-Forwards', 'Min-Expires', 'Min-SE', 'MIME-Version', 'Organization', 'Priority', 'Proxy-Authenticate',
    'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route', 'Refer-To', 'Referred-By', 'Replaces',
    'Reply-To', 'Require', 'Retry-After', 'Route', 'RSeq', 'Server', 'Session-Expires', 'Subject',
    'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning',
    'WWW-Authenticate',
  ].map((n) => [n.toLowerCase(), n]),
);

/** Canonical spelling of a header name; compact forms are expanded. */
const nameCache = new Map<string, string>();
export function canonicalName(name: string): string {
  const hit = nameCache.get(name);
  if (hit !== undefined) return hit;
  const lower = name.toLowerCase();
  const canon = COMPACT[lower] ?? CANONICAL.get(lower) ?? name;
  if (nameCache.size < 2048) nameCache.set(name, canon);
  return canon;
}

/** Header names compare case-insensitively (RFC 3261 §7.3.1); `canon` is already canonical. */
export function sameName(stored: string, canon: string): boolean {
  return stored === canon || (stored.length === canon.length && stored.toLowerCase() === canon.toLowerCase());
}

/** Headers whose values may be comma-separated lists (RFC 3261 §7.3.1). */
export const LIST_HEADERS = new Set([
  'Via', 'Contact', 'Route', 'Record-Route', 'Allow', 'Supported', 'Require', 'Proxy-Require', 'Unsupported',
  'Accept', 'Accept-Encoding', 'Accept-Language', 'Allow-Events', 'Content-Encoding', 'Content-Language',
]);
/** Headers that must appear at most once (RFC 3261 §20, table 2/3). */
export const SINGLE_HEADERS = new Set([
  'Call-ID', 'CSeq', 'From', 'To', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires',
]);

export interface NameAddr {
  displayName: string | undefined;
  uri: Uri;
  params: Params;
}

const DISPLAY_TOKENS_RE = /^[A-Za-z0-9\-.!%*_+`'~]+(?:[ \t]+[A-Za-z0-9\-.!%*_+`'~]+)*$/;

/** Parses `[display-name] <uri> *(;param)` or `addr-spec *(;param)` (RFC 3261 §20.10). */
export function parseNameAddr(value: string, header = 'name-addr'): NameAddr {
  const s = value.trim();
  let displayName: string | undefined;
  let i = 0;
  if (s.startsWith('"')) {
    const q = readQuoted(s, 0);
    displayName = q.text;
    i = q.end;
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] !== '<') throw parseError('HEADER', 'display name without <uri>', header);
  }
  const lt = s.indexOf('<', i);
  if (lt >= 0 && (displayName !== undefined || !/[;?]/.test(s.slice(0, lt)))) {
    const before = s.slice(i, lt).trim();
    if (displayName === undefined && before !== '') {
      if (!DISPLAY_TOKENS_RE.test(before)) throw parseError('HEADER', 'bad display name', header);
      displayName = before;
    }
    const gt = s.indexOf('>', lt);
    if (gt < 0) throw parseError('HEADER', 'missing >', header);
    const uri = parseUri(s.slice(lt + 1, gt));
    const tail = s.slice(gt + 1).trim();
    if (tail !== '' && !tail.startsWith(';')) throw parseError('HEADER', 'junk after >', header);
    return { displayName, uri, params: tail ? parseParams(tail.slice(1), header) : new Map() };
  }
  // addr-spec form: parameters after the URI belong to the header (RFC 3261 §20.10).
  const semi = s.indexOf(';');
  const uriText = (semi < 0 ? s : s.slice(0, semi)).trim();
  const uri = parseUri(uriText);
  return { displayName: undefined, uri, params: semi < 0 ? new Map() : parseParams(s.slice(semi + 1), header) };
}

export function formatNameAddr(na: NameAddr): string {
  const dn = na.displayName === undefined ? '' : `${quote(na.displayName)} `;
  return `${dn}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

export interface Via {
  protocol: string;
  transport: string;
  host: string;
  port: number | undefined;
  params: Params;
}

const VIA_RE = /^([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\S+?(?:\s*:\s*\d+)?)$/;

/** Parses one via-parm (RFC 3261 §20.42, §25.1), tolerating LWS around `/`, `:` and `;`. */
export function parseVia(value: string): Via {
  const parts = splitOutside(value.trim(), ';');
  const m = VIA_RE.exec(parts[0]!.trim());
  if (!m) throw parseError('HEADER', `bad Via "${value.slice(0, 80)}"`, 'Via');
  const hp = splitHostPort(m[4]!.replace(/\s+/g, ''));
  if (!hp) throw parseError('HEADER', 'bad Via sent-by', 'Via');
  const params = parts.length > 1 ? parseParams(parts.slice(1).join(';'), 'Via') : new Map<string, string | null>();
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && parseUint(rport, 65535) === undefined) {
    throw parseError('HEADER', 'bad rport', 'Via');
  }
  return { protocol: `${m[1]}/${m[2]}`, transport: m[3]!.toUpperCase(), host: hp.host, port: hp.port, params };
}

export function formatVia(v: Via): string {
  return `${v.protocol}/${v.transport} ${v.host}${v.port !== undefined ? `:${v.port}` : ''}${formatParams(v.params)}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** CSeq (RFC 3261 §20.16): the number is below 2**31. */
export function parseCSeq(value: string): CSeq {
  const m = /^\s*([0-9]+)\s+(\S+)\s*$/.exec(value);
  const seq = m ? parseUint(m[1]!, 2 ** 31 - 1) : undefined;
  if (!m || seq === undefined || !isToken(m[2]!)) throw parseError('HEADER', 'bad CSeq', 'CSeq');
  return { seq, method: m[2]! };
}

export interface DigestParams {
  scheme: string;
  params: Map<string, string>;
}

/** Parses a challenge or credentials (RFC 3261 §25.1 `challenge`, `credentials`; RFC 7616 §3). */
export function parseAuthHeader(value: string): DigestParams {
  const s = value.trim();
  const sp = s.search(/\s/);
  const scheme = sp < 0 ? s : s.slice(0, sp);
  if (!isToken(scheme)) throw parseError('HEADER', 'bad auth scheme', 'Authorization');
  const params = new Map<string, string>();
  if (sp >= 0) {
    for (const part of splitOutside(s.slice(sp + 1), ',')) {
      const p = part.trim();
      if (!p) continue;
      const eq = p.indexOf('=');
      if (eq < 0) throw parseError('HEADER', 'bad auth param', 'Authorization');
      const name = p.slice(0, eq).trim().toLowerCase();
      const raw = p.slice(eq + 1).trim();
      params.set(name, raw.startsWith('"') ? readQuoted(raw, 0).text : raw);
    }
  }
  return { scheme, params };
}

/** Which auth params are written unquoted (RFC 7616 §3.3, §3.4). */
const UNQUOTED = new Set(['algorithm', 'stale', 'nc', 'qop']);

export function formatAuthHeader(d: DigestParams, quoteQop = true): string {
  const parts: string[] = [];
  for (const [k, v] of d.params) {
    const unq = UNQUOTED.has(k) && !(k === 'qop' && quoteQop);
    parts.push(`${k}=${unq ? v : quote(v)}`);
  }
  return `${d.scheme} ${parts.join(', ')}`;
}
