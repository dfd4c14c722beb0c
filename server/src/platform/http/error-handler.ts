// The HTTP edge's one mapping from errors to the error envelope `{"error": {code, message, field?, requestId}}`.
// Unknown errors become a plain 500 with the request id: no stack trace or SQL ever reaches a client.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode } from '../errors.ts';

interface Envelope {
  error: { code: string; message: string; field?: string; requestId: string };
}

export function envelope(request: FastifyRequest, code: ErrorCode | string, message: string, field?: string): Envelope {
  return { error: { code, message, ...(field ? { field } : {}), requestId: request.id } };
}

/** `body.user.email` → `user.email`; `params.id` → `id`; `querystring.limit` → `limit`. */
function fieldName(context: string | undefined, instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  return parts.join('.') || (context === 'body' ? 'body' : (context ?? 'request'));
}

export function errorHandler(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof AppError) {
    if (error.options.retryAfterSeconds) reply.header('retry-after', String(error.options.retryAfterSeconds));
    void reply.status(error.status).send(envelope(request, error.code, error.message, error.field));
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const params = (first?.params ?? {}) as { keys?: string[] };
    let field = fieldName(error.validationContext, first?.instancePath ?? '');
    let message = `${field}: ${first?.message ?? 'is invalid'}`;
    // An unrecognized key is named by the key itself.
    if (first?.keyword === 'unrecognized_keys' && params.keys?.length) {
      field = [field === 'body' ? '' : field, params.keys[0]].filter(Boolean).join('.');
      message = `${field}: is not a known field`;
    }
    void reply.status(400).send(envelope(request, 'VALIDATION_FAILED', message, field));
    return;
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      void reply.status(400).send(envelope(request, 'INVALID_JSON', 'the request body is not valid JSON', 'body'));
      return;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      void reply.status(413).send(envelope(request, 'PAYLOAD_TOO_LARGE', 'the request body is too large', 'body'));
      return;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      void reply.status(415).send(envelope(request, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', 'content-type'));
      return;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    void reply.status(400).send(envelope(request, 'INVALID_JSON', 'the request body is not valid JSON', 'body'));
    return;
  }
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    void reply.status(fastifyError.statusCode).send(envelope(request, 'BAD_REQUEST', fastifyError.message));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send(envelope(request, 'INTERNAL', 'something went wrong on our side; quote the request id when you report it'));
}
