// Errors with codes (STYLE.md): modules throw AppError with a code; the HTTP edge maps codes to status codes in
// one place (http/error-handler.ts). Anything else becomes a plain 500 with a request id and no internals.
export const errorStatus = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_CREDENTIALS: 401,
  AUTH_SESSION_EXPIRED: 401,
  CSRF_INVALID: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  AUTH_LOCKED: 429,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { field?: string; retryAfterSeconds?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
  }

  get status(): number {
    return errorStatus[this.code];
  }

  get field(): string | undefined {
    return this.options.field;
  }
}

export const notFound = (what: string): AppError => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, field?: string): AppError =>
  new AppError('CONFLICT', message, field === undefined ? {} : { field });
export const invalid = (field: string, message: string): AppError => new AppError('VALIDATION_FAILED', message, { field });
