// Request and response validation after parsing (RFC 3261 §8.2, §16.3, §8.1.3.3). Returns the error, never throws.
import { parseError, SipParseError } from './errors.ts';
import { SINGLE_HEADERS } from './headers.ts';
import type { SipRequest, SipResponse } from './message.ts';

/** Methods this stack knows (RFC 3261, 3262, 3265, 3311, 3428, 3515, 6086). */
export const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO',
  'REFER', 'MESSAGE', 'UPDATE',
]);

function check(fn: () => void): SipParseError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof SipParseError) return e;
    return parseError('HEADER', String(e));
  }
}

/**
 * Checks what every request must satisfy before a transaction is created: version (505), Request-URI (400/416),
 * the mandatory headers and their syntax (§8.1.1), single-valued headers appearing once, CSeq method (§8.1.1.5).
 */
export function validateRequest(req: SipRequest): SipParseError | undefined {
  return check(() => {
    if (req.version !== 'SIP/2.0') throw parseError('VERSION', `unsupported version ${req.version}`);
    for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
      if (!req.has(name)) throw parseError('MISSING_HEADER', `missing ${name}`, name);
    }
    for (const name of SINGLE_HEADERS) {
      if (req.count(name) > 1) throw parseError('HEADER', `more than one ${name}`, name);
    }
    void req.callId;
    const cseq = req.cseq;
    void req.from;
    void req.to;
    if (req.vias.length === 0) throw parseError('MISSING_HEADER', 'missing Via', 'Via');
    void req.maxForwards;
    void req.expires;
    void req.contacts;
    if (KNOWN_METHODS.has(req.method) && cseq.method !== req.method && !(req.method === 'ACK' && cseq.method === 'ACK')) {
      throw parseError('HEADER', 'CSeq method does not match the request method', 'CSeq');
    }
    const uri = req.requestUri;
    if (uri.kind !== 'sip') throw parseError('URI_SCHEME', `unsupported URI scheme ${uri.scheme}`);
  });
}

/** A response failing this is dropped (RFC 3261 §18.1.2, RFC 4475 §3.1.2.5, §3.1.2.19). */
export function validateResponse(res: SipResponse): SipParseError | undefined {
  return check(() => {
    if (res.version !== 'SIP/2.0') throw parseError('VERSION', 'bad version');
    for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
      if (!res.has(name)) throw parseError('MISSING_HEADER', `missing ${name}`, name);
    }
    for (const name of SINGLE_HEADERS) {
      if (res.count(name) > 1) throw parseError('HEADER', `more than one ${name}`, name);
    }
    void res.callId;
    void res.cseq;
    void res.from;
    void res.to;
    void res.topVia;
  });
}
