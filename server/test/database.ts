// A database of its own for each test file, in the run's embedded PostgreSQL (see global-setup.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { Database } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';

export interface TestDatabase {
  /** Superuser URL of the new database (what DATABASE_URL would be). */
  url: string;
  /** The application's handle: runs as kefu_app, so RLS applies. */
  database: Database;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `kefu_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const migration = await migrate(url.toString());
  const database = new Database({ url: url.toString(), appRole: migration.appRole, max: 5 });
  return {
    url: url.toString(),
    database,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
