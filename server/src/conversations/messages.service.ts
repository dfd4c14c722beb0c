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

/** Takes the conversation's next sequence number (under the counter row's lock) and stores the message with it. */
const insertMessage = (tenantId: string, interactionId: string, input: AppendInput) => sql`
  WITH counter AS (
    INSERT INTO conversation_counters (interaction_id, tenant_id, last_seq) VALUES (${interactionId}, ${tenantId}, 1)
    ON CONFLICT (interaction_id) DO UPDATE SET last_seq = conversation_counters.last_seq + 1
    RETURNING last_seq
  ), m AS (
    INSERT INTO conversation_messages (tenant_id, interaction_id, seq, sender, sender_user_id, sender_name, client_message_id, body, attachment_id)
    SELECT ${tenantId}::uuid, ${interactionId}::uuid, counter.last_seq, ${input.sender}::text, ${input.senderUserId ?? null}::uuid, ${input.senderName ?? ''}::text,
           ${input.clientMessageId ?? null}::text, ${input.body}::text, ${input.attachmentId ?? null}::uuid
    FROM counter
    RETURNING *
  )
  SELECT m.*, a.file_name, a.content_type, a.size, a.image_width, a.image_height
  FROM m LEFT JOIN conversation_attachments a ON a.id = m.attachment_id`;

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
   * `input` may be a function run first in the same transaction: a caller's check that must hold when the message
   * is stored (a chat still assigned to the sender), and that names the sender from what it read.
   *
   * The hot path is one statement in one transaction (a chat message costs BEGIN, tenant, [check,] insert, COMMIT):
   * the counter row's increment, the insert and the attachment join are one CTE. A resend is not looked up first:
   * it loses on the (conversation, sender, client id) unique key, the transaction rolls back (the counter with it,
   * so numbers stay gapless) and the stored message is read — the same outcome as a concurrent duplicate.
   */
  async append(
    tenantId: string,
    interactionId: string,
    input: AppendInput | ((tx: Tx) => Promise<AppendInput>),
  ): Promise<{ message: ConversationMessage; created: boolean }> {
    let resolved: AppendInput | undefined = typeof input === 'function' ? undefined : input;
    try {
      return await this.database.withTenant(tenantId, async (tx) => {
        resolved = typeof input === 'function' ? await input(tx) : input;
        const [stored] = (await tx.execute(insertMessage(tenantId, interactionId, resolved))).rows;
        return { message: toMessage(stored!), created: true };
      });
    } catch (err) {
      if (!isUniqueViolation(err) || !resolved?.clientMessageId) throw err;
      const { sender, clientMessageId } = resolved;
      const [found] = (
        await this.database.withTenant(tenantId, (tx) =>
          tx.execute(sql`${selectMessages} WHERE m.tenant_id = ${tenantId} AND m.interaction_id = ${interactionId}
            AND m.sender = ${sender} AND m.client_message_id = ${clientMessageId}`),
        )
      ).rows;
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

  /**
   * Many receipts in one statement (the widget gateway batches the visitors' acks). Each entry is one
   * conversation and reader, its marks merged: delivered up to `deliveredUpTo`, read up to `readUpTo` (0: none;
   * read implies delivered). Answers, per entry, the highest sequence number that became read and the highest
   * that became only delivered (null: none), so the other side hears what changed.
   */
  async receipts(
    tenantId: string,
    entries: { interactionId: string; reader: 'customer' | 'agent'; deliveredUpTo: number; readUpTo: number }[],
  ): Promise<{ delivered: number | null; read: number | null }[]> {
    const out = entries.map(() => ({ delivered: null as number | null, read: null as number | null }));
    if (!entries.length) return out;
    const rows = entries.map((e, i) => ({ i, interaction_id: e.interactionId, reader: e.reader, delivered_seq: Math.max(e.deliveredUpTo, e.readUpTo), read_seq: e.readUpTo }));
    const list = await this.database.withTenant(tenantId, (tx) =>
      tx.execute<{ i: number; seq: number; read: boolean }>(sql`
        UPDATE conversation_messages m SET
          delivered_at = coalesce(m.delivered_at, clock_timestamp()),
          read_at = CASE WHEN m.seq <= v.read_seq THEN coalesce(m.read_at, clock_timestamp()) ELSE m.read_at END
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(i int, interaction_id uuid, reader text, delivered_seq int, read_seq int)
        WHERE m.tenant_id = ${tenantId} AND m.interaction_id = v.interaction_id AND m.seq <= v.delivered_seq
          AND m.sender = ANY (CASE WHEN v.reader = 'customer' THEN ARRAY['agent', 'bot', 'system'] ELSE ARRAY['customer'] END)
          AND (m.delivered_at IS NULL OR (m.seq <= v.read_seq AND m.read_at IS NULL))
        RETURNING v.i, m.seq, m.seq <= v.read_seq AS read`),
    );
    for (const r of list.rows) {
      const entry = out[Number(r.i)]!;
      const key = r.read ? 'read' : 'delivered';
      entry[key] = Math.max(entry[key] ?? 0, Number(r.seq));
    }
    return out;
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
