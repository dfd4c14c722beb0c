// Raw SQL helpers for the CRM (drizzle's `sql` template; arrays and records travel as JSON).
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../platform/db/database.ts';
import type { Actor } from '../platform/auth/actor.ts';

export type Row = Record<string, unknown>;

export async function rows<T = Row>(tx: Tx, query: SQL): Promise<T[]> {
  return (await tx.execute(query)).rows as T[];
}

export async function one<T = Row>(tx: Tx, query: SQL): Promise<T | undefined> {
  return (await rows<T>(tx, query))[0];
}

export const textArray = (values: readonly string[]): SQL => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::text[]`;
/**
 * A text[] as one bound parameter (an array literal), which the planner can use as an index condition
 * (`col = ANY($1::text[])`); `textArray` is a sub-select the planner treats as an opaque InitPlan.
 */
export const textArrayParam = (values: readonly string[]): SQL =>
  sql`${`{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`}::text[]`;

export const uuidArray = (values: readonly string[]): SQL => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::uuid[]`;

export const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

/** A SQL condition limiting `column` (a division id) to the actor's divisions. */
export function divisionScope(actor: Actor, column: SQL): SQL {
  if (actor.divisions === 'all') return sql`true`;
  return sql`${column} = ANY(${uuidArray(actor.divisions)})`;
}
