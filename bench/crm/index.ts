/**
 * CRM benchmark: contact lookup by phone with 1 million contacts, and CSV import throughput.
 * A fresh embedded PostgreSQL in a temp dir; contacts are bulk-loaded with INSERT … SELECT generate_series.
 * Prints one JSON object; progress goes to stderr. Options: --contacts=1000000 --lookups=5000 --import-rows=20000
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../server/src/platform/auth/actor.ts';
import { LocalBlobStore } from '../../server/src/platform/blob/blob-store.ts';
import { SecretBox } from '../../server/src/platform/crypto/secret-box.ts';
import { startEmbeddedPostgres } from '../../server/src/platform/db/embedded-postgres.ts';
import { openDatabase } from '../../server/src/platform/db/open-database.ts';
import { createTenant } from '../../server/src/platform/tenancy/tenants.service.ts';
import { ContactsService, findByIdentity } from '../../server/src/crm/contacts.service.ts';
import { requireIdentity } from '../../server/src/crm/identities.ts';
import { ImportService } from '../../server/src/crm/import/import.service.ts';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const CONTACTS = Number(args.get('contacts') ?? 1_000_000);
const LOOKUPS = Number(args.get('lookups') ?? 5000);
const IMPORT_ROWS = Number(args.get('import-rows') ?? 20_000);
const CHUNK = 100_000;
const log = (...a: unknown[]) => console.error('[bench/crm]', ...a);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { p50Ms: +percentile(s, 50).toFixed(3), p99Ms: +percentile(s, 99).toFixed(3), maxMs: +s[s.length - 1]!.toFixed(3) };
};
/** The mobile number of generated contact n (1-based): 13 + 9 digits. */
const phoneOf = (n: number) => `13${String(n).padStart(9, '0')}`;

const dir = await mkdtemp(path.join(tmpdir(), 'kefu-bench-crm-'));
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg') });
try {
  const database = await openDatabase(pg.adminUrl, SecretBox.fromHex(randomBytes(32).toString('hex')), { info: () => {}, warn: log }, 4);
  const { tenantId, divisionId } = await database.withSystem(async (tx) => {
    const { tenant, defaultDivisionId } = await createTenant(tx, { name: 'Bench', slug: 'bench' });
    return { tenantId: tenant.id, divisionId: defaultDivisionId };
  });

  log(`loading ${CONTACTS} contacts`);
  const loadStart = performance.now();
  for (let from = 1; from <= CONTACTS; from += CHUNK) {
    const to = Math.min(CONTACTS, from + CHUNK - 1);
    await database.withSystem(async (tx) => {
      await tx.execute(sql`
        INSERT INTO crm_contacts (id, tenant_id, division_id, display_name, search_name, tags)
        SELECT md5('c' || n)::uuid, ${tenantId}, ${divisionId}, '客户' || n, '客户' || n, '{}'
        FROM generate_series(${from}::int, ${to}::int) AS n`);
      await tx.execute(sql`
        INSERT INTO crm_identities (tenant_id, contact_id, kind, value, match_key)
        SELECT ${tenantId}, md5('c' || n)::uuid, 'phone', '+8613' || lpad(n::text, 9, '0'), '+8613' || lpad(n::text, 9, '0')
        FROM generate_series(${from}::int, ${to}::int) AS n`);
    });
    log(`  ${to} loaded`);
  }
  await database.withSystem((tx) => tx.execute(sql`ANALYZE crm_contacts; ANALYZE crm_identities`));
  const loadSeconds = (performance.now() - loadStart) / 1000;

  const actor = systemActor(tenantId);
  const contacts = new ContactsService(database);
  const picks = Array.from({ length: LOOKUPS }, () => 1 + Math.floor(Math.random() * CONTACTS));
  // Warm-up (connections, plans, index pages), then both lookups of the same random contacts, interleaved so
  // that neither gets a warmer cache than the other.
  for (let n = 1; n <= 2000; n++) await contacts.lookup(actor, 'phone', phoneOf(1 + Math.floor(Math.random() * CONTACTS)));
  log(`${LOOKUPS} × 2 lookups: IVR path (normalize + indexed identity match) and screen pop (contact, identities, company, orders)`);
  const ivr: number[] = [];
  const pop: number[] = [];
  for (const n of picks) {
    let t0 = performance.now();
    const identity = requireIdentity('phone', phoneOf(n), 'value');
    const id = await database.withTenant(tenantId, (tx) => findByIdentity(tx, tenantId, identity));
    ivr.push(performance.now() - t0);
    if (!id) throw new Error(`contact ${n} not found`);
    t0 = performance.now();
    await contacts.lookup(actor, 'phone', `${phoneOf(n).slice(0, 3)}-${phoneOf(n).slice(3, 7)}-${phoneOf(n).slice(7)}`);
    pop.push(performance.now() - t0);
  }

  log(`importing ${IMPORT_ROWS} CSV rows`);
  const lines = ['客户编号,姓名,手机,邮箱,公司,标签'];
  for (let i = 0; i < IMPORT_ROWS; i++) lines.push(`IMP${i},导入客户${i},+86 150 ${String(i).padStart(8, '0').replace(/(\d{4})(\d{4})/, '$1 $2')},imp${i}@example.com,公司${i % 100},vip;导入`);
  const blobs = new LocalBlobStore(path.join(dir, 'blobs'));
  const imports = new ImportService(database, blobs);
  const created = await imports.create(actor, { content: `${lines.join('\r\n')}\r\n`, fileName: 'bench.csv' });
  const handler = imports.handler();
  const importStart = performance.now();
  await handler({ id: 'bench', tenantId, type: 'crm.import', payload: { importId: created.id }, attempt: 1, maxAttempts: 1 });
  const importSeconds = (performance.now() - importStart) / 1000;
  const result = await imports.get(actor, created.id);
  if (result.created !== IMPORT_ROWS || result.errors !== 0) throw new Error(`import result ${JSON.stringify(result)}`);
  log(`re-importing the same ${IMPORT_ROWS} rows (all updates)`);
  const again = await imports.create(actor, { content: `${lines.join('\r\n')}\r\n`, fileName: 'bench-again.csv' });
  const reStart = performance.now();
  await handler({ id: 'bench2', tenantId, type: 'crm.import', payload: { importId: again.id }, attempt: 1, maxAttempts: 1 });
  const reSeconds = (performance.now() - reStart) / 1000;

  const ivrStats = summary(ivr);
  const popStats = summary(pop);
  const rowsPerSecond = Math.round(IMPORT_ROWS / importSeconds);
  console.log(
    JSON.stringify({
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), loadAverage1m: +loadavg()[0]!.toFixed(1) },
      contacts: CONTACTS,
      bulkLoadSeconds: +loadSeconds.toFixed(1),
      lookups: LOOKUPS,
      lookupByPhone: ivrStats,
      screenPopLookup: popStats,
      importRows: IMPORT_ROWS,
      importRowsPerSecond: rowsPerSecond,
      reimportRowsPerSecond: Math.round(IMPORT_ROWS / reSeconds),
      targets: { lookupP99Ms: 5, importRowsPerSecond: 5000 },
      met: { lookup: ivrStats.p99Ms < 5 && popStats.p99Ms < 5, import: rowsPerSecond >= 5000 },
    }),
  );
  await database.close();
} finally {
  await pg.stop();
  await rm(dir, { recursive: true, force: true });
}
