// Attachments of text conversations: the bytes go to the BlobStore under a key Kefu chooses, the row keeps the
// type detected from the bytes. Reading checks that the attachment belongs to the given interaction, and for
// people that the interaction is in a division they see.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { canSeeDivision, type Actor } from '../platform/auth/actor.ts';
import type { BlobStore } from '../platform/blob/blob-store.ts';
import type { Database } from '../platform/db/database.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { cleanFileName, detectFile } from './attachment-types.ts';
import type { AttachmentRef } from './messages.service.ts';

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export interface StoredAttachment extends AttachmentRef {
  interactionId: string;
  inline: boolean;
}

type Row = Record<string, unknown>;
const toAttachment = (r: Row): StoredAttachment => ({
  id: r.id as string,
  interactionId: r.interaction_id as string,
  fileName: r.file_name as string,
  contentType: r.content_type as string,
  size: Number(r.size),
  imageWidth: r.image_width === null ? null : Number(r.image_width),
  imageHeight: r.image_height === null ? null : Number(r.image_height),
  inline: (r.content_type as string).startsWith('image/'),
});

export class AttachmentsService {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
  ) {}

  async store(tenantId: string, interactionId: string, input: { data: Buffer; fileName: string; uploadedBy: 'customer' | 'agent' }): Promise<StoredAttachment> {
    if (input.data.length > MAX_ATTACHMENT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`, { field: 'file' });
    const detected = detectFile(input.data);
    if (!detected.ok) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `the file ${detected.reason}`, { field: 'file' });
    const id = randomUUID();
    const key = `${tenantId}/attachments/${id}`;
    await this.blobs.put(key, input.data);
    const [row] = (
      await this.database.withTenant(tenantId, (tx) =>
        tx.execute(sql`
          INSERT INTO conversation_attachments (id, tenant_id, interaction_id, blob_key, file_name, content_type, size, image_width, image_height, uploaded_by)
          VALUES (${id}, ${tenantId}, ${interactionId}, ${key}, ${cleanFileName(input.fileName)}, ${detected.file.contentType}, ${input.data.length},
                  ${detected.file.width}, ${detected.file.height}, ${input.uploadedBy})
          RETURNING *`),
      )
    ).rows;
    return toAttachment(row!);
  }

  /** The attachment of an interaction with its bytes (system path: the caller proved its right to the interaction). */
  async open(tenantId: string, interactionId: string, id: string): Promise<{ attachment: StoredAttachment; stream: Readable }> {
    const [row] = (
      await this.database.withTenant(tenantId, (tx) =>
        tx.execute(sql`SELECT * FROM conversation_attachments WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND id = ${id}`),
      )
    ).rows;
    if (!row) throw notFound('attachment');
    return { attachment: toAttachment(row), stream: await this.blobs.get(row.blob_key as string) };
  }

  /** For a person: the interaction must be in a division they see. */
  async openFor(actor: Actor, interactionId: string, id: string): Promise<{ attachment: StoredAttachment; stream: Readable }> {
    const [row] = (
      await this.database.withTenant(actor.tenantId, (tx) =>
        tx.execute<{ division_id: string }>(sql`SELECT division_id FROM interactions WHERE tenant_id = ${actor.tenantId} AND id = ${interactionId}`),
      )
    ).rows;
    if (!row || !canSeeDivision(actor, row.division_id)) throw notFound('attachment');
    return this.open(actor.tenantId, interactionId, id);
  }
}
