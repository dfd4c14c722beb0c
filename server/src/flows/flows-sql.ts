// Small helpers for the flows module's raw SQL (drizzle's `sql` template).
import type { SQL } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';

export async function rows<T>(tx: Tx, query: SQL): Promise<T[]> {
  return (await tx.execute(query)).rows as T[];
}

export async function one<T>(tx: Tx, query: SQL): Promise<T | undefined> {
  return (await rows<T>(tx, query))[0];
}

export const iso = (value: Date | string | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();
