import type { SipResponse } from '../message/message.ts';

export type SipErrorCode = 'REJECTED' | 'CANCELLED' | 'NO_ACK' | 'DIALOG_TERMINATED' | 'BAD_REQUEST';

/** A request failed with a final response, or a dialog operation could not be done. */
export class SipError extends Error {
  override readonly name = 'SipError';
  constructor(
    readonly code: SipErrorCode,
    message: string,
    readonly status?: number,
    readonly response?: SipResponse,
  ) {
    super(message);
  }
}
