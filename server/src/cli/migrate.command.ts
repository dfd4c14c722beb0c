import type { Config } from '../platform/config.ts';
import { migrate } from '../platform/db/migrate.ts';
import { withDatabaseUrl } from './database-url.ts';

export async function migrateCommand(config: Config): Promise<number> {
  await withDatabaseUrl(config, async (url) => {
    const result = await migrate(url, (line) => console.log(line));
    console.log(result.applied.length ? `applied ${result.applied.length} migration(s)` : 'the database is up to date');
  });
  return 0;
}
