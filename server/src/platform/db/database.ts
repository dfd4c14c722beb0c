// The database handle every module gets. Queries run in transactions that carry the tenant
// (`SET LOCAL app.tenant_id`), so row-level security backs up the service layer's own scoping.
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.ts';

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type TenantId = string & { readonly __brand: 'TenantId' };

export const APP_ROLE = 'kefu_app';

export interface DatabaseOptions {
  url: string;
  /** Run every pooled connection as the non-superuser application role, so RLS applies. */
  appRole: string | undefined;
  max?: number;
}

export class Database {
  readonly pool: pg.Pool;
  readonly db: Db;

  constructor(readonly options: DatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 20,
      idleTimeoutMillis: 30_000,
      // The role is a startup parameter, so every pooled connection runs as it from its first query.
      ...(options.appRole ? { options: `-c role=${options.appRole}` } : {}),
    });
    // An idle client that errors (server restart) must not crash the process; the pool drops it.
    this.pool.on('error', () => {});
    this.db = drizzle(this.pool, { schema });
  }

  /** Runs `fn` in a transaction scoped to one tenant: RLS lets it see that tenant's rows only. */
  withTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
      return fn(tx);
    });
  }

  /**
   * Runs `fn` in a transaction that may read across tenants. Only for the named system paths: login and
   * session lookup (before a tenant is known), the outbox dispatcher, the job runner, the CLI and seeding.
   */
  withSystem<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.bypass_rls', 'on', true)`);
      return fn(tx);
    });
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('select 1');
      return true;
    } catch {
      return false;
    }
  }

  private closing: Promise<void> | undefined;

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
