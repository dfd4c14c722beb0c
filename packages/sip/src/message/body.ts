// Message bodies: SDP through sdp-transform (RFC 4566) and multipart MIME (RFC 3261 §7.4, RFC 2046 §5.1).
import sdpTransform from 'sdp-transform';
import type { SessionDescription } from 'sdp-transform';
import { parseError } from './errors.ts';
import { parseParams } from './grammar.ts';

export type { SessionDescription };

export function parseSdp(body: Buffer | string): SessionDescription {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (!/^v=0\r?\n/.test(text)) throw parseError('HEADER', 'body is not SDP', 'Content-Type');
  return sdpTransform.parse(text);
}

export function writeSdp(sdp: SessionDescription): string {
  return sdpTransform.write(sdp);
}

export interface BodyPart {
  headers: Map<string, string>;
  body: Buffer;
}

/** Splits a multipart body at its boundary; part headers are keyed lower-case. */
export function parseMultipart(body: Buffer, contentType: string): BodyPart[] {
  const semi = contentType.indexOf(';');
  const params = semi < 0 ? new Map<string, string | null>() : parseParams(contentType.slice(semi + 1), 'Content-Type');
  const boundary = params.get('boundary');
  if (!boundary) throw parseError('HEADER', 'multipart without boundary', 'Content-Type');
  const delim = Buffer.from(`--${boundary}`);
  const parts: BodyPart[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    let start = pos + delim.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // close-delimiter
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), start);
    if (next < 0) throw parseError('HEADER', 'unterminated multipart body', 'Content-Type');
    const part = body.subarray(start, next);
    const headEnd = part.indexOf('\r\n\r\n');
    const headText = headEnd < 0 ? '' : part.subarray(0, headEnd).toString('utf8');
    const headers = new Map<string, string>();
    for (const line of headText.split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
    }
    parts.push({ headers, body: headEnd < 0 ? part : part.subarray(headEnd + 4) });
    pos = next + 2;
  }
  return parts;
}
