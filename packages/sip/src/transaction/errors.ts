export type TransactionErrorCode = 'TIMEOUT' | 'TRANSPORT' | 'TERMINATED';

/** Timer B or F fired (RFC 3261 §17.1.1.2, §17.1.2.2), or Timer H for a server INVITE (§17.2.1). */
export class TransactionTimeoutError extends Error {
  override readonly name = 'TransactionTimeoutError';
  readonly code = 'TIMEOUT' as const;
  constructor(
    message: string,
    readonly timer: 'B' | 'F' | 'H',
  ) {
    super(message);
  }
}
