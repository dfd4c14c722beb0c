// A database of its own for each test file, in the run's embedded PostgreSQL (see global-setup.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { SecretBox } from '../src/platform/crypto/secret-box.ts';
import type { Database } from '../src/platform/db/database.ts';
import { openDatabase } from '../src/platform/db/open-database.ts';

/**
 * Every test server and database of a run shares one secret key: the `kefu_app` role is cluster-wide, and its
 * password is derived from the key, so differing keys would change each other's password.
 */
export const TEST_SECRET_KEY = '6b'.repeat(32);

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
  const database = await openDatabase(url.toString(), SecretBox.fromHex(TEST_SECRET_KEY), { info: () => {}, warn: () => {} }, 5);
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
