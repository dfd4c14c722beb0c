// Message parsing (RFC 3261 §7): start line, folded headers (§7.3.1), compact forms, Content-Length framing (§18.3).
import { parseError, SipParseError } from './errors.ts';
import { isToken, parseUint } from './grammar.ts';
import { canonicalName } from './headers.ts';
import { SipRequest, SipResponse, type SipMessage } from './message.ts';

export interface ParseOptions {
  /** Datagram semantics (UDP): a missing Content-Length means "the rest", surplus octets are dropped (§18.3). */
  datagram?: boolean;
  maxHeaders?: number;
  maxHeaderLineLength?: number;
  /** Parse only the start line and headers (stream framing reads Content-Length first). */
  headersOnly?: boolean;
}

export const DEFAULT_MAX_HEADERS = 256;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

/** Finds the end of the header section; returns [index of the blank line, index where the body starts]. */
export function findHeaderEnd(buf: Buffer, from = 0): [number, number] | undefined {
  const i = buf.indexOf(CRLFCRLF, from);
  if (i >= 0) return [i, i + 4];
  const j = buf.indexOf(LFLF, from);
  if (j >= 0) return [j, j + 2];
  return undefined;
}

/** Parses a whole message. Throws only SipParseError (with `partial` set when the start line was readable). */
export function parseMessage(buf: Buffer, opts: ParseOptions = {}): SipMessage {
  const datagram = opts.datagram ?? true;
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2; // §7.5
  if (start >= buf.length) throw parseError('EMPTY', 'empty message');
  const end = findHeaderEnd(buf, start);
  const headEnd = end ? end[0] : buf.length;
  const bodyStart = end ? end[1] : buf.length;
  const lines = buf.toString('utf8', start, headEnd).split(/\r?\n/);
  if (!end) while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  let msg: SipMessage;
  try {
    msg = parseStartLine(lines[0]!);
  } catch (e) {
    // Read the headers anyway so that a request with a broken Request-Line can still be answered with 400.
    const err = e as SipParseError;
    if (err.partial) {
      try {
        parseHeaderLines(err.partial, lines, opts);
      } catch {
        /* keep what was read */
      }
    }
    throw err;
  }
  try {
    parseHeaderLines(msg, lines, opts);
    if (!end) throw parseError('FRAMING', 'header section not terminated by an empty line');
    if (!opts.headersOnly) msg.body = frameBody(msg, buf, bodyStart, datagram);
  } catch (e) {
    if (e instanceof SipParseError) e.partial = msg;
    throw e;
  }
  return msg;
}

function parseStartLine(line: string): SipMessage {
  if (line.startsWith('SIP/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2); the code is exactly 3 digits.
    const m = /^(SIP\/\d+\.\d+) ([1-6]\d\d) ([^\r\n]*)$/.exec(line);
    if (!m) throw parseError('START_LINE', 'bad status line');
    return new SipResponse(Number(m[2]), m[3]!, m[1]!);
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (§7.1): single SPs, no LWS inside the URI.
  const parts = line.split(' ');
  if (parts.length !== 3 || !isToken(parts[0]!) || !parts[1] || !/^SIP\/\d+\.\d+$/i.test(parts[2]!)) {
    const m = /^([A-Za-z0-9\-.!%*_+`'~]+) /.exec(line);
    const err = parseError('START_LINE', 'bad request line');
    // Keep what was readable so that the request can still be answered with 400 (RFC 4475 §3.1.2.7-10).
    if (m) err.partial = new SipRequest(m[1]!, '', 'SIP/2.0');
    throw err;
  }
  return new SipRequest(parts[0]!, parts[1]!, parts[2]!.toUpperCase());
}

function parseHeaderLines(msg: SipMessage, lines: string[], opts: ParseOptions): void {
  const maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
  const maxLine = opts.maxHeaderLineLength ?? 65536;
  let current: string | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    const name = colon < 0 ? '' : current.slice(0, colon).replace(/[ \t]+$/, '');
    if (!isToken(name)) throw parseError('HEADER', `bad header line "${current.slice(0, 60)}"`);
    if (msg.headers.length >= maxHeaders) throw parseError('TOO_LARGE', 'too many headers');
    msg.headers.push({ name: canonicalName(name), value: current.slice(colon + 1).trim() });
    current = undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > maxLine) throw parseError('TOO_LARGE', 'header line too long');
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Folding (§7.3.1): a continuation line is joined with a single SP.
      if (current === undefined) throw parseError('HEADER', 'continuation line without a header');
      current += ` ${line.trim()}`;
      if (current.length > maxLine) throw parseError('TOO_LARGE', 'header too long');
      continue;
    }
    flush();
    current = line;
  }
  flush();
}

/** Content-Length of a message; undefined if absent. Throws on negative, non-numeric or repeated values. */
export function contentLengthOf(msg: SipMessage): number | undefined {
  const values = msg.headers.filter((h) => h.name === 'Content-Length');
  if (values.length === 0) return undefined;
  if (values.length > 1) throw parseError('FRAMING', 'multiple Content-Length values', 'Content-Length');
  const n = parseUint(values[0]!.value.trim(), 2 ** 31);
  if (n === undefined) throw parseError('FRAMING', 'bad Content-Length', 'Content-Length');
  return n;
}

function frameBody(msg: SipMessage, buf: Buffer, bodyStart: number, datagram: boolean): Buffer {
  const available = buf.length - bodyStart;
  const cl = contentLengthOf(msg);
  if (cl === undefined) {
    // §18.3: a datagram without Content-Length carries the rest; on a stream it means no body.
    return datagram ? buf.subarray(bodyStart) : Buffer.alloc(0);
  }
  if (cl > available) throw parseError('FRAMING', 'Content-Length larger than the message', 'Content-Length');
  // §18.3: octets past Content-Length in a datagram are discarded.
  return buf.subarray(bodyStart, bodyStart + cl);
}
