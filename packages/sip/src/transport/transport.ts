// The transport contract (RFC 3261 §18): every transport moves whole messages and reports where they came from.
import type { TransportName } from '../message/message.ts';
import type { SipParseError } from '../message/errors.ts';

export type { TransportName };

export type TransportErrorCode = 'SEND_FAILED' | 'NO_TRANSPORT' | 'NO_CONNECTION' | 'UNRESOLVABLE' | 'TOO_LARGE' | 'CLOSED';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

export interface Destination {
  transport: TransportName;
  /** An IP address (no brackets). */
  address: string;
  port: number;
  /** Prefer this existing connection (stream transports). */
  connectionId?: string;
}

export interface RawIncoming {
  data: Buffer;
  /** Stream transports deliver one framed message per call; datagrams are whole datagrams. */
  framed: boolean;
  address: string;
  port: number;
  connectionId?: string;
  /** Set when a stream lost its framing; the connection is closed right after the handler returns. */
  error?: SipParseError;
}

export interface Transport {
  readonly protocol: TransportName;
  /** Reliable transports need no retransmissions (RFC 3261 §17.1.1.2). */
  readonly reliable: boolean;
  readonly localAddress: string;
  readonly localPort: number;
  /** Register the one receiver (the transport layer). */
  onData(handler: (msg: RawIncoming) => void): void;
  /** Stream transports report framing errors so that the layer can answer 400 before closing. */
  send(dest: Destination, data: Buffer): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_PORTS: Record<TransportName, number> = { UDP: 5060, TCP: 5060, TLS: 5061, WS: 80, WSS: 443 };
