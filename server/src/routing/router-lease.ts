// One active router per tenant in a cluster: a PostgreSQL session advisory lock per tenant, held on a
// dedicated connection. If the holder dies (even SIGKILL) its connection closes and PostgreSQL releases the
// lock at once; the other nodes try every `pollMs` for tenants with open work and take over, rebuilding the
// tenant's router from the database.
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Database } from '../platform/db/database.ts';

export interface RouterLeaseOptions {
  pollMs: number;
  onAcquired(tenantId: string): Promise<void>;
  /** The lease connection broke: every tenant is lost (another node will take them). */
  onLostAll(): void;
  onError?(err: unknown): void;
}

export class RouterLease {
  private client: pg.PoolClient | undefined;
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly database: Database,
    private readonly options: RouterLeaseOptions,
  ) {}

  holds(tenantId: string): boolean {
    return this.held.has(tenantId);
  }

  async start(): Promise<void> {
    await this.connect();
    await this.poll();
    this.timer = setInterval(() => void this.poll().catch((e) => this.options.onError?.(e)), this.options.pollMs);
    this.timer.unref();
  }

  private async connect(): Promise<pg.PoolClient> {
    if (this.client) return this.client;
    const client = await this.database.pool.connect();
    client.on('error', (err) => {
      this.options.onError?.(err);
      this.held.clear();
      this.client = undefined;
      client.release(true);
      this.options.onLostAll();
    });
    this.client = client;
    return client;
  }

  /** Tries to become the tenant's router now (one attempt, serialized with the poll). */
  tryAcquire(tenantId: string): Promise<boolean> {
    const attempt = this.chain.then(async () => {
      if (this.held.has(tenantId)) return true;
      const client = await this.connect();
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended('kefu.routing:' || $1, 0)) AS ok", [tenantId]);
      if (!rows[0]?.ok) return false;
      this.held.add(tenantId);
      await this.options.onAcquired(tenantId);
      return true;
    });
    this.chain = attempt.catch(() => {});
    return attempt;
  }

  /** Takes over tenants with open tasks or signed-in agents that no live node routes. */
  async poll(): Promise<void> {
    const tenantIds = await this.database.withSystem(async (tx) =>
      (
        await tx.execute<{ tenant_id: string }>(sql`
          SELECT DISTINCT tenant_id FROM routing_tasks WHERE status IN ('queued', 'offered', 'assigned')
          UNION SELECT DISTINCT tenant_id FROM routing_agents WHERE state <> 'offline'`)
      ).rows.map((r) => r.tenant_id),
    );
    for (const tenantId of tenantIds) if (!this.held.has(tenantId)) await this.tryAcquire(tenantId);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
    // Destroying the connection releases every lock it holds.
    this.client?.release(true);
    this.client = undefined;
    this.held.clear();
  }
}
