// Messages of text conversations (chat first): every message gets the next sequence number of its interaction
// (gapless, taken under the counter row's lock), a sender's client message id makes a resend return the stored
// message instead of a second one, and receipts mark the other side's messages delivered/read up to a number.
// Channels write on the system path (tenant id given); people read through MessagesRoutes with division checks.
import { sql } from 'drizzle-orm';
import { canSeeDivision, type Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { notFound } from '../platform/errors.ts';

export type MessageSender = 'customer' | 'agent' | 'bot' | 'system';

export interface AttachmentRef {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  imageWidth: number | null;
  imageHeight: number | null;
}

export interface ConversationMessage {
  id: string;
  interactionId: string;
  seq: number;
  sender: MessageSender;
  senderUserId: string | null;
  senderName: string;
  clientMessageId: string | null;
  body: string;
  attachment: AttachmentRef | null;
  createdAt: string;
  deliveredAt: string | null;
  readAt: string | null;
}

export interface AppendInput {
  sender: MessageSender;
  senderUserId?: string | null;
  senderName?: string;
  clientMessageId?: string | null;
  body: string;
  attachmentId?: string | null;
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const selectMessages = sql`
  SELECT m.*, a.file_name, a.content_type, a.size, a.image_width, a.image_height
  FROM conversation_messages m LEFT JOIN conversation_attachments a ON a.id = m.attachment_id`;

function toMessage(r: Row): ConversationMessage {
  return {
    id: r.id as string,
    interactionId: r.interaction_id as string,
    seq: Number(r.seq),
    sender: r.sender as MessageSender,
    senderUserId: (r.sender_user_id as string | null) ?? null,
    senderName: r.sender_name as string,
    clientMessageId: (r.client_message_id as string | null) ?? null,
    body: r.body as string,
    attachment: r.attachment_id
      ? {
          id: r.attachment_id as string,
          fileName: r.file_name as string,
          contentType: r.content_type as string,
          size: Number(r.size),
          imageWidth: r.image_width === null ? null : Number(r.image_width),
          imageHeight: r.image_height === null ? null : Number(r.image_height),
        }
      : null,
    createdAt: iso(r.created_at)!,
    deliveredAt: iso(r.delivered_at),
    readAt: iso(r.read_at),
  };
}

export class MessagesService {
  constructor(private readonly database: Database) {}

  /**
   * Appends a message, or returns the one already stored under the sender's client message id (`created` false).
   * A concurrent duplicate loses on the unique key and reads the winner.
   */
  async append(tenantId: string, interactionId: string, input: AppendInput): Promise<{ message: ConversationMessage; created: boolean }> {
    const existing = async (tx: Tx) =>
      input.clientMessageId
        ? (await tx.execute(sql`${selectMessages} WHERE m.tenant_id = ${tenantId} AND m.interaction_id = ${interactionId}
              AND m.sender = ${input.sender} AND m.client_message_id = ${input.clientMessageId}`)).rows[0]
        : undefined;
    try {
      return await this.database.withTenant(tenantId, async (tx) => {
        const found = await existing(tx);
        if (found) return { message: toMessage(found), created: false };
        const [counter] = (
          await tx.execute<{ last_seq: number }>(sql`
            INSERT INTO conversation_counters (interaction_id, tenant_id, last_seq) VALUES (${interactionId}, ${tenantId}, 1)
            ON CONFLICT (interaction_id) DO UPDATE SET last_seq = conversation_counters.last_seq + 1
            RETURNING last_seq`)
        ).rows;
        const [row] = (
          await tx.execute(sql`
            INSERT INTO conversation_messages (tenant_id, interaction_id, seq, sender, sender_user_id, sender_name, client_message_id, body, attachment_id)
            VALUES (${tenantId}, ${interactionId}, ${counter!.last_seq}, ${input.sender}, ${input.senderUserId ?? null}, ${input.senderName ?? ''},
                    ${input.clientMessageId ?? null}, ${input.body}, ${input.attachmentId ?? null})
            RETURNING id`)
        ).rows;
        const [stored] = (await tx.execute(sql`${selectMessages} WHERE m.tenant_id = ${tenantId} AND m.id = ${row!.id as string}`)).rows;
        return { message: toMessage(stored!), created: true };
      });
    } catch (err) {
      if (!isUniqueViolation(err) || !input.clientMessageId) throw err;
      const found = await this.database.withTenant(tenantId, existing);
      if (!found) throw err;
      return { message: toMessage(found), created: false };
    }
  }

  /** Messages after a sequence number, in order (resume after a reconnect, transcript pages). */
  async after(tenantId: string, interactionId: string, afterSeq: number, limit = 500): Promise<ConversationMessage[]> {
    const list = await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`${selectMessages} WHERE m.tenant_id = ${tenantId} AND m.interaction_id = ${interactionId} AND m.seq > ${afterSeq}
        ORDER BY m.seq LIMIT ${limit}`),
    );
    return list.rows.map(toMessage);
  }

  /**
   * Marks the messages of the other side up to `seq` delivered or read (read implies delivered). Returns the
   * highest sequence number that changed, or null when nothing did (a repeated receipt).
   */
  async receipt(tenantId: string, interactionId: string, reader: 'customer' | 'agent', kind: 'delivered' | 'read', seq: number): Promise<number | null> {
    const senders = reader === 'customer' ? ['agent', 'bot', 'system'] : ['customer'];
    const list = await this.database.withTenant(tenantId, (tx) =>
      tx.execute<{ seq: number }>(sql`
        UPDATE conversation_messages SET
          delivered_at = coalesce(delivered_at, clock_timestamp()),
          read_at = CASE WHEN ${kind === 'read'} THEN coalesce(read_at, clock_timestamp()) ELSE read_at END
        WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND seq <= ${seq}
          AND sender IN (SELECT jsonb_array_elements_text(${JSON.stringify(senders)}::jsonb))
          AND (delivered_at IS NULL OR (${kind === 'read'} AND read_at IS NULL))
        RETURNING seq`),
    );
    return list.rows.length ? Math.max(...list.rows.map((r) => Number(r.seq))) : null;
  }

  /** The transcript for a person: the interaction must be in a division they see. */
  async transcript(actor: Actor, interactionId: string, afterSeq = 0, limit = 500): Promise<ConversationMessage[]> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = (await tx.execute<{ division_id: string }>(sql`SELECT division_id FROM interactions WHERE tenant_id = ${actor.tenantId} AND id = ${interactionId}`)).rows;
      if (!row || !canSeeDivision(actor, row.division_id)) throw notFound('interaction');
      const list = await tx.execute(sql`${selectMessages} WHERE m.tenant_id = ${actor.tenantId} AND m.interaction_id = ${interactionId} AND m.seq > ${afterSeq}
        ORDER BY m.seq LIMIT ${limit}`);
      return list.rows.map(toMessage);
    });
  }
}
