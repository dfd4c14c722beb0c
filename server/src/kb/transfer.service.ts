// Import and export of a space's articles: a Markdown zip (one file per article with a small header, its images
// and files under files/) or a CSV (one row per article). Categories travel as "category / section" paths,
// translations as a shared group key, files as `attachment:` references rewritten to paths inside the zip.
// Imported articles arrive as drafts: they go through review like any other content.
import { Readable } from 'node:stream';
import JSZip from 'jszip';
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import type { BlobStore } from '../platform/blob/blob-store.ts';
import type { Database } from '../platform/db/database.ts';
import { AppError, invalid } from '../platform/errors.ts';
import { CsvError, csvLine, parseCsv } from '../crm/import/csv.ts';
import type { ArticlesService, Language } from './articles.service.ts';
import type { AttachmentsService } from './attachments.service.ts';
import { requireEdit, spaceFor } from './kb-access.ts';
import { rows } from './kb-sql.ts';
import type { SpacesService } from './spaces.service.ts';

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
const MAX_IMPORT_ARTICLES = 5_000;
const CSV_COLUMNS = ['id', 'language', 'title', 'category', 'tags', 'translation_group', 'audience', 'status', 'body'] as const;

interface ExportRow {
  id: string;
  language: Language;
  translation_group: string;
  audience: 'internal' | 'public';
  status: string;
  title: string;
  body: string;
  tags: string[];
  category: string | null;
  section: string | null;
}

interface ImportItem {
  /** Where it came from (file name or CSV line), for the report. */
  source: string;
  language: Language;
  title: string;
  body: string;
  tags: string[];
  category: string;
  group: string;
  audience: 'internal' | 'public' | undefined;
}

export interface ImportReport {
  created: number;
  categoriesCreated: number;
  files: number;
  errors: { source: string; message: string }[];
}

const ATTACHMENT_REF = /attachment:([0-9a-f-]{36})/g;
const safePart = (s: string) => s.replace(/[/\\:*?"<>|\u0000-\u001f]/g, '_').trim().slice(0, 80) || 'untitled';

/** The Markdown file of one article: a header of `key: JSON value` lines between `---`, then the body. */
export function toMarkdownFile(a: { id: string; title: string; language: string; category: string; tags: string[]; group: string; audience: string; status: string }, body: string): string {
  const header = Object.entries({ id: a.id, title: a.title, language: a.language, category: a.category, tags: a.tags, translationGroup: a.group, audience: a.audience, status: a.status })
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `---\n${header}\n---\n\n${body}\n`;
}

export function parseMarkdownFile(text: string): { meta: Record<string, unknown>; body: string } {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(input);
  if (!m) return { meta: {}, body: input.trim() };
  const meta: Record<string, unknown> = {};
  for (const line of m[1]!.split(/\r?\n/)) {
    const kv = /^([A-Za-z]+):\s*(.*)$/.exec(line);
    if (!kv) continue;
    try {
      meta[kv[1]!] = JSON.parse(kv[2]!);
    } catch {
      meta[kv[1]!] = kv[2]!.trim(); // a hand-written header may leave plain text unquoted
    }
  }
  return { meta, body: m[2]!.trim() };
}

export class TransferService {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly spaces: SpacesService,
    private readonly articles: ArticlesService,
    private readonly attachments: AttachmentsService,
  ) {}

  private async exportRows(actor: Actor, spaceId: string): Promise<{ name: string; list: ExportRow[] }> {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const space = await spaceFor(tx, actor, spaceId).catch(() => Promise.reject(invalid('spaceId', 'no such space')));
      // The latest version of every article (what editors work on), with its category path.
      const list = await rows<ExportRow>(
        tx,
        sql`SELECT a.id, a.language, a.translation_group, a.audience, a.status, v.title, v.body, v.tags,
            coalesce(p.name, c.name) AS category, CASE WHEN p.id IS NULL THEN NULL ELSE c.name END AS section
          FROM kb_articles a JOIN kb_article_versions v ON v.article_id = a.id AND v.version = a.latest_version
          LEFT JOIN kb_categories c ON c.id = a.category_id LEFT JOIN kb_categories p ON p.id = c.parent_id
          WHERE a.tenant_id = ${actor.tenantId} AND a.space_id = ${spaceId} AND a.status <> 'archived'
          ORDER BY a.translation_group, a.language, a.id`,
      );
      return { name: space.name, list };
    });
  }

  async exportCsv(actor: Actor, spaceId: string): Promise<{ fileName: string; data: Buffer }> {
    const { name, list } = await this.exportRows(actor, spaceId);
    let out = `\ufeff${csvLine([...CSV_COLUMNS])}`;
    for (const a of list) {
      out += csvLine([a.id, a.language, a.title, categoryPath(a), a.tags.join('|'), a.translation_group, a.audience, a.status, a.body]);
    }
    return { fileName: `${safePart(name)}.csv`, data: Buffer.from(out, 'utf8') };
  }

  async exportZip(actor: Actor, spaceId: string): Promise<{ fileName: string; data: Buffer }> {
    const { name, list } = await this.exportRows(actor, spaceId);
    const zip = new JSZip();
    const files = await this.database.withTenant(actor.tenantId, (tx) =>
      rows<{ id: string; blob_key: string; file_name: string }>(
        tx,
        sql`SELECT f.id, f.blob_key, f.file_name FROM kb_attachments f JOIN kb_articles a ON a.id = f.article_id
          WHERE f.tenant_id = ${actor.tenantId} AND a.space_id = ${spaceId}`,
      ),
    );
    const filePath = new Map(files.map((f) => [f.id, `files/${f.id}-${safePart(f.file_name)}`]));
    const used = new Set<string>();
    for (const a of list) {
      // Inside the zip an article's files are relative paths, so the export reads well in any Markdown viewer.
      const body = a.body.replace(ATTACHMENT_REF, (m, id: string) => (filePath.has(id) ? `../${filePath.get(id)}` : m));
      for (const [, id] of a.body.matchAll(ATTACHMENT_REF)) if (filePath.has(id!)) used.add(id!);
      const folder = safePart(categoryPath(a) || '_');
      zip.file(`articles/${folder}/${safePart(a.title)}.${a.id.slice(0, 8)}.${a.language}.md`, toMarkdownFile({ id: a.id, title: a.title, language: a.language, category: categoryPath(a), tags: a.tags, group: a.translation_group, audience: a.audience, status: a.status }, body));
    }
    for (const f of files.filter((x) => used.has(x.id))) zip.file(filePath.get(f.id)!, await streamToBuffer(await this.blobs.get(f.blob_key)));
    const data = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    return { fileName: `${safePart(name)}.zip`, data };
  }

  async importFile(actor: Actor, spaceId: string, format: 'zip' | 'csv', data: Buffer, onProgress?: (done: number, total: number) => void): Promise<ImportReport> {
    requireEdit(actor);
    if (data.length === 0) throw invalid('file', 'the file is empty');
    await this.database.withTenant(actor.tenantId, (tx) => spaceFor(tx, actor, spaceId)).catch(() => Promise.reject(invalid('spaceId', 'no such space')));
    const report: ImportReport = { created: 0, categoriesCreated: 0, files: 0, errors: [] };
    const { items, files } = format === 'csv' ? { items: this.readCsv(data, report), files: new Map<string, JSZip.JSZipObject>() } : await this.readZip(data, report);
    if (items.length > MAX_IMPORT_ARTICLES) throw invalid('file', `at most ${MAX_IMPORT_ARTICLES} articles per import`);

    const existing = (await this.spaces.get(actor, spaceId)).categories;
    const categoryId = async (path: string): Promise<string | null> => {
      const [top, section] = path.split('/').map((p) => p.trim()).filter(Boolean);
      if (!top) return null;
      let parent = existing.find((c) => c.parentId === null && c.name === top);
      if (!parent) {
        parent = await this.spaces.createCategory(actor, { spaceId, name: top });
        existing.push(parent);
        report.categoriesCreated++;
      }
      if (!section) return parent.id;
      let child = existing.find((c) => c.parentId === parent!.id && c.name === section);
      if (!child) {
        child = await this.spaces.createCategory(actor, { spaceId, parentId: parent.id, name: section });
        existing.push(child);
        report.categoriesCreated++;
      }
      return child.id;
    };

    const groupFirst = new Map<string, string>();
    onProgress?.(0, items.length);
    for (const [index, item] of items.entries()) {
      if (index > 0) onProgress?.(index, items.length);
      try {
        const created = await this.articles.create(actor, {
          spaceId,
          categoryId: await categoryId(item.category),
          language: item.language,
          title: item.title,
          body: '',
          tags: item.tags,
          ...(item.audience ? { audience: item.audience } : {}),
          ...(item.group && groupFirst.has(item.group) ? { translationOf: groupFirst.get(item.group)! } : {}),
        });
        if (item.group && !groupFirst.has(item.group)) groupFirst.set(item.group, created.id);
        // Files the body refers to (relative paths in a zip) become this article's attachments.
        let body = item.body;
        for (const [ref, path] of [...item.body.matchAll(/\]\(((?:\.\.\/)*files\/[^)\s]+)\)/g)].map((m) => [m[1]!, m[1]!.replace(/^(\.\.\/)+/, '')] as const)) {
          const file = files.get(path);
          if (!file) continue;
          const stored = await this.attachments.upload(actor, created.id, await file.async('nodebuffer'), path.replace(/^files\/[0-9a-f-]{36}-/, '').replace(/^files\//, ''));
          body = body.split(`(${ref})`).join(`(attachment:${stored.id})`);
          report.files++;
        }
        if (body !== '') await this.articles.update(actor, created.id, { body, note: 'imported' });
        report.created++;
      } catch (err) {
        report.errors.push({ source: item.source, message: err instanceof AppError ? err.message : String(err) });
      }
    }
    onProgress?.(items.length, items.length);
    return report;
  }

  private readCsv(data: Buffer, report: ImportReport): ImportItem[] {
    let table;
    try {
      table = parseCsv(data.toString('utf8'));
    } catch (err) {
      if (err instanceof CsvError) throw invalid('file', `line ${err.line}: ${err.message}`);
      throw err;
    }
    const col = (name: string) => table.header.findIndex((h) => h.trim().toLowerCase() === name);
    for (const required of ['language', 'title', 'body']) if (col(required) < 0) throw invalid('file', `the CSV has no "${required}" column`);
    const items: ImportItem[] = [];
    for (const record of table.records) {
      const get = (name: string) => (col(name) >= 0 ? (record.fields[col(name)] ?? '').trim() : '');
      const item = this.item(`line ${record.line}`, { language: get('language'), title: get('title'), body: record.fields[col('body')] ?? '', tags: get('tags').split('|'), category: get('category'), group: get('translation_group'), audience: get('audience') }, report);
      if (item) items.push(item);
    }
    return items;
  }

  private async readZip(data: Buffer, report: ImportReport): Promise<{ items: ImportItem[]; files: Map<string, JSZip.JSZipObject> }> {
    let zip: JSZip;
    try {
      zip = await JSZip.loadAsync(data);
    } catch {
      throw invalid('file', 'the file is not a zip archive');
    }
    const items: ImportItem[] = [];
    const files = new Map<string, JSZip.JSZipObject>();
    for (const entry of Object.values(zip.files)) {
      if (entry.dir) continue;
      const name = entry.name.replace(/\\/g, '/');
      if (name.includes('../') || name.startsWith('/')) continue; // never trust paths inside an archive
      if (/(^|\/)files\//.test(name)) files.set(name.slice(name.indexOf('files/')), entry);
    }
    for (const entry of Object.values(zip.files)) {
      if (entry.dir || !/\.md$/i.test(entry.name)) continue;
      // The declared size, checked before inflating, keeps a zip bomb from filling the memory.
      if (((entry as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0) > 1_000_000) {
        report.errors.push({ source: entry.name, message: 'larger than 1 MB of text' });
        continue;
      }
      const { meta, body } = parseMarkdownFile(await entry.async('string'));
      const str = (v: unknown) => (typeof v === 'string' ? v : '');
      const fallbackTitle = (entry.name.split('/').pop() ?? '').replace(/(\.[0-9a-f]{8})?(\.(zh-CN|en))?\.md$/i, '');
      const langFromName = /\.(zh-CN|en)\.md$/i.exec(entry.name)?.[1] ?? '';
      const item = this.item(entry.name, {
        language: str(meta.language) || langFromName || 'zh-CN',
        title: str(meta.title) || fallbackTitle,
        body,
        tags: Array.isArray(meta.tags) ? meta.tags.map(String) : str(meta.tags).split(/[|,]/),
        category: str(meta.category),
        group: str(meta.translationGroup),
        audience: str(meta.audience),
      }, report);
      if (item) items.push(item);
    }
    items.sort((a, b) => a.source.localeCompare(b.source));
    return { items, files };
  }

  private item(source: string, raw: { language: string; title: string; body: string; tags: string[]; category: string; group: string; audience: string }, report: ImportReport): ImportItem | undefined {
    const fail = (message: string) => void report.errors.push({ source, message });
    if (raw.language !== 'zh-CN' && raw.language !== 'en') return fail(`language must be zh-CN or en, not "${raw.language}"`);
    const title = raw.title.trim();
    if (title === '' || title.length > 200) return fail('title must be 1–200 characters');
    if (raw.body.length > 200_000) return fail('body is longer than 200,000 characters');
    const audience = raw.audience === 'internal' || raw.audience === 'public' ? raw.audience : undefined;
    return { source, language: raw.language, title, body: raw.body, tags: raw.tags.map((t) => t.trim()).filter(Boolean).slice(0, 30), category: raw.category, group: raw.group, audience };
  }
}

const categoryPath = (a: { category: string | null; section: string | null }) => [a.category, a.section].filter(Boolean).join(' / ');

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
