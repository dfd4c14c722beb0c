// One active router per tenant in a cluster: a PostgreSQL session advisory lock per tenant, held on a
// dedicated connection (not a pool client: the pool may be exhausted under load, and the lease must never wait
// for it). If the holder dies (even SIGKILL) its connection closes and PostgreSQL releases the lock at once; the
// other nodes try every `pollMs` for tenants with open work and take over, rebuilding the tenant's router from
// the database.
//
// Three ways a takeover used to go wrong, and what prevents each:
// - A node that was stopping while one of its polls was in flight took the lease again on a fresh connection
//   after releasing it, and nobody else could ever take over: once `stop()` begins, nothing is acquired.
// - A host that vanishes (power, network) leaves its backend holding the lock until TCP notices, by default
//   after two hours: the lease session asks PostgreSQL for TCP keepalives every second after 2 s of silence,
//   so the lock goes within about 5 s.
// - A holder cut off from PostgreSQL would keep routing beside the node that took over: every poll the holder
//   renews (a query on the lease connection with a deadline shorter than the keepalive window); when it fails,
//   the node gives up every tenant before PostgreSQL can hand the locks to anyone else.
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Database } from '../platform/db/database.ts';

export interface RouterLeaseOptions {
  pollMs: number;
  /** How long a query on the lease connection may take before the node counts its lease as lost. */
  renewTimeoutMs?: number;
  onAcquired(tenantId: string): Promise<void>;
  /** The lease connection broke or did not answer in time: every tenant is lost (another node will take them). */
  onLostAll(): void;
  onError?(err: unknown): void;
}

/** PostgreSQL drops the lease session after 2 s of silence and 3 unanswered probes a second apart. */
const KEEPALIVE_SQL = 'SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3';
const LOCK_KEY = "hashtextextended('kefu.routing:' || $1, 0)";

export class RouterLease {
  private client: pg.Client | undefined;
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private ticking = false;
  private readonly renewTimeoutMs: number;

  constructor(
    private readonly database: Database,
    private readonly options: RouterLeaseOptions,
  ) {
    this.renewTimeoutMs = options.renewTimeoutMs ?? 2000;
  }

  holds(tenantId: string): boolean {
    return !this.stopped && this.held.has(tenantId);
  }

  async start(): Promise<void> {
    await this.serial(() => this.connect());
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
  }

  /**
   * One renewal and one look for orphaned tenants. Ticks never overlap: under CPU load a tick may outlast the
   * interval, and piled-up polls only add load.
   */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.renew();
      await this.poll();
    } catch (err) {
      this.options.onError?.(err);
    } finally {
      this.ticking = false;
    }
  }

  /** Runs `fn` after every earlier lease operation (the connection runs one query at a time anyway). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => {});
    return next;
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const { url, appRole } = this.database.options;
    const client = new pg.Client({
      connectionString: url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 1000,
      connectionTimeoutMillis: 5000,
      query_timeout: this.renewTimeoutMs,
      ...(appRole ? { options: `-c role=${appRole}` } : {}),
    });
    client.on('error', (err) => {
      if (this.client === client) this.lose(err);
    });
    try {
      await client.connect();
      await client.query(KEEPALIVE_SQL);
    } catch (err) {
      void client.end().catch(() => {});
      throw err;
    }
    this.client = client;
    return client;
  }

  /** The lease connection is gone or unusable: drop it (PostgreSQL frees its locks) and every tenant with it. */
  private lose(err: unknown): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => {});
    const hadAny = this.held.size > 0;
    this.held.clear();
    this.options.onError?.(err);
    if (hadAny) this.options.onLostAll();
  }

  /** A query on the lease connection; any failure (including the deadline) loses the lease. */
  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    const client = await this.connect();
    try {
      return await client.query<R>(text, values);
    } catch (err) {
      if (this.client === client) this.lose(err);
      throw err;
    }
  }

  /** The holder proves its session (and so its locks) is still alive. */
  private renew(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped || this.held.size === 0) return;
      await this.query('SELECT 1');
    });
  }

  /** Tries to become the tenant's router now (one attempt, serialized with the poll). */
  tryAcquire(tenantId: string): Promise<boolean> {
    return this.serial(async () => {
      if (this.stopped) return false;
      if (this.held.has(tenantId)) return true;
      const { rows } = await this.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS ok`, [tenantId]);
      if (!rows[0]?.ok) return false;
      this.held.add(tenantId);
      try {
        await this.options.onAcquired(tenantId);
      } catch (err) {
        // A router that could not be rebuilt must not sit on the lease: let this or another node try again.
        this.held.delete(tenantId);
        await this.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [tenantId]).catch(() => {});
        throw err;
      }
      return true;
    });
  }

  /** Takes over tenants with open tasks or signed-in agents that no live node routes. */
  async poll(): Promise<void> {
    if (this.stopped) return;
    const tenantIds = await this.database.withSystem(async (tx) =>
      (
        await tx.execute<{ tenant_id: string }>(sql`
          SELECT DISTINCT tenant_id FROM routing_tasks WHERE status IN ('queued', 'offered', 'assigned')
          UNION SELECT DISTINCT tenant_id FROM routing_agents WHERE state <> 'offline'`)
      ).rows.map((r) => r.tenant_id),
    );
    for (const tenantId of tenantIds) {
      if (this.stopped) return;
      if (!this.held.has(tenantId)) await this.tryAcquire(tenantId).catch((err) => this.options.onError?.(err));
    }
  }

  /**
   * Stops acquiring at once, waits for a takeover in progress, runs `drain` (the engine finishes and forgets its
   * tenants) while the locks are still held, then closes the connection, which releases every lock.
   */
  async stop(drain?: () => Promise<void>): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
    try {
      await drain?.();
    } finally {
      const client = this.client;
      this.client = undefined;
      this.held.clear();
      await client?.end().catch(() => {});
    }
  }
}
