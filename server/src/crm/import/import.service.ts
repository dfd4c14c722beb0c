// Contact imports: the file is stored as a blob, a `crm.import` job reads it in batches of 1,000 rows, each
// batch committed together with its progress and its rows' errors — so a job that dies resumes where it
// stopped, and a bad row is reported and skipped whole (never half-written). A dry run runs the same batches
// and rolls their writes back, so its report is exactly what the real import would do.
import { sql } from 'drizzle-orm';
import { requirePermission, systemActor, type Actor } from '../../platform/auth/actor.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { BlobStore } from '../../platform/blob/blob-store.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { enqueueJob, type Job, type JobHandler } from '../../platform/jobs/job-runner.ts';
import { canSeeDivision } from '../../platform/auth/actor.ts';
import { resolveDivision } from '../crm-access.ts';
import { divisionScope, iso, one, rows, type Row } from '../crm-sql.ts';
import { fieldDefinitions } from '../contacts.service.ts';
import { CsvError, parseCsv } from './csv.ts';
import { writeBatch } from './import-batch.ts';
import { readXlsx } from './xlsx.ts';
import { guessMapping, isImportTarget, readRow, type ColumnMapping, type ImportRecord, type RowError } from './import-rows.ts';

export const CRM_IMPORT_JOB = 'crm.import';
const BATCH = 1000;

export interface ImportView {
  id: string;
  divisionId: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  dryRun: boolean;
  fileName: string;
  mapping: ColumnMapping;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  errors: number;
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface NewImport {
  divisionId?: string | undefined;
  fileName?: string | undefined;
  format?: 'csv' | 'xlsx' | undefined;
  content?: string | undefined;
  contentBase64?: string | undefined;
  mapping?: Record<string, string> | undefined;
  dryRun?: boolean | undefined;
}

const toView = (r: Row): ImportView => ({
  id: r.id as string,
  divisionId: r.division_id as string,
  status: r.status as ImportView['status'],
  dryRun: r.dry_run as boolean,
  fileName: r.file_name as string,
  mapping: r.mapping as ColumnMapping,
  totalRows: Number(r.total_rows),
  processedRows: Number(r.processed_rows),
  created: Number(r.created_count),
  updated: Number(r.updated_count),
  errors: Number(r.error_count),
  failure: (r.failure as string | null) ?? null,
  createdAt: iso(r.created_at)!,
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
});

class DryRunRollback extends Error {
  constructor(readonly outcome: Awaited<ReturnType<typeof writeBatch>>) {
    super('dry run');
  }
}

async function readBlob(blobs: BlobStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await blobs.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The user's mapping over the guessed one, checked against the file's header and the division's fields. */
function effectiveMapping(header: readonly string[], given: Record<string, string>, customKeys: readonly string[]): ColumnMapping | { field: string; message: string } {
  const mapping: ColumnMapping = { ...guessMapping(header) };
  for (const [column, target] of Object.entries(given)) {
    if (!header.includes(column)) return { field: `mapping.${column}`, message: 'is not a column of the file' };
    if (!isImportTarget(target)) return { field: `mapping.${column}`, message: `${target} is not something a column can be imported as` };
    mapping[column] = target;
  }
  for (const [column, target] of Object.entries(mapping)) {
    if (target.startsWith('custom.') && !customKeys.includes(target.slice(7))) return { field: `mapping.${column}`, message: `${target.slice(7)} is not a custom field of the division` };
  }
  if (!Object.values(mapping).some((t) => t !== 'ignore')) return { field: 'mapping', message: 'maps no column; say which column holds what' };
  return mapping;
}

export class ImportService {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly wake: () => void = () => {},
  ) {}

  async create(actor: Actor, input: NewImport): Promise<ImportView> {
    requirePermission(actor, 'crm.manage');
    const format = input.format ?? 'csv';
    let data: Buffer;
    let header: string[] | null = null;
    if (format === 'csv') {
      if (!input.content) throw invalid('content', 'is required (the CSV text)');
      try {
        header = parseCsv(input.content.slice(0, 64 * 1024).split(/\r?\n/)[0] ?? '').header;
      } catch (err) {
        throw invalid('content', err instanceof CsvError ? err.message : 'is not CSV');
      }
      data = Buffer.from(input.content, 'utf8');
    } else {
      // A workbook is opened by the job, not in the request: its header is checked there.
      if (!input.contentBase64) throw invalid('contentBase64', 'is required (the .xlsx file, base64)');
      data = Buffer.from(input.contentBase64, 'base64');
      for (const [column, target] of Object.entries(input.mapping ?? {})) {
        if (!isImportTarget(target)) throw invalid(`mapping.${column}`, `${target} is not something a column can be imported as`);
      }
    }
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const divisionId = await resolveDivision(tx, actor, input.divisionId);
      const defs = await fieldDefinitions(tx, actor.tenantId, divisionId);
      let mapping: Record<string, string> = input.mapping ?? {};
      if (header) {
        const checked = effectiveMapping(header, mapping, defs.map((d) => d.key));
        if ('message' in checked) throw invalid(checked.field, checked.message);
        mapping = checked;
      }
      const row = (await one(
        tx,
        sql`INSERT INTO crm_imports (tenant_id, division_id, created_by, dry_run, format, file_name, mapping, blob_key)
            VALUES (${actor.tenantId}, ${divisionId}, ${actor.userId}, ${input.dryRun ?? false}, ${format}, ${input.fileName ?? ''}, ${JSON.stringify(mapping)}::jsonb, '')
            RETURNING *`,
      ))!;
      const key = `crm-imports/${actor.tenantId}/${row.id as string}.${format}`;
      await this.blobs.put(key, data);
      await tx.execute(sql`UPDATE crm_imports SET blob_key = ${key} WHERE id = ${row.id as string}`);
      await enqueueJob(tx, { type: CRM_IMPORT_JOB, tenantId: actor.tenantId, payload: { importId: row.id }, idempotencyKey: `${CRM_IMPORT_JOB}:${row.id as string}`, maxAttempts: 3 });
      await recordAudit(tx, actor, { action: 'contacts.import_started', targetType: 'crm_import', targetId: row.id as string, details: { fileName: input.fileName ?? '', format, dryRun: input.dryRun ?? false, bytes: data.length } });
      this.wake();
      return toView({ ...row, blob_key: key });
    });
  }

  private async visible(tx: Tx, actor: Actor, id: string): Promise<Row> {
    const row = await one(tx, sql`SELECT * FROM crm_imports WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!row || !canSeeDivision(actor, row.division_id as string)) throw notFound('import');
    return row;
  }

  async get(actor: Actor, id: string): Promise<ImportView> {
    requirePermission(actor, 'crm.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => toView(await this.visible(tx, actor, id)));
  }

  async list(actor: Actor, limit: number): Promise<ImportView[]> {
    requirePermission(actor, 'crm.manage');
    return this.database.withTenant(actor.tenantId, async (tx) =>
      (await rows(tx, sql`SELECT * FROM crm_imports WHERE tenant_id = ${actor.tenantId} AND ${divisionScope(actor, sql`division_id`)} ORDER BY created_at DESC, id DESC LIMIT ${limit}`)).map(toView),
    );
  }

  /** The validation report: every bad row with the column and the reason, in row order. */
  async errors(actor: Actor, id: string, query: { limit: number; cursor?: string | undefined }): Promise<{ items: { line: number; field: string; message: string }[]; nextCursor: string | null }> {
    requirePermission(actor, 'crm.manage');
    const cursor = decodeCursor(query.cursor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.visible(tx, actor, id);
      const list = await rows<{ row_number: number; field: string; message: string }>(
        tx,
        sql`SELECT row_number, field, message FROM crm_import_errors WHERE tenant_id = ${actor.tenantId} AND import_id = ${id}
            ${cursor?.line ? sql`AND (row_number, field) > (${Number(cursor.line)}, ${cursor.field ?? ''})` : sql``}
            ORDER BY row_number, field LIMIT ${query.limit + 1}`,
      );
      const items = list.slice(0, query.limit).map((r) => ({ line: r.row_number, field: r.field, message: r.message }));
      const last = items[items.length - 1];
      return { items, nextCursor: list.length > query.limit && last ? encodeCursor({ line: String(last.line), field: last.field }) : null };
    });
  }

  /** The job handler: resumes at processed_rows, commits each batch with its progress. */
  handler(): JobHandler<{ importId: string }> {
    return async (job: Job<{ importId: string }>) => {
      const tenantId = job.tenantId!;
      const imp = await this.database.withTenant(tenantId, (tx) => one(tx, sql`SELECT * FROM crm_imports WHERE tenant_id = ${tenantId} AND id = ${job.payload.importId}`));
      if (!imp || imp.status === 'done' || imp.status === 'failed') return;
      const divisionId = imp.division_id as string;
      let table: ReturnType<typeof parseCsv>;
      try {
        const data = await readBlob(this.blobs, imp.blob_key as string);
        table = imp.format === 'xlsx' ? await readXlsx(data) : parseCsv(data.toString('utf8'));
      } catch (err) {
        await this.finish(tenantId, imp.id as string, err instanceof CsvError ? `line ${err.line}: ${err.message}` : 'the file cannot be read');
        return;
      }
      const defs = await this.database.withTenant(tenantId, (tx) => fieldDefinitions(tx, tenantId, divisionId));
      const mapping = effectiveMapping(table.header, imp.mapping as Record<string, string>, defs.map((d) => d.key));
      if ('message' in mapping) {
        await this.finish(tenantId, imp.id as string, `${mapping.field} ${mapping.message}`);
        return;
      }
      if (imp.format === 'xlsx' && Number(imp.processed_rows) === 0) {
        await this.database.withTenant(tenantId, (tx) => tx.execute(sql`UPDATE crm_imports SET mapping = ${JSON.stringify(mapping)}::jsonb WHERE id = ${imp.id as string}`));
      }
      await this.database.withTenant(tenantId, (tx) =>
        tx.execute(sql`UPDATE crm_imports SET status = 'running', total_rows = ${table.records.length}, started_at = COALESCE(started_at, clock_timestamp()) WHERE id = ${imp.id as string}`),
      );
      // Rows are validated in slices that yield to the event loop, so the next batch is validated while
      // PostgreSQL writes the current one (and the server keeps answering requests meanwhile).
      const validate = async (start: number) => {
        const slice = table.records.slice(start, start + BATCH);
        const errors: RowError[] = [];
        const records: ImportRecord[] = [];
        for (const [n, r] of slice.entries()) {
          if (n % 200 === 199) await new Promise((resolve) => setImmediate(resolve));
          const read = readRow(r.line, table.header, r.fields, mapping, defs);
          if (read.ok) records.push(read.record);
          else errors.push(...read.errors);
        }
        return { slice, errors, records };
      };
      let next = validate(Number(imp.processed_rows));
      for (let start = Number(imp.processed_rows); start < table.records.length; start += BATCH) {
        const { slice, errors, records } = await next;
        const writing = this.writeValidated(tenantId, divisionId, imp, start, slice.length, errors, records);
        next = validate(start + BATCH);
        await writing;
      }
      await this.finish(tenantId, imp.id as string, null);
    };
  }

  /** Writes one validated batch with its report lines and progress, in one transaction. */
  private async writeValidated(tenantId: string, divisionId: string, imp: Row, start: number, size: number, errors: RowError[], records: ImportRecord[]): Promise<void> {
    await this.database.withTenant(tenantId, async (tx) => {
      // Two imports of one tenant take turns batch by batch: each batch's matching must see the other's writes,
      // or the same new customer in both files would be created twice.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`crm.import:${tenantId}`}))`);
      let outcome: Awaited<ReturnType<typeof writeBatch>>;
      if (imp.dry_run) {
        outcome = await tx
          .transaction(async (inner) => {
            throw new DryRunRollback(await writeBatch(inner, tenantId, divisionId, (imp.created_by as string | null) ?? null, records));
          })
          .catch((err: unknown) => {
            if (err instanceof DryRunRollback) return err.outcome;
            throw err;
          });
      } else {
        outcome = await writeBatch(tx, tenantId, divisionId, (imp.created_by as string | null) ?? null, records);
      }
      const all = [...errors, ...outcome.errors];
      if (all.length) {
        await tx.execute(sql`
          INSERT INTO crm_import_errors (tenant_id, import_id, row_number, field, message)
          SELECT ${tenantId}, ${imp.id as string}, r.line, r.field, string_agg(r.message, '; ')
          FROM jsonb_to_recordset(${JSON.stringify(all)}::jsonb) AS r(line int, field text, message text)
          GROUP BY r.line, r.field
          ON CONFLICT DO NOTHING`);
      }
      const badRows = new Set(all.map((e) => e.line)).size;
      await tx.execute(sql`
        UPDATE crm_imports SET processed_rows = ${start + size}, created_count = created_count + ${outcome.created},
               updated_count = updated_count + ${outcome.updated}, error_count = error_count + ${badRows}
        WHERE id = ${imp.id as string}`);
    });
  }

  private async finish(tenantId: string, id: string, failure: string | null): Promise<void> {
    await this.database.withTenant(tenantId, async (tx) => {
      await tx.execute(sql`UPDATE crm_imports SET status = ${failure ? 'failed' : 'done'}, failure = ${failure}, finished_at = clock_timestamp() WHERE id = ${id}`);
      const done = (await one(tx, sql`SELECT * FROM crm_imports WHERE id = ${id}`))!;
      await recordAudit(tx, { ...systemActor(tenantId), userId: (done.created_by as string | null) ?? null }, {
        action: 'contacts.import_finished',
        targetType: 'crm_import',
        targetId: id,
        details: { dryRun: done.dry_run, rows: done.total_rows, created: done.created_count, updated: done.updated_count, errors: done.error_count, failure },
      });
    });
  }
}
