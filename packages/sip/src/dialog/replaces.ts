// Replaces (RFC 3891 §6.1) and Refer-To (RFC 3515 §2.1) helpers for blind and attended transfer.
import { parseError } from '../message/errors.ts';
import { parseNameAddr } from '../message/headers.ts';
import { parseParams } from '../message/grammar.ts';
import { formatUri, type SipUri } from '../message/uri.ts';

export interface ReplacesValue {
  callId: string;
  toTag: string;
  fromTag: string;
  earlyOnly: boolean;
}

/** Parses a Replaces header value: `callid;to-tag=..;from-tag=..[;early-only]`. */
export function parseReplaces(value: string): ReplacesValue {
  const semi = value.indexOf(';');
  if (semi < 0) throw parseError('HEADER', 'bad Replaces', 'Replaces');
  const params = parseParams(value.slice(semi + 1), 'Replaces');
  const toTag = params.get('to-tag');
  const fromTag = params.get('from-tag');
  if (!toTag || !fromTag) throw parseError('HEADER', 'Replaces without tags', 'Replaces');
  return { callId: value.slice(0, semi).trim(), toTag, fromTag, earlyOnly: params.has('early-only') };
}

export function formatReplaces(r: ReplacesValue): string {
  return `${r.callId};to-tag=${r.toTag};from-tag=${r.fromTag}${r.earlyOnly ? ';early-only' : ''}`;
}

/** A Refer-To value, optionally carrying an escaped Replaces header for attended transfer (RFC 3891 §7). */
export function formatReferTo(target: SipUri, replaces?: ReplacesValue): string {
  const uri: SipUri = { ...target, headers: new Map(target.headers) };
  if (replaces) uri.headers.set('Replaces', encodeURIComponent(formatReplaces(replaces)));
  return `<${formatUri(uri)}>`;
}

export interface ReferTarget {
  uri: SipUri;
  replaces: ReplacesValue | undefined;
}

/** Reads Refer-To: the target URI (its headers removed) and a Replaces embedded in it. */
export function parseReferTo(value: string): ReferTarget {
  const na = parseNameAddr(value, 'Refer-To');
  if (na.uri.kind !== 'sip') throw parseError('URI_SCHEME', 'Refer-To must be a SIP URI', 'Refer-To');
  const raw = na.uri.headers.get('Replaces');
  const uri: SipUri = { ...na.uri, headers: new Map() };
  return { uri, replaces: raw ? parseReplaces(decodeURIComponent(raw)) : undefined };
}

/** RFC 2833/4733 alternative used by many phones: `application/dtmf-relay` INFO bodies. */
export function parseDtmfRelay(body: string): { signal: string; duration: number } | undefined {
  const signal = /Signal\s*=\s*(\S+)/i.exec(body)?.[1];
  const duration = Number(/Duration\s*=\s*(\d+)/i.exec(body)?.[1] ?? 250);
  return signal ? { signal, duration } : undefined;
}

export function formatDtmfRelay(signal: string, duration = 250): string {
  return `Signal=${signal}\r\nDuration=${duration}\r\n`;
}
