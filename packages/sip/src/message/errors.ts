import type { SipMessage } from './message.ts';

/** Why a message could not be parsed or is not acceptable as SIP (RFC 3261 §7, §25). */
export type SipParseErrorCode =
  | 'EMPTY'
  | 'START_LINE'
  | 'VERSION'
  | 'HEADER'
  | 'FRAMING'
  | 'TOO_LARGE'
  | 'URI'
  | 'URI_SCHEME'
  | 'MISSING_HEADER';

/**
 * The only error the message layer throws. `status` is the response a server sends for a request that
 * failed this way (400 unless the RFC names another, e.g. 505 for an unknown version, §21.5.6).
 */
export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  constructor(
    readonly code: SipParseErrorCode,
    message: string,
    readonly status = 400,
    readonly header?: string,
  ) {
    super(message);
  }
  /** What was parsed before the error, so that a server can still answer a broken request with 400. */
  partial?: SipMessage;
}

/** Creates a SipParseError without a stack trace: parse errors are expected input, and stacks are costly. */
export function parseError(code: SipParseErrorCode, message: string, header?: string): SipParseError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new SipParseError(code, message, code === 'VERSION' ? 505 : code === 'URI_SCHEME' ? 416 : 400, header);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
