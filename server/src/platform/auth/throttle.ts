// Failed-login throttling per account and per source address, with exponential backoff.
//
// After `threshold` failures in a row the key is locked for `baseSeconds`, doubling with each further failure
// up to `maxSeconds`. A successful login clears the account's counter. Counters older than `resetAfter`
// start over. Kept in PostgreSQL so every API node sees the same counters.
import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/database.ts';
import { authThrottle } from '../db/schema.ts';

export interface ThrottleRule {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
  resetAfterSeconds: number;
}

export const accountRule: ThrottleRule = { threshold: 5, baseSeconds: 30, maxSeconds: 15 * 60, resetAfterSeconds: 60 * 60 };
export const addressRule: ThrottleRule = { threshold: 20, baseSeconds: 30, maxSeconds: 15 * 60, resetAfterSeconds: 60 * 60 };

export function lockSeconds(failures: number, rule: ThrottleRule): number {
  if (failures < rule.threshold) return 0;
  return Math.min(rule.maxSeconds, rule.baseSeconds * 2 ** (failures - rule.threshold));
}

/** Seconds until the key may try again, or 0 when it is not locked. */
export async function lockedFor(tx: Tx, key: string, now = new Date()): Promise<number> {
  const [row] = await tx.select().from(authThrottle).where(eq(authThrottle.key, key));
  if (!row?.lockedUntil || row.lockedUntil <= now) return 0;
  return Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000);
}

export async function recordFailure(tx: Tx, key: string, rule: ThrottleRule, now = new Date()): Promise<number> {
  const [row] = await tx
    .insert(authThrottle)
    .values({ key, failures: 1, lastFailureAt: now })
    .onConflictDoUpdate({
      target: authThrottle.key,
      set: {
        failures: sql`CASE WHEN ${authThrottle.lastFailureAt} < ${new Date(now.getTime() - rule.resetAfterSeconds * 1000)}
                      THEN 1 ELSE ${authThrottle.failures} + 1 END`,
        lastFailureAt: now,
      },
    })
    .returning({ failures: authThrottle.failures });
  const failures = row!.failures;
  const seconds = lockSeconds(failures, rule);
  if (seconds > 0) {
    await tx.update(authThrottle).set({ lockedUntil: new Date(now.getTime() + seconds * 1000) }).where(eq(authThrottle.key, key));
  }
  return seconds;
}

export async function clearFailures(tx: Tx, key: string): Promise<void> {
  await tx.delete(authThrottle).where(eq(authThrottle.key, key));
}
