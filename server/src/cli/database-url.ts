// CLI commands run against DATABASE_URL, or against the embedded cluster in $KEFU_DATA_DIR/pg (started for
// the command when Kefu is not running, adopted when it is).
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../platform/config.ts';
import { startEmbeddedPostgres } from '../platform/db/embedded-postgres.ts';

export async function withDatabaseUrl<T>(config: Config, fn: (url: string) => Promise<T>): Promise<T> {
  if (config.database.url) return fn(config.database.url);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), port: config.database.embeddedPort });
  try {
    const admin = new pg.Client({ connectionString: embedded.adminUrl });
    await admin.connect();
    const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'kefu'`)).rowCount === 1;
    if (!exists) await admin.query(`CREATE DATABASE kefu ENCODING 'UTF8' TEMPLATE template0`);
    await admin.end();
    const url = new URL(embedded.adminUrl);
    url.pathname = '/kefu';
    return await fn(url.toString());
  } finally {
    // A cluster adopted from a running Kefu stays up; one started for this command stops.
    if (!embedded.adopted) await embedded.stop();
  }
}
