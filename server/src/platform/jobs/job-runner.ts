// Background jobs stored in PostgreSQL: delayed, retried with exponential backoff, claimed with
// FOR UPDATE SKIP LOCKED so several nodes share the work and no job runs twice at once. A job whose node dies
// mid-run is claimed again when its lease expires, so handlers must be idempotent.
import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/database.ts';
import { jobs } from '../db/schema.ts';
import type { Notifier } from '../db/notifier.ts';

export interface Job<P = unknown> {
  id: string;
  tenantId: string | null;
  type: string;
  payload: P;
  attempt: number;
  maxAttempts: number;
}

export type JobHandler<P = unknown> = (job: Job<P>) => Promise<void>;

export interface NewJob {
  type: string;
  tenantId?: string | null;
  payload?: unknown;
  runAt?: Date;
  /** A second job with the same key is not created. */
  idempotencyKey?: string;
  maxAttempts?: number;
}

export interface JobRunnerOptions {
  pollMs: number;
  concurrency: number;
  leaseSeconds: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const defaultJobRunnerOptions: JobRunnerOptions = {
  pollMs: 1000,
  concurrency: 4,
  leaseSeconds: 60,
  backoffBaseMs: 5_000,
  backoffMaxMs: 60 * 60_000,
};

/** Exponential backoff with ±20 % jitter so that retries of many failed jobs do not arrive together. */
export function backoffMs(attempt: number, options: Pick<JobRunnerOptions, 'backoffBaseMs' | 'backoffMaxMs'>, random = Math.random): number {
  const base = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export async function enqueueJob(tx: Tx, job: NewJob): Promise<void> {
  await tx
    .insert(jobs)
    .values({
      type: job.type,
      tenantId: job.tenantId ?? null,
      payload: job.payload ?? {},
      runAt: job.runAt ?? new Date(),
      idempotencyKey: job.idempotencyKey ?? null,
      maxAttempts: job.maxAttempts ?? 8,
    })
    .onConflictDoNothing({ target: jobs.idempotencyKey });
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly options: JobRunnerOptions;
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private stopped = true;
  private wakeRequested = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: Database,
    private readonly log: (line: string, fields?: Record<string, unknown>) => void,
    options: Partial<JobRunnerOptions> = {},
  ) {
    this.options = { ...defaultJobRunnerOptions, ...options };
  }

  register<P>(type: string, handler: JobHandler<P>): void {
    if (this.handlers.has(type)) throw new Error(`a handler for job type ${type} is registered already`);
    this.handlers.set(type, handler as JobHandler);
  }

  start(notifier?: Notifier): void {
    this.stopped = false;
    notifier?.on('kefu_jobs', () => this.wake());
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    this.wakeRequested = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.idle = this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.wakeRequested = false;
    let claimed = 0;
    try {
      claimed = await this.runDue();
    } catch (err) {
      this.log('job runner tick failed', { err: String(err) });
    }
    if (!this.stopped) this.schedule(claimed > 0 || this.wakeRequested ? 0 : this.options.pollMs);
  }

  /** Claims and runs the jobs that are due; returns how many it ran. */
  async runDue(): Promise<number> {
    const free = this.options.concurrency - this.running;
    if (free <= 0) return 0;
    const types = [...this.handlers.keys()];
    if (types.length === 0) return 0;
    const claimed = await this.database.withSystem(async (tx) => {
      const result = await tx.execute<{
        id: string;
        tenant_id: string | null;
        type: string;
        payload: unknown;
        attempts: number;
        max_attempts: number;
      }>(sql`
        UPDATE jobs SET status = 'running', attempts = attempts + 1,
               locked_until = now() + make_interval(secs => ${this.options.leaseSeconds})
        WHERE id IN (
          SELECT id FROM jobs
          WHERE type IN (${sql.join(types.map((t) => sql`${t}`), sql`, `)})
            AND ((status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
          ORDER BY run_at
          LIMIT ${free}
          FOR UPDATE SKIP LOCKED)
        RETURNING id, tenant_id, type, payload, attempts, max_attempts`);
      return result.rows;
    });
    await Promise.all(
      claimed.map((row) =>
        this.runOne({ id: row.id, tenantId: row.tenant_id, type: row.type, payload: row.payload, attempt: row.attempts, maxAttempts: row.max_attempts }),
      ),
    );
    return claimed.length;
  }

  private async runOne(job: Job): Promise<void> {
    const handler = this.handlers.get(job.type)!;
    this.running++;
    try {
      await handler(job);
      await this.database.withSystem((tx) =>
        tx.execute(sql`UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL, last_error = NULL WHERE id = ${job.id}`),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = job.attempt >= job.maxAttempts;
      const delay = backoffMs(job.attempt, this.options);
      await this.database.withSystem((tx) =>
        tx.execute(
          final
            ? sql`UPDATE jobs SET status = 'failed', finished_at = now(), locked_until = NULL, last_error = ${message} WHERE id = ${job.id}`
            : sql`UPDATE jobs SET status = 'pending', locked_until = NULL, last_error = ${message},
                     run_at = now() + make_interval(secs => ${delay / 1000}) WHERE id = ${job.id}`,
        ),
      );
      this.log(final ? 'job failed for good' : 'job failed; will retry', { jobId: job.id, type: job.type, attempt: job.attempt, err: message });
    } finally {
      this.running--;
    }
  }
}
