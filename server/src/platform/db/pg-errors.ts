// PostgreSQL error codes the services translate into AppErrors (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const code = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; cause?: unknown };
  if (typeof e?.code === 'string') return e.code;
  return e?.cause ? code(e.cause) : undefined;
};

export const isUniqueViolation = (err: unknown): boolean => code(err) === '23505';
export const isForeignKeyViolation = (err: unknown): boolean => code(err) === '23503';
