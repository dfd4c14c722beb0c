// Message builders for tests: complete, valid requests and responses with sensible defaults.
import { createResponse, newBranch, newCallId, newTag } from '../message/builders.ts';
import { SipRequest, type SipResponse } from '../message/message.ts';
import { parseMessage } from '../message/parser.ts';

export interface RequestInit {
  method: string;
  uri?: string;
  from?: string;
  to?: string;
  callId?: string;
  cseq?: number;
  /** A top Via; none by default (the transaction layer adds one when sending). */
  via?: string | boolean;
  contact?: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export function buildRequest(init: RequestInit): SipRequest {
  const req = new SipRequest(init.method, init.uri ?? 'sip:bob@127.0.0.1');
  if (init.via) req.append('Via', init.via === true ? `SIP/2.0/UDP 127.0.0.1:5099;branch=${newBranch()}` : init.via);
  req.append('Max-Forwards', 70);
  req.append('From', init.from ?? `<sip:alice@127.0.0.1>;tag=${newTag()}`);
  req.append('To', init.to ?? '<sip:bob@127.0.0.1>');
  req.append('Call-ID', init.callId ?? newCallId());
  req.append('CSeq', `${init.cseq ?? 1} ${init.method === 'ACK' ? 'ACK' : init.method}`);
  if (init.contact) req.append('Contact', init.contact);
  for (const [k, v] of Object.entries(init.headers ?? {})) req.append(k, v);
  if (init.body !== undefined) {
    req.append('Content-Type', init.contentType ?? 'application/sdp');
    req.body = Buffer.from(init.body);
  }
  return req;
}

export function buildResponse(req: SipRequest, status: number, toTag?: string): SipResponse {
  return createResponse(req, status, undefined, toTag);
}

/** Parses text written with \n line ends (converted to CRLF) — handy for literal messages in tests. */
export function parseText(text: string): ReturnType<typeof parseMessage> {
  return parseMessage(Buffer.from(text.replace(/\r?\n/g, '\r\n')));
}

/** A minimal SDP offer/answer for audio on loopback. */
export function sdpOffer(port = 40000, direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive' = 'sendrecv'): string {
  return [
    'v=0', `o=- ${port} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', `a=${direction}`, '',
  ].join('\r\n');
}
