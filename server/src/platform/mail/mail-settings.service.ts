// A tenant's outbound email (SMTP) settings, edited in the admin console. The password is sealed with the
// installation's key (the SecretBox that also seals flow and webhook secrets) and is write-only through the API:
// answers say whether one is set, never what it is. Only the mail sender reads it back (`forSending`).
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '../audit/audit.service.ts';
import { requirePermission, type Actor } from '../auth/actor.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Database } from '../db/database.ts';
import type { MailSettingsView } from '@kefu/contracts';

/** Host names and IP literals only: no scheme, path or spaces (a typo such as smtp://host is refused early). */
const host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'must be a host name or an IP address, without scheme or port');

export const mailSettingsBody = z.strictObject({
  host,
  port: z.number().int().min(1).max(65535),
  tlsMode: z.enum(['none', 'starttls', 'tls']),
  /** false accepts a self-signed certificate (an office mail server). */
  tlsVerify: z.boolean().default(true),
  username: z.string().trim().max(254).nullable().default(null),
  /** undefined keeps the stored password, null removes it, a string replaces it. */
  password: z.string().max(500).nullable().optional(),
  fromAddress: z.email({ message: 'must be an email address' }).max(254),
  fromName: z.string().trim().max(120).default(''),
  enabled: z.boolean().default(true),
});
export type MailSettingsBody = z.infer<typeof mailSettingsBody>;
export type { MailSettingsView };


/** What the sender needs, with the password opened. Never log or return this object. */
export interface SmtpSettings extends Omit<MailSettingsView, 'passwordSet' | 'updatedAt'> {
  password: string | null;
}

type Row = {
  host: string;
  port: number;
  tls_mode: 'none' | 'starttls' | 'tls';
  tls_verify: boolean;
  username: string | null;
  password_sealed: string | null;
  from_address: string;
  from_name: string;
  enabled: boolean;
  updated_at: string | Date;
};

const toView = (r: Row): MailSettingsView => ({
  host: r.host,
  port: Number(r.port),
  tlsMode: r.tls_mode,
  tlsVerify: r.tls_verify,
  username: r.username,
  passwordSet: r.password_sealed !== null,
  fromAddress: r.from_address,
  fromName: r.from_name,
  enabled: r.enabled,
  updatedAt: new Date(r.updated_at).toISOString(),
});

export class MailSettingsService {
  constructor(
    private readonly database: Database,
    private readonly box: SecretBox,
  ) {}

  private async row(tenantId: string): Promise<Row | undefined> {
    const result = await this.database.withTenant(tenantId, (tx) => tx.execute<Row>(sql`SELECT * FROM tenant_mail_settings WHERE tenant_id = ${tenantId}`));
    return result.rows[0];
  }

  /** The settings for the admin page (null: email is not set up). */
  async get(actor: Actor): Promise<MailSettingsView | null> {
    requirePermission(actor, 'channels.manage');
    const r = await this.row(actor.tenantId);
    return r ? toView(r) : null;
  }

  async put(actor: Actor, input: MailSettingsBody): Promise<MailSettingsView> {
    requirePermission(actor, 'channels.manage');
    const sealed = input.password === undefined ? undefined : input.password === null || input.password === '' ? null : this.box.seal(input.password);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const result = await tx.execute<Row>(sql`
        INSERT INTO tenant_mail_settings (tenant_id, host, port, tls_mode, tls_verify, username, password_sealed, from_address, from_name, enabled)
        VALUES (${actor.tenantId}, ${input.host}, ${input.port}, ${input.tlsMode}, ${input.tlsVerify}, ${input.username || null}, ${sealed ?? null},
                ${input.fromAddress}, ${input.fromName}, ${input.enabled})
        ON CONFLICT (tenant_id) DO UPDATE SET host = EXCLUDED.host, port = EXCLUDED.port, tls_mode = EXCLUDED.tls_mode,
          tls_verify = EXCLUDED.tls_verify, username = EXCLUDED.username,
          password_sealed = ${sealed === undefined ? sql`tenant_mail_settings.password_sealed` : sql`EXCLUDED.password_sealed`},
          from_address = EXCLUDED.from_address, from_name = EXCLUDED.from_name, enabled = EXCLUDED.enabled, updated_at = clock_timestamp()
        RETURNING *`);
      // The audit line names what changed, never the password itself.
      await recordAudit(tx, actor, {
        action: 'mail_settings.saved',
        targetType: 'tenant',
        targetId: actor.tenantId,
        details: { host: input.host, port: input.port, tlsMode: input.tlsMode, fromAddress: input.fromAddress, password: sealed === undefined ? 'kept' : sealed === null ? 'removed' : 'replaced' },
      });
      return toView(result.rows[0]!);
    });
  }

  async remove(actor: Actor): Promise<void> {
    requirePermission(actor, 'channels.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await tx.execute(sql`DELETE FROM tenant_mail_settings WHERE tenant_id = ${actor.tenantId}`);
      await recordAudit(tx, actor, { action: 'mail_settings.deleted', targetType: 'tenant', targetId: actor.tenantId });
    });
  }

  /** Whether the tenant can send mail now (the widget offers transcripts only then). */
  async configured(tenantId: string): Promise<boolean> {
    const r = await this.row(tenantId);
    return r !== undefined && r.enabled;
  }

  /** The settings with the password opened, for the sender only. */
  async forSending(tenantId: string): Promise<SmtpSettings | undefined> {
    const r = await this.row(tenantId);
    if (!r || !r.enabled) return undefined;
    const { passwordSet: _set, updatedAt: _at, ...view } = toView(r);
    return { ...view, password: r.password_sealed ? this.box.open(r.password_sealed) : null };
  }
}
