// New-business updates (新业务更新): announcements to a division's staff that may require acknowledgement.
// Each person sees their unread updates at login; supervisors see who read and acknowledged, and remind the rest.
import { sql } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { AppError, invalid, notFound } from '../platform/errors.ts';
import { requireEdit } from './kb-access.ts';
import { iso, one, rows, uuidArray } from './kb-sql.ts';

interface UpdateRow {
  id: string;
  division_id: string;
  title: string;
  body: string;
  requires_ack: boolean;
  article_id: string | null;
  created_by: string | null;
  created_at: Date;
  read_at?: Date | null;
  acked_at?: Date | null;
}

const toUpdate = (u: UpdateRow) => ({
  id: u.id,
  divisionId: u.division_id,
  title: u.title,
  body: u.body,
  requiresAck: u.requires_ack,
  articleId: u.article_id,
  createdBy: u.created_by,
  createdAt: iso(u.created_at)!,
  readAt: iso(u.read_at),
  ackedAt: iso(u.acked_at),
});

export class UpdatesService {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(actor: Actor, input: { divisionId: string; title: string; body: string; requiresAck?: boolean | undefined; articleId?: string | undefined }) {
    requireEdit(actor);
    if (!canSeeDivision(actor, input.divisionId)) throw invalid('divisionId', 'no such division');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      if (!(await one(tx, sql`SELECT 1 FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${input.divisionId}`))) throw invalid('divisionId', 'no such division');
      if (input.articleId && !(await one(tx, sql`SELECT 1 FROM kb_articles WHERE tenant_id = ${actor.tenantId} AND id = ${input.articleId}`))) {
        throw invalid('articleId', 'no such article');
      }
      const row = await one<UpdateRow>(
        tx,
        sql`INSERT INTO kb_updates (tenant_id, division_id, title, body, requires_ack, article_id, created_by, created_at)
          VALUES (${actor.tenantId}, ${input.divisionId}, ${input.title}, ${input.body}, ${input.requiresAck ?? true}, ${input.articleId ?? null},
            ${actor.userId}, ${this.now()}) RETURNING *`,
      );
      await recordAudit(tx, actor, { action: 'kb_update.published', targetType: 'kb_update', targetId: row!.id, details: { title: input.title } });
      await appendEvent(tx, actor.tenantId, 'kb_update.published', { updateId: row!.id, divisionId: input.divisionId, title: input.title, requiresAck: row!.requires_ack });
      return toUpdate(row!);
    });
  }

  /** The actor's feed, newest first, with their own read and acknowledgement times. */
  async feed(actor: Actor, options: { unreadOnly?: boolean | undefined; limit?: number | undefined } = {}) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const list = await rows<UpdateRow>(
        tx,
        sql`SELECT u.*, r.read_at, r.acked_at FROM kb_updates u
          LEFT JOIN kb_update_receipts r ON r.update_id = u.id AND r.user_id = ${actor.userId}
          WHERE u.tenant_id = ${actor.tenantId}
          ${actor.divisions === 'all' ? sql`` : sql`AND u.division_id = ANY(${uuidArray(actor.divisions)})`}
          ${options.unreadOnly ? sql`AND (r.read_at IS NULL OR (u.requires_ack AND r.acked_at IS NULL))` : sql``}
          ORDER BY u.created_at DESC, u.id LIMIT ${options.limit ?? 50}`,
      );
      return list.map(toUpdate);
    });
  }

  async get(actor: Actor, id: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.updateFor(tx, actor, id);
      const row = await one<UpdateRow>(
        tx,
        sql`SELECT u.*, r.read_at, r.acked_at FROM kb_updates u LEFT JOIN kb_update_receipts r ON r.update_id = u.id AND r.user_id = ${actor.userId}
          WHERE u.tenant_id = ${actor.tenantId} AND u.id = ${id}`,
      );
      return toUpdate(row!);
    });
  }

  async markRead(actor: Actor, id: string) {
    return this.receipt(actor, id, 'read');
  }

  async acknowledge(actor: Actor, id: string) {
    return this.receipt(actor, id, 'ack');
  }

  private async receipt(actor: Actor, id: string, kind: 'read' | 'ack') {
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.updateFor(tx, actor, id);
      if (!actor.userId) throw new AppError('FORBIDDEN', 'only people read and acknowledge updates');
      const now = this.now();
      await tx.execute(sql`INSERT INTO kb_update_receipts (tenant_id, update_id, user_id, read_at, acked_at)
        VALUES (${actor.tenantId}, ${id}, ${actor.userId}, ${now}, ${kind === 'ack' ? now : null})
        ON CONFLICT (update_id, user_id) DO UPDATE SET read_at = coalesce(kb_update_receipts.read_at, EXCLUDED.read_at),
          acked_at = coalesce(kb_update_receipts.acked_at, EXCLUDED.acked_at)`);
    });
    return this.get(actor, id);
  }

  /** Who of the division's active staff has read and acknowledged an update. */
  async report(actor: Actor, id: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const update = await this.updateFor(tx, actor, id);
      requirePermission(actor, 'supervisor.console');
      const people = await rows<{ id: string; name: string; email: string; read_at: Date | null; acked_at: Date | null; reminded_at: Date | null }>(
        tx,
        sql`SELECT u.id, u.name, u.email, r.read_at, r.acked_at, r.reminded_at FROM users u
          JOIN user_divisions d ON d.user_id = u.id AND d.division_id = ${update.division_id}
          LEFT JOIN kb_update_receipts r ON r.update_id = ${id} AND r.user_id = u.id
          WHERE u.tenant_id = ${actor.tenantId} AND u.status = 'active' ORDER BY u.name, u.id`,
      );
      const list = people.map((p) => ({ userId: p.id, name: p.name, email: p.email, readAt: iso(p.read_at), ackedAt: iso(p.acked_at), remindedAt: iso(p.reminded_at) }));
      return {
        update: toUpdate(update),
        totals: { people: list.length, read: list.filter((p) => p.readAt).length, acknowledged: list.filter((p) => p.ackedAt).length },
        people: list,
      };
    });
  }

  /** Reminds everyone of the division who has not acknowledged yet (they see it again as unread at login). */
  async remind(actor: Actor, id: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const update = await this.updateFor(tx, actor, id);
      requirePermission(actor, 'supervisor.console');
      const pending = await rows<{ id: string }>(
        tx,
        sql`SELECT u.id FROM users u JOIN user_divisions d ON d.user_id = u.id AND d.division_id = ${update.division_id}
          LEFT JOIN kb_update_receipts r ON r.update_id = ${id} AND r.user_id = u.id
          WHERE u.tenant_id = ${actor.tenantId} AND u.status = 'active' AND r.acked_at IS NULL`,
      );
      const now = this.now();
      for (const p of pending) {
        await tx.execute(sql`INSERT INTO kb_update_receipts (tenant_id, update_id, user_id, reminded_at) VALUES (${actor.tenantId}, ${id}, ${p.id}, ${now})
          ON CONFLICT (update_id, user_id) DO UPDATE SET reminded_at = EXCLUDED.reminded_at`);
      }
      const userIds = pending.map((p) => p.id);
      await appendEvent(tx, actor.tenantId, 'kb_update.reminded', { updateId: id, userIds });
      return { reminded: userIds };
    });
  }

  private async updateFor(tx: Tx, actor: Actor, id: string): Promise<UpdateRow> {
    const row = await one<UpdateRow>(tx, sql`SELECT * FROM kb_updates WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!row || !canSeeDivision(actor, row.division_id)) throw notFound('update');
    return row;
  }
}
