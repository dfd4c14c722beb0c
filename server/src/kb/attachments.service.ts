// Files and images in articles: the bytes go to the blob store under the tenant's prefix, the row keeps the
// detected type. Articles refer to them as `attachment:<id>` in Markdown; each renderer turns that into its own
// URL (the signed-in app's /api/v1/kb/attachments/<id>, the help center's /help/<slug>/files/<id>).
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import type { BlobStore } from '../platform/blob/blob-store.ts';
import type { Database } from '../platform/db/database.ts';
import { invalid, notFound } from '../platform/errors.ts';
import type { ArticlesService } from './articles.service.ts';
import { cleanFileName, detectAttachment } from './attachment-types.ts';
import { requireEdit } from './kb-access.ts';
import { iso, one, rows } from './kb-sql.ts';

interface AttachmentRow {
  id: string;
  article_id: string;
  blob_key: string;
  file_name: string;
  content_type: string;
  inline: boolean;
  size_bytes: number;
  created_at: Date;
}

export interface StoredAttachment {
  id: string;
  articleId: string;
  fileName: string;
  contentType: string;
  inline: boolean;
  size: number;
  /** What to write in the article's Markdown. */
  markdown: string;
  createdAt: string;
}

const toAttachment = (r: AttachmentRow): StoredAttachment => ({
  id: r.id,
  articleId: r.article_id,
  fileName: r.file_name,
  contentType: r.content_type,
  inline: r.inline,
  size: r.size_bytes,
  markdown: `${r.inline ? '!' : ''}[${r.file_name.replace(/[[\]]/g, '')}](attachment:${r.id})`,
  createdAt: iso(r.created_at)!,
});

export class AttachmentsService {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly articles: ArticlesService,
  ) {}

  async upload(actor: Actor, articleId: string, data: Buffer | undefined, rawName: string): Promise<StoredAttachment> {
    requireEdit(actor);
    // The article first (404 for what the editor may not see, before anything about the file), then the file's
    // type, then the blob, then the row: a crash in between leaves an unreferenced blob, never a row without bytes.
    await this.database.withTenant(actor.tenantId, (tx) => this.articles.row(tx, actor, articleId));
    if (data === undefined) throw invalid('file', 'send the file as the request body');
    const fileName = cleanFileName(rawName);
    const detected = detectAttachment(data, fileName);
    if (!detected.ok) throw invalid('file', `the file ${detected.reason}`);
    const id = randomUUID();
    const key = `${actor.tenantId}/kb/${id}`;
    const info = await this.blobs.put(key, data);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const row = await one<AttachmentRow>(
        tx,
        sql`INSERT INTO kb_attachments (id, tenant_id, article_id, blob_key, file_name, content_type, inline, size_bytes, sha256, created_by)
          VALUES (${id}, ${actor.tenantId}, ${articleId}, ${key}, ${fileName}, ${detected.file.contentType}, ${detected.file.inline}, ${info.size}, ${info.sha256}, ${actor.userId})
          RETURNING *`,
      );
      return toAttachment(row!);
    });
  }

  async list(actor: Actor, articleId: string): Promise<StoredAttachment[]> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.articles.row(tx, actor, articleId);
      const list = await rows<AttachmentRow>(tx, sql`SELECT * FROM kb_attachments WHERE tenant_id = ${actor.tenantId} AND article_id = ${articleId} ORDER BY created_at, id`);
      return list.map(toAttachment);
    });
  }

  /** For people: the file if they may see its article (editors any state, others live articles only). */
  async open(actor: Actor, id: string): Promise<{ attachment: StoredAttachment; stream: Readable }> {
    const row = await this.visibleRow(actor, id);
    return { attachment: toAttachment(row), stream: await this.blobs.get(row.blob_key) };
  }

  async info(actor: Actor, id: string): Promise<StoredAttachment> {
    return toAttachment(await this.visibleRow(actor, id));
  }

  private async visibleRow(actor: Actor, id: string): Promise<AttachmentRow> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const r = await one<AttachmentRow>(tx, sql`SELECT * FROM kb_attachments WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!r) throw notFound('attachment');
      await this.articles.row(tx, actor, r.article_id).catch(() => Promise.reject(notFound('attachment')));
      return r;
    });
  }

  /** For the help center: only files of live public articles in public spaces. */
  async openPublic(tenantId: string, id: string, now = new Date()): Promise<{ attachment: StoredAttachment; stream: Readable }> {
    const row = await this.database.withTenant(tenantId, (tx) =>
      one<AttachmentRow>(
        tx,
        sql`SELECT f.* FROM kb_attachments f JOIN kb_articles a ON a.id = f.article_id JOIN kb_spaces s ON s.id = a.space_id
          WHERE f.tenant_id = ${tenantId} AND f.id = ${id} AND a.status = 'published' AND a.audience = 'public'
            AND s.visibility IN ('public', 'both') AND (a.expires_at IS NULL OR a.expires_at > ${now})`,
      ),
    );
    if (!row) throw notFound('file');
    return { attachment: toAttachment(row), stream: await this.blobs.get(row.blob_key) };
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requireEdit(actor);
    const key = await this.database.withTenant(actor.tenantId, async (tx) => {
      const r = await one<AttachmentRow>(tx, sql`SELECT * FROM kb_attachments WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!r) throw notFound('attachment');
      await this.articles.row(tx, actor, r.article_id).catch(() => Promise.reject(notFound('attachment')));
      await tx.execute(sql`DELETE FROM kb_attachments WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      return r.blob_key;
    });
    await this.blobs.delete(key).catch(() => undefined);
  }
}
