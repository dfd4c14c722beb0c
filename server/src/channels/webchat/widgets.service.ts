// Chat widgets: what the admin console configures (division, queue, allowed origins, appearance, business hours)
// and the HMAC secret for verified identities (sealed at rest, shown to admins). The gateway reads widgets on
// the system path by id (the id is public: it is in the snippet).
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { canSeeDivision, requirePermission, type Actor } from '../../platform/auth/actor.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { SecretBox } from '../../platform/crypto/secret-box.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { exactOrigin, widgetSettings, type WidgetSettings } from './widget-settings.ts';

export const createWidgetBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(120),
  divisionId: z.uuid(),
  queueId: z.uuid().nullable().optional(),
  allowedOrigins: z.array(exactOrigin).max(50).default([]),
  settings: widgetSettings.partial().optional(),
  enabled: z.boolean().optional(),
});
// Allowed origins without the create default: a PATCH that leaves them out keeps them (zod's partial() keeps
// defaults, which once emptied the list on a settings-only PATCH).
export const updateWidgetBody = createWidgetBody.omit({ divisionId: true, allowedOrigins: true }).partial().extend({ allowedOrigins: z.array(exactOrigin).max(50).optional() });

export interface Widget {
  id: string;
  tenantId: string;
  divisionId: string;
  queueId: string | null;
  name: string;
  allowedOrigins: string[];
  settings: WidgetSettings;
  enabled: boolean;
  createdAt: string;
}

export interface WidgetWithSecret extends Widget {
  identitySecret: string;
}

type Row = Record<string, unknown>;
const originArray = (values: readonly string[]) => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))::text[]`;

export class WidgetsService {
  constructor(
    private readonly database: Database,
    private readonly secrets: SecretBox,
  ) {}

  private toWidget(r: Row): Widget {
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      divisionId: r.division_id as string,
      queueId: (r.queue_id as string | null) ?? null,
      name: r.name as string,
      allowedOrigins: r.allowed_origins as string[],
      // Stored settings were validated on write; parsing again fills defaults added since.
      settings: widgetSettings.parse(r.settings ?? {}),
      enabled: r.enabled as boolean,
      createdAt: new Date(r.created_at as string).toISOString(),
    };
  }

  private withSecret(r: Row): WidgetWithSecret {
    return { ...this.toWidget(r), identitySecret: this.secrets.open(r.identity_secret_sealed as string) };
  }

  private async checkQueue(tx: Tx, tenantId: string, divisionId: string, queueId: string | null | undefined): Promise<void> {
    if (!queueId) return;
    const [q] = (await tx.execute<{ division_id: string; channels: string[] }>(sql`SELECT division_id, channels FROM routing_queues WHERE tenant_id = ${tenantId} AND id = ${queueId}`)).rows;
    if (!q || q.division_id !== divisionId) throw invalid('queueId', 'is not a queue of the widget’s division');
    if (!q.channels.includes('chat')) throw invalid('queueId', 'is a queue that does not serve chat');
  }

  async create(actor: Actor, input: z.infer<typeof createWidgetBody>): Promise<WidgetWithSecret> {
    requirePermission(actor, 'channels.manage');
    if (!canSeeDivision(actor, input.divisionId)) throw invalid('divisionId', 'is not a division you can see');
    const settings = widgetSettings.parse(input.settings ?? {});
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [division] = (await tx.execute(sql`SELECT 1 FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${input.divisionId}`)).rows;
      if (!division) throw invalid('divisionId', 'is not a division of this tenant');
      await this.checkQueue(tx, actor.tenantId, input.divisionId, input.queueId);
      const [row] = (
        await tx.execute(sql`
          INSERT INTO webchat_widgets (tenant_id, division_id, queue_id, name, allowed_origins, identity_secret_sealed, settings, enabled)
          VALUES (${actor.tenantId}, ${input.divisionId}, ${input.queueId ?? null}, ${input.name}, ${originArray(input.allowedOrigins)},
                  ${this.secrets.seal(randomBytes(32).toString('hex'))}, ${JSON.stringify(settings)}::jsonb, ${input.enabled ?? true})
          RETURNING *`)
      ).rows;
      await recordAudit(tx, actor, { action: 'webchat.widget_created', targetType: 'chat_widget', targetId: row!.id as string, details: { name: input.name, allowedOrigins: input.allowedOrigins } });
      return this.withSecret(row!);
    });
  }

  async list(actor: Actor): Promise<Widget[]> {
    requirePermission(actor, 'channels.manage');
    const list = await this.database.withTenant(actor.tenantId, (tx) => tx.execute(sql`SELECT * FROM webchat_widgets WHERE tenant_id = ${actor.tenantId} ORDER BY created_at, id`));
    return list.rows.map((r) => this.toWidget(r)).filter((w) => canSeeDivision(actor, w.divisionId));
  }

  async get(actor: Actor, id: string): Promise<WidgetWithSecret> {
    requirePermission(actor, 'channels.manage');
    const [row] = (await this.database.withTenant(actor.tenantId, (tx) => tx.execute(sql`SELECT * FROM webchat_widgets WHERE tenant_id = ${actor.tenantId} AND id = ${id}`))).rows;
    if (!row || !canSeeDivision(actor, row.division_id as string)) throw notFound('widget');
    return this.withSecret(row);
  }

  async update(actor: Actor, id: string, patch: z.infer<typeof updateWidgetBody>): Promise<WidgetWithSecret> {
    const current = await this.get(actor, id);
    const settings = widgetSettings.parse({ ...current.settings, ...(patch.settings ?? {}) });
    const origins = patch.allowedOrigins ?? current.allowedOrigins;
    return this.database.withTenant(actor.tenantId, async (tx) => {
      if (patch.queueId !== undefined) await this.checkQueue(tx, actor.tenantId, current.divisionId, patch.queueId);
      const [row] = (
        await tx.execute(sql`
          UPDATE webchat_widgets SET name = ${patch.name ?? current.name},
            queue_id = ${patch.queueId === undefined ? current.queueId : patch.queueId},
            allowed_origins = ${originArray(origins)},
            settings = ${JSON.stringify(settings)}::jsonb, enabled = ${patch.enabled ?? current.enabled}, updated_at = clock_timestamp()
          WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`)
      ).rows;
      await recordAudit(tx, actor, { action: 'webchat.widget_changed', targetType: 'chat_widget', targetId: id, details: { ...patch } });
      return this.withSecret(row!);
    });
  }

  /** A new HMAC secret: identities signed with the old one stop verifying at once. */
  async rotateSecret(actor: Actor, id: string): Promise<WidgetWithSecret> {
    await this.get(actor, id);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [row] = (
        await tx.execute(sql`UPDATE webchat_widgets SET identity_secret_sealed = ${this.secrets.seal(randomBytes(32).toString('hex'))}, updated_at = clock_timestamp()
          WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`)
      ).rows;
      await recordAudit(tx, actor, { action: 'webchat.widget_secret_rotated', targetType: 'chat_widget', targetId: id });
      return this.withSecret(row!);
    });
  }

  /** System path for the public gateway: the widget by its public id, across tenants. */
  async byPublicId(id: string): Promise<WidgetWithSecret | undefined> {
    if (!z.uuid().safeParse(id).success) return undefined;
    const [row] = (await this.database.withSystem((tx) => tx.execute(sql`SELECT * FROM webchat_widgets WHERE id = ${id}`))).rows;
    return row ? this.withSecret(row) : undefined;
  }
}
