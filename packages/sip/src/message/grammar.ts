// Lexical helpers for RFC 3261 §25.1: tokens, quoted strings, LWS and generic parameter lists.
import { parseError } from './errors.ts';

const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
/** RFC 3261 §25.1 token. */
export function isToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

/** Ordered parameters; names are stored lower-case (RFC 3261 §19.1.4 compares them case-insensitively). */
export type Params = Map<string, string | null>;

/**
 * Splits `s` on `sep` outside quoted strings and angle brackets. Used for comma-separated header values
 * (RFC 3261 §7.3.1) and for `;`-separated parameter lists.
 */
export function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let angle = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if (c === sep && angle === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw parseError('HEADER', 'unterminated quoted string');
  out.push(s.slice(start));
  return out;
}

/** Reads a quoted-string starting at `s[i] === '"'`; returns the unescaped text and the index after it. */
export function readQuoted(s: string, i: number): { text: string; end: number } {
  let text = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '\\') {
      if (j + 1 >= s.length) break;
      text += s[++j];
    } else if (c === '"') return { text, end: j + 1 };
    else text += c;
  }
  throw parseError('HEADER', 'unterminated quoted string');
}

export function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

const PARAM_VALUE_RE = /^(?:[A-Za-z0-9\-.!%*_+`'~:\[\]/&=$]+|"(?:[^"\\]|\\.)*")$/s;

/**
 * Parses `;name[=value]` lists (generic-param, RFC 3261 §25.1) with LWS allowed around `;` and `=`.
 * `s` is the text after the first `;`. Empty parameters (`;;`) are an error.
 */
export function parseParams(s: string, header: string): Params {
  const params: Params = new Map();
  for (const raw of splitOutside(s, ';')) {
    const part = raw.trim();
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (!isToken(name)) throw parseError('HEADER', `bad parameter "${part}"`, header);
    if (eq < 0) {
      params.set(name.toLowerCase(), null);
      continue;
    }
    const value = part.slice(eq + 1).trim();
    if (value === '' || !PARAM_VALUE_RE.test(value)) throw parseError('HEADER', `bad parameter value "${part}"`, header);
    params.set(name.toLowerCase(), value.startsWith('"') ? readQuoted(value, 0).text : value);
  }
  return params;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) {
    if (v === null) out += `;${k}`;
    else out += `;${k}=${isToken(v) || /^[\[\]:A-Za-z0-9.\-]+$/.test(v) ? v : quote(v)}`;
  }
  return out;
}

/** Parses an unsigned decimal no larger than `max`; returns undefined when it is not one. */
export function parseUint(s: string, max: number): number | undefined {
  if (!/^[0-9]{1,12}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}
