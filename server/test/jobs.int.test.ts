// The PostgreSQL job runner: delayed jobs, retries with backoff, a final failure, idempotency keys, and jobs of
// a crashed node taken over when their lease expires.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueJob, JobRunner, type Job } from '../src/platform/jobs/job-runner.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

const runner = (options = {}) => new JobRunner(db.database, () => {}, { pollMs: 50, backoffBaseMs: 50, backoffMaxMs: 100, leaseSeconds: 1, ...options });

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const status = async (type: string) =>
  (await db.database.withSystem((tx) => tx.execute<{ status: string; attempts: number; last_error: string | null }>(sql`SELECT status, attempts, last_error FROM jobs WHERE type = ${type}`))).rows;

test('a failing job is retried with backoff until it succeeds', async () => {
  const jobs = runner();
  const attempts: number[] = [];
  jobs.register('flaky', async (job: Job) => {
    attempts.push(job.attempt);
    if (job.attempt < 3) throw new Error(`attempt ${job.attempt} failed`);
  });
  await db.database.withSystem((tx) => enqueueJob(tx, { type: 'flaky', payload: { n: 1 } }));
  jobs.start();
  await until(async () => (await status('flaky'))[0]?.status === 'done');
  await jobs.stop();
  expect(attempts).toEqual([1, 2, 3]);
  expect((await status('flaky'))[0]).toMatchObject({ attempts: 3, last_error: null });
});

test('a job that keeps failing stops at its maximum attempts with the last error kept', async () => {
  const jobs = runner();
  jobs.register('doomed', async () => {
    throw new Error('receiver is gone');
  });
  await db.database.withSystem((tx) => enqueueJob(tx, { type: 'doomed', maxAttempts: 2 }));
  jobs.start();
  await until(async () => (await status('doomed'))[0]?.status === 'failed');
  await jobs.stop();
  expect((await status('doomed'))[0]).toMatchObject({ attempts: 2, last_error: 'receiver is gone' });
});

test('a second job with the same idempotency key is not created', async () => {
  await db.database.withSystem(async (tx) => {
    await enqueueJob(tx, { type: 'once', idempotencyKey: 'invoice-42', runAt: new Date(Date.now() + 3_600_000) });
    await enqueueJob(tx, { type: 'once', idempotencyKey: 'invoice-42', runAt: new Date(Date.now() + 3_600_000) });
  });
  expect(await status('once')).toHaveLength(1);
});

test('a delayed job does not run before its time', async () => {
  const jobs = runner();
  const ran: number[] = [];
  jobs.register('later', async () => {
    ran.push(Date.now());
  });
  const runAt = Date.now() + 600;
  await db.database.withSystem((tx) => enqueueJob(tx, { type: 'later', runAt: new Date(runAt) }));
  jobs.start();
  await until(() => ran.length === 1);
  await jobs.stop();
  expect(ran[0]!).toBeGreaterThanOrEqual(runAt - 5);
});

test('a job left running by a crashed node is taken over after its lease expires', async () => {
  await db.database.withSystem((tx) =>
    tx.execute(sql`INSERT INTO jobs (type, status, attempts, locked_until) VALUES ('orphan', 'running', 1, now() - interval '1 second')`),
  );
  const jobs = runner();
  let ran = 0;
  jobs.register('orphan', async () => {
    ran++;
  });
  jobs.start();
  await until(async () => (await status('orphan'))[0]?.status === 'done');
  await jobs.stop();
  expect(ran).toBe(1);
  expect((await status('orphan'))[0]!.attempts).toBe(2);
});

test('two runners never run the same job twice at once', async () => {
  const a = runner({ concurrency: 8 });
  const b = runner({ concurrency: 8 });
  const seen: string[] = [];
  const handler = async (job: Job) => {
    seen.push(job.id);
    await new Promise((r) => setTimeout(r, 5));
  };
  a.register('shared', handler);
  b.register('shared', handler);
  await db.database.withSystem(async (tx) => {
    for (let i = 0; i < 40; i++) await enqueueJob(tx, { type: 'shared', payload: { i } });
  });
  a.start();
  b.start();
  await until(async () => (await status('shared')).every((j) => j.status === 'done'));
  await a.stop();
  await b.stop();
  expect(seen).toHaveLength(40);
  expect(new Set(seen).size).toBe(40);
});
