// Applies the checked-in SQL migrations (server/migrations/NNNN_name.sql) in order, each in its own
// transaction, under an advisory lock so that several nodes starting at once migrate only once.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { APP_ROLE } from './database.ts';

export const migrationsDir = path.resolve(import.meta.dirname, '../../../migrations');
const LOCK_KEY = 7_246_001; // arbitrary, constant: "kefu migrations"

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(path.join(dir, file), 'utf8');
      return {
        version: file.slice(0, 4),
        name: file.slice(5, -4),
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    }),
  );
}

export interface MigrateResult {
  applied: string[];
  /** The role the application should run as, when the database user could set it up. */
  appRole: string | undefined;
  /** A URL that logs in as the application role, when a password for it was given. */
  appUrl: string | undefined;
  superuser: boolean;
}

export interface MigrateOptions {
  /** Password for the `kefu_app` login role; without one the role cannot log in and is used with SET ROLE. */
  appPassword?: string | undefined;
}

export async function migrate(url: string, log: (line: string) => void = () => {}, options: MigrateOptions = {}): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (await client.query<{ version: string; checksum: string }>('SELECT version, checksum FROM schema_migrations')).rows.map((r) => [
        r.version,
        r.checksum,
      ]),
    );
    const applied: string[] = [];
    for (const m of await readMigrations()) {
      const previous = done.get(m.version);
      if (previous !== undefined) {
        if (previous !== m.checksum) log(`warning: migration ${m.version}_${m.name} changed after it was applied`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(`${m.version}_${m.name}`);
      log(`applied migration ${m.version}_${m.name}`);
    }
    const appRole = await ensureAppRole(client, log, options.appPassword);
    const superuser = (await client.query<{ s: boolean }>(`SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user`)).rows[0]?.s ?? false;
    let appUrl: string | undefined;
    if (appRole && options.appPassword) {
      const u = new URL(url);
      u.username = encodeURIComponent(APP_ROLE);
      u.password = encodeURIComponent(options.appPassword);
      appUrl = u.toString();
    }
    return { applied, appRole, appUrl, superuser };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/**
 * The application connects as `kefu_app`: no superuser, no BYPASSRLS, no DDL, and the audit log is append-only
 * for it. Its password is derived from the installation's secret key, so every node computes the same one.
 * Without a password the role cannot log in, and the pool switches to it with a `role` startup parameter.
 * Where the database user may not create roles (a managed PostgreSQL), the app runs as that user and FORCE ROW
 * LEVEL SECURITY still applies.
 */
async function ensureAppRole(client: pg.Client, log: (line: string) => void, password: string | undefined): Promise<string | undefined> {
  const role = pg.escapeIdentifier(APP_ROLE);
  try {
    const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE])).rowCount === 1;
    const login = password ? `LOGIN PASSWORD ${client.escapeLiteral(password)}` : 'NOLOGIN';
    await client.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${role} ${login} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`);
    await client.query(`GRANT ${role} TO current_user`).catch(() => {});
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${role}`);
    await client.query(`REVOKE ALL ON schema_migrations FROM ${role}`);
    await client.query(`GRANT SELECT ON schema_migrations TO ${role}`);
    return APP_ROLE;
  } catch (err) {
    log(`could not set up the ${APP_ROLE} role (${(err as Error).message}); the application will use the connecting user`);
    return undefined;
  }
}
