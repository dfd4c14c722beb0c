// The contact timeline: notes written by people and entries added by other modules (interactions, tickets,
// orders, survey answers) through `addTimelineEntry`. The table stores kind + source reference + summary + data,
// so a new kind of entry needs no change here; the same source object adds one entry per kind (idempotent).
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import { requirePermission } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { invalid } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/pagination.ts';
import { visibleContact } from './crm-access.ts';
import { iso, one, rows, textArray, type Row } from './crm-sql.ts';

export interface TimelineEntry {
  id: string;
  contactId: string;
  at: string;
  kind: string;
  source: { type: string; id: string } | null;
  actorId: string | null;
  summary: string;
  data: Record<string, unknown>;
}

export interface NewTimelineEntry {
  contactId: string;
  kind: string;
  at?: Date;
  source?: { type: string; id: string };
  actorId?: string | null;
  summary?: string;
  data?: Record<string, unknown>;
}

const toEntry = (r: Row): TimelineEntry => ({
  id: r.id as string,
  contactId: r.contact_id as string,
  at: iso(r.at)!,
  kind: r.kind as string,
  source: r.source_type ? { type: r.source_type as string, id: r.source_id as string } : null,
  actorId: (r.actor_id as string | null) ?? null,
  summary: r.summary as string,
  data: r.data as Record<string, unknown>,
});

/** Adds an entry inside the caller's transaction; a second entry of the same kind for the same source is ignored. */
export async function addTimelineEntry(tx: Tx, tenantId: string, entry: NewTimelineEntry): Promise<string | null> {
  const row = await one<{ id: string }>(
    tx,
    sql`INSERT INTO crm_timeline (tenant_id, contact_id, at, kind, source_type, source_id, actor_id, summary, data)
        VALUES (${tenantId}, ${entry.contactId}, ${entry.at ?? sql`clock_timestamp()`}, ${entry.kind}, ${entry.source?.type ?? null},
                ${entry.source?.id ?? null}, ${entry.actorId ?? null}, ${entry.summary ?? ''}, ${JSON.stringify(entry.data ?? {})}::jsonb)
        ON CONFLICT DO NOTHING RETURNING id`,
  );
  return row?.id ?? null;
}

export class TimelineService {
  constructor(private readonly database: Database) {}

  /** Newest first, keyset-paginated on (at, id); `kinds` filters. */
  async list(actor: Actor, contactId: string, query: { limit: number; cursor?: string | undefined; kinds?: string[] | undefined }): Promise<{ items: TimelineEntry[]; nextCursor: string | null }> {
    requirePermission(actor, 'crm.read');
    const cursor = decodeCursor(query.cursor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleContact(tx, actor, contactId);
      const list = await rows(
        tx,
        sql`SELECT *, at::text AS at_key FROM crm_timeline WHERE tenant_id = ${actor.tenantId} AND contact_id = ${contactId}
            ${query.kinds?.length ? sql`AND kind = ANY(${textArray(query.kinds)})` : sql``}
            ${cursor?.at && cursor.id ? sql`AND (at, id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : sql``}
            ORDER BY at DESC, id DESC LIMIT ${query.limit + 1}`,
      );
      const page = list.slice(0, query.limit);
      const last = page[page.length - 1];
      // The cursor keeps PostgreSQL's microseconds (an ISO string would round them to milliseconds).
      return { items: page.map(toEntry), nextCursor: list.length > query.limit && last ? encodeCursor({ at: last.at_key as string, id: last.id as string }) : null };
    });
  }

  async addNote(actor: Actor, contactId: string, text: string | undefined): Promise<TimelineEntry> {
    requirePermission(actor, 'crm.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleContact(tx, actor, contactId);
      const body = (text ?? '').trim();
      if (!body) throw invalid('text', 'must not be empty');
      const id = await addTimelineEntry(tx, actor.tenantId, { contactId, kind: 'note', actorId: actor.userId, summary: body.slice(0, 200), data: { text: body } });
      return toEntry((await one(tx, sql`SELECT * FROM crm_timeline WHERE id = ${id}`))!);
    });
  }
}
