import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupDatabase, restoreDatabase } from '../platform/backup/backup.ts';
import type { Config } from '../platform/config.ts';
import { migrate } from '../platform/db/migrate.ts';
import { CliError } from './cli-error.ts';
import { withDatabaseUrl } from './database-url.ts';

export async function backupCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  if (!values.out) throw new CliError('--out: give the file to write the backup to, e.g. --out kefu-backup.jsonl.gz');
  const out = path.resolve(values.out);
  if (fs.existsSync(out)) throw new CliError(`--out: ${out} exists; choose a new file`);
  const result = await withDatabaseUrl(config, (url) => backupDatabase(url, out));
  console.log(`backup written to ${out}: ${result.tables} tables, ${result.rows} rows`);
  return 0;
}

export async function restoreCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { in: { type: 'string' } } });
  if (!values.in) throw new CliError('--in: give the backup file to restore');
  const file = path.resolve(values.in);
  if (!fs.existsSync(file)) throw new CliError(`--in: ${file} does not exist`);
  const result = await withDatabaseUrl(config, async (url) => {
    await migrate(url);
    try {
      return await restoreDatabase(url, file);
    } catch (err) {
      throw new CliError(`restore failed, nothing was changed: ${(err as Error).message}`);
    }
  });
  console.log(`restored ${result.rows} rows into ${result.tables} tables`);
  return 0;
}
