// Starts one embedded PostgreSQL for the whole test run; every test file makes its own database in it
// (see server/test/database.ts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/platform/db/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-test-pg-'));
  await fs.chmod(dir, 0o755); // the server runs as `postgres` when tests run as root
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
  project.provide('pgAdminUrl', pg.adminUrl);
  return async () => {
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
