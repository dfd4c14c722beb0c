import pg from 'pg';
import { expect, inject, test } from 'vitest';

test('the test run has a real PostgreSQL server', async () => {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  const { rows } = await client.query<{ v: string }>("select current_setting('server_version') as v");
  await client.end();
  expect(Number(rows[0]?.v.split('.')[0])).toBeGreaterThanOrEqual(15);
});
