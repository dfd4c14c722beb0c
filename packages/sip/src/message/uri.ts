// SIP and SIPS URIs (RFC 3261 §19.1) with IPv6 references (RFC 5118 §4), and opaque absolute URIs.
import { parseError } from './errors.ts';
import { formatParams, parseParams, type Params } from './grammar.ts';

export interface SipUri {
  readonly kind: 'sip';
  scheme: 'sip' | 'sips';
  /** The user part as written (still %-escaped, RFC 3261 §19.1.2); never unescaped to raw bytes. */
  user: string | undefined;
  password: string | undefined;
  /** Host name, IPv4 literal, or IPv6 reference with its brackets (`[2001:db8::1]`). */
  host: string;
  port: number | undefined;
  params: Params;
  /** URI headers (`?name=value`), kept escaped; never turned into message headers by this stack. */
  headers: Map<string, string>;
}

export interface OpaqueUri {
  readonly kind: 'opaque';
  scheme: string;
  rest: string;
}

export type Uri = SipUri | OpaqueUri;

const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const USER_RE = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
const PASSWORD_RE = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/;
const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9\-.]*[A-Za-z0-9.])?$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/;
const URI_HEADER_RE = /^(?:[A-Za-z0-9\-_.!~*'()\[\]/?:+$]|%[0-9A-Fa-f]{2})*$/;
const MAX_URI_LENGTH = 8192;

/** True for a host that is an IP literal (never looked up in DNS). */
export function isIpLiteral(host: string): boolean {
  return IPV6_RE.test(host) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
}

export function isValidHost(host: string): boolean {
  if (IPV6_RE.test(host)) return host.includes(':');
  return HOSTNAME_RE.test(host);
}

/** Splits `host[:port]` where host may be an IPv6 reference (RFC 5118 §4.3, §4.4). */
export function splitHostPort(s: string): { host: string; port: number | undefined } | undefined {
  let host: string;
  let rest: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    host = s.slice(0, close + 1);
    rest = s.slice(close + 1);
  } else {
    const colon = s.indexOf(':');
    host = colon < 0 ? s : s.slice(0, colon);
    rest = colon < 0 ? '' : s.slice(colon);
  }
  if (!isValidHost(host)) return undefined;
  if (rest === '') return { host, port: undefined };
  if (!/^:[0-9]{1,5}$/.test(rest)) return undefined;
  const port = Number(rest.slice(1));
  if (port > 65535) return undefined;
  return { host, port };
}

/** Parses a URI. Throws SipParseError 'URI' when malformed and returns an OpaqueUri for other schemes. */
export function parseUri(s: string): Uri {
  if (s.length > MAX_URI_LENGTH) throw parseError('URI', 'URI too long');
  const colon = s.indexOf(':');
  const scheme = colon < 0 ? '' : s.slice(0, colon);
  if (!SCHEME_RE.test(scheme)) throw parseError('URI', `bad URI "${s.slice(0, 80)}"`);
  if (/[\s<>"]/.test(s)) throw parseError('URI', `bad character in URI "${s.slice(0, 80)}"`);
  const lower = scheme.toLowerCase();
  if (lower !== 'sip' && lower !== 'sips') return { kind: 'opaque', scheme: lower, rest: s.slice(colon + 1) };
  let rest = s.slice(colon + 1);
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pc = userinfo.indexOf(':');
    user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    password = pc < 0 ? undefined : userinfo.slice(pc + 1);
    if (!USER_RE.test(user) || (password !== undefined && !PASSWORD_RE.test(password))) {
      throw parseError('URI', `bad user part in "${s.slice(0, 80)}"`);
    }
  }
  const q = rest.indexOf('?');
  const headerPart = q < 0 ? undefined : rest.slice(q + 1);
  if (q >= 0) rest = rest.slice(0, q);
  const semi = rest.indexOf(';');
  const hostport = semi < 0 ? rest : rest.slice(0, semi);
  const hp = splitHostPort(hostport);
  if (!hp) throw parseError('URI', `bad host in "${s.slice(0, 80)}"`);
  const params = semi < 0 ? new Map<string, string | null>() : parseParams(rest.slice(semi + 1), 'uri');
  const headers = new Map<string, string>();
  if (headerPart !== undefined) {
    for (const h of headerPart.split('&')) {
      const eq = h.indexOf('=');
      const name = eq < 0 ? h : h.slice(0, eq);
      const value = eq < 0 ? '' : h.slice(eq + 1);
      if (!name || !URI_HEADER_RE.test(name) || !URI_HEADER_RE.test(value)) throw parseError('URI', 'bad URI header');
      headers.set(name, value);
    }
  }
  return { kind: 'sip', scheme: lower, user, password, host: hp.host, port: hp.port, params, headers };
}

/** Parses a URI that must be sip: or sips:. */
export function parseSipUri(s: string): SipUri {
  const u = parseUri(s);
  if (u.kind !== 'sip') throw parseError('URI_SCHEME', `unsupported URI scheme "${u.scheme}"`);
  return u;
}

export function formatUri(u: Uri): string {
  if (u.kind === 'opaque') return `${u.scheme}:${u.rest}`;
  let s = `${u.scheme}:`;
  if (u.user !== undefined) s += u.password !== undefined ? `${u.user}:${u.password}@` : `${u.user}@`;
  s += u.host;
  if (u.port !== undefined) s += `:${u.port}`;
  s += formatParams(u.params);
  if (u.headers.size > 0) s += `?${[...u.headers].map(([k, v]) => `${k}=${v}`).join('&')}`;
  return s;
}

export function sipUri(init: Partial<Omit<SipUri, 'kind'>> & { host: string }): SipUri {
  return {
    kind: 'sip',
    scheme: init.scheme ?? 'sip',
    user: init.user,
    password: init.password,
    host: init.host,
    port: init.port,
    params: init.params ?? new Map(),
    headers: init.headers ?? new Map(),
  };
}

/** Host without IPv6 brackets, as node:dgram and node:net want it. */
export function bareHost(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}
