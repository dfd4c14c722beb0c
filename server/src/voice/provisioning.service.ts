// Voice provisioning per division: SIP trunks, numbers (DIDs), agents' extensions with digest passwords (sealed
// with the platform SecretBox, shown to admins), the tenant's SIP domain (= digest realm) and the division's
// recording policy. Every change is audited.
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { SecretBox } from '../platform/crypto/secret-box.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';

type Row = Record<string, unknown>;
const rows = async (tx: Tx, q: SQL): Promise<Row[]> => (await tx.execute(q)).rows as Row[];
const textArray = (v: readonly string[]): SQL => sql`ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(v)}::jsonb))::text[]`;
const iso = (v: unknown): string => new Date(v as string).toISOString();

export interface Trunk {
  id: string; divisionId: string; name: string; kind: 'inbound_ip' | 'register'; inboundAddresses: string[];
  host: string; port: number; transport: 'udp' | 'tcp'; username: string; hasPassword: boolean; codecs: string[];
  callerId: string; enabled: boolean; createdAt: string;
}
export interface VoiceNumber { id: string; divisionId: string; number: string; name: string; flowId: string | null; createdAt: string }
export interface Extension { id: string; divisionId: string; extension: string; userId: string | null; password: string; enabled: boolean; createdAt: string }
export interface OutboundRuleView { id: string; divisionId: string; trunkId: string; allowedPrefixes: string[]; deniedPrefixes: string[]; maxCallsPerHour: number; createdAt: string }
export interface DivisionPolicy { divisionId: string; recording: 'always' | 'on_demand' | 'never'; retentionDays: number; callerId: string }

export type TrunkInput = {
  divisionId: string; name: string; kind: Trunk['kind']; inboundAddresses?: string[] | undefined; host?: string | undefined;
  port?: number | undefined; transport?: Trunk['transport'] | undefined; username?: string | undefined; password?: string | undefined;
  codecs?: string[] | undefined; callerId?: string | undefined; enabled?: boolean | undefined;
};
export type NumberInput = { divisionId: string; number: string; name?: string | undefined; flowId?: string | null | undefined };
export type ExtensionInput = { divisionId: string; extension: string; userId?: string | null | undefined; password?: string | undefined; enabled?: boolean | undefined };

/** An inbound trunk address: an IP literal or a CIDR block. */
export function isAddressOrCidr(value: string): boolean {
  const [ip, bits, ...rest] = value.split('/');
  if (rest.length || !ip) return false;
  const family = isIP(ip);
  if (!family) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** A generated digest password: 16 characters from an unambiguous alphabet. */
export function generateSipPassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

export class ProvisioningService {
  constructor(private readonly database: Database, private readonly secrets: SecretBox) {}

  private async tx<T>(actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
    requirePermission(actor, 'voice.manage');
    try {
      return await this.database.withTenant(actor.tenantId, fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('an object with this name or number exists');
      throw err;
    }
  }

  private async checkDivision(tx: Tx, actor: Actor, divisionId: string): Promise<void> {
    const [d] = await rows(tx, sql`SELECT id FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${divisionId}`);
    if (!d || !canSeeDivision(actor, divisionId)) throw invalid('divisionId', 'no such division');
  }

  private async owned(tx: Tx, actor: Actor, table: 'voice_trunks' | 'voice_numbers' | 'voice_extensions', id: string, what: string): Promise<Row> {
    const [row] = await rows(tx, sql`SELECT * FROM ${sql.identifier(table)} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!row || !canSeeDivision(actor, row.division_id as string)) throw notFound(what);
    return row;
  }

  private visible(actor: Actor): SQL {
    return actor.divisions === 'all' ? sql`true` : sql`division_id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(actor.divisions)}::jsonb))`;
  }

  // Tenant SIP settings
  async getSettings(actor: Actor): Promise<{ sipDomain: string | null }> {
    return this.tx(actor, async (tx) => {
      const [r] = await rows(tx, sql`SELECT sip_domain FROM voice_settings WHERE tenant_id = ${actor.tenantId}`);
      return { sipDomain: (r?.sip_domain as string | undefined) ?? null };
    });
  }

  async setSettings(actor: Actor, input: { sipDomain: string }): Promise<{ sipDomain: string }> {
    return this.tx(actor, async (tx) => {
      await tx.execute(sql`INSERT INTO voice_settings (tenant_id, sip_domain) VALUES (${actor.tenantId}, ${input.sipDomain.toLowerCase()})
        ON CONFLICT (tenant_id) DO UPDATE SET sip_domain = excluded.sip_domain`);
      await recordAudit(tx, actor, { action: 'voice.settings_changed', details: { sipDomain: input.sipDomain } });
      return { sipDomain: input.sipDomain.toLowerCase() };
    });
  }

  // Division policy
  async getPolicy(actor: Actor, divisionId: string): Promise<DivisionPolicy> {
    return this.tx(actor, async (tx) => {
      const [d] = await rows(tx, sql`SELECT id FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${divisionId}`);
      if (!d || !canSeeDivision(actor, divisionId)) throw notFound('division');
      return policyOf(tx, actor.tenantId, divisionId);
    });
  }

  async setPolicy(actor: Actor, divisionId: string, patch: Partial<Omit<DivisionPolicy, 'divisionId'>>): Promise<DivisionPolicy> {
    return this.tx(actor, async (tx) => {
      const [d] = await rows(tx, sql`SELECT id FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${divisionId}`);
      if (!d || !canSeeDivision(actor, divisionId)) throw notFound('division');
      const next = { ...(await policyOf(tx, actor.tenantId, divisionId)), ...patch };
      await tx.execute(sql`INSERT INTO voice_division_settings (division_id, tenant_id, recording, retention_days, caller_id)
        VALUES (${divisionId}, ${actor.tenantId}, ${next.recording}, ${next.retentionDays}, ${next.callerId})
        ON CONFLICT (division_id) DO UPDATE SET recording = excluded.recording, retention_days = excluded.retention_days, caller_id = excluded.caller_id`);
      await recordAudit(tx, actor, { action: 'voice.policy_changed', targetType: 'division', targetId: divisionId, details: { ...patch } });
      return next;
    });
  }

  // Trunks
  private toTrunk = (r: Row): Trunk => ({
    id: r.id as string, divisionId: r.division_id as string, name: r.name as string, kind: r.kind as Trunk['kind'],
    inboundAddresses: r.inbound_addresses as string[], host: r.host as string, port: Number(r.port), transport: r.transport as Trunk['transport'],
    username: r.username as string, hasPassword: r.password_sealed !== null, codecs: r.codecs as string[], callerId: r.caller_id as string,
    enabled: r.enabled as boolean, createdAt: iso(r.created_at),
  });

  private checkTrunk(t: { kind: Trunk['kind']; inboundAddresses: string[]; host: string }): void {
    for (const a of t.inboundAddresses) if (!isAddressOrCidr(a)) throw invalid('inboundAddresses', `${a} is not an IP address or CIDR block`);
    if (t.kind === 'inbound_ip' && t.inboundAddresses.length === 0) throw invalid('inboundAddresses', 'an IP-authenticated trunk needs at least one address');
    if (t.kind === 'register' && !t.host) throw invalid('host', 'a registering trunk needs the provider host');
  }

  async listTrunks(actor: Actor): Promise<Trunk[]> {
    return this.tx(actor, async (tx) =>
      (await rows(tx, sql`SELECT * FROM voice_trunks WHERE tenant_id = ${actor.tenantId} AND ${this.visible(actor)} ORDER BY created_at, id`)).map(this.toTrunk));
  }

  async getTrunk(actor: Actor, id: string): Promise<Trunk> {
    return this.tx(actor, async (tx) => this.toTrunk(await this.owned(tx, actor, 'voice_trunks', id, 'trunk')));
  }

  async createTrunk(actor: Actor, input: TrunkInput): Promise<Trunk> {
    const t = { inboundAddresses: input.inboundAddresses ?? [], host: input.host ?? '', kind: input.kind };
    this.checkTrunk(t);
    return this.tx(actor, async (tx) => {
      await this.checkDivision(tx, actor, input.divisionId);
      const [row] = await rows(tx, sql`
        INSERT INTO voice_trunks (tenant_id, division_id, name, kind, inbound_addresses, host, port, transport, username, password_sealed, codecs, caller_id, enabled)
        VALUES (${actor.tenantId}, ${input.divisionId}, ${input.name}, ${input.kind}, ${textArray(t.inboundAddresses)}, ${t.host}, ${input.port ?? 5060},
                ${input.transport ?? 'udp'}, ${input.username ?? ''}, ${input.password ? this.secrets.seal(input.password) : null},
                ${textArray(input.codecs ?? ['PCMU', 'PCMA'])}, ${input.callerId ?? ''}, ${input.enabled ?? true})
        RETURNING *`);
      const trunk = this.toTrunk(row!);
      await recordAudit(tx, actor, { action: 'voice.trunk_created', targetType: 'voice_trunk', targetId: trunk.id, details: { name: trunk.name, kind: trunk.kind, inboundAddresses: trunk.inboundAddresses, host: trunk.host } });
      return trunk;
    });
  }

  async updateTrunk(actor: Actor, id: string, patch: Partial<Omit<TrunkInput, 'divisionId' | 'kind'>>): Promise<Trunk> {
    return this.tx(actor, async (tx) => {
      const cur = this.toTrunk(await this.owned(tx, actor, 'voice_trunks', id, 'trunk'));
      const next = { ...cur, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as Trunk & { password?: string };
      this.checkTrunk(next);
      const [row] = await rows(tx, sql`
        UPDATE voice_trunks SET name = ${next.name}, inbound_addresses = ${textArray(next.inboundAddresses)}, host = ${next.host}, port = ${next.port},
          transport = ${next.transport}, username = ${next.username}, codecs = ${textArray(next.codecs)}, caller_id = ${next.callerId}, enabled = ${next.enabled},
          password_sealed = CASE WHEN ${patch.password !== undefined} THEN ${patch.password ? this.secrets.seal(patch.password) : null} ELSE password_sealed END
        WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`);
      const { password: _secret, ...safe } = patch;
      await recordAudit(tx, actor, { action: 'voice.trunk_updated', targetType: 'voice_trunk', targetId: id, details: { ...safe, passwordChanged: patch.password !== undefined } });
      return this.toTrunk(row!);
    });
  }

  async deleteTrunk(actor: Actor, id: string): Promise<void> {
    await this.tx(actor, async (tx) => {
      await this.owned(tx, actor, 'voice_trunks', id, 'trunk');
      await tx.execute(sql`DELETE FROM voice_trunks WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'voice.trunk_deleted', targetType: 'voice_trunk', targetId: id });
    });
  }

  // Numbers
  private toNumber = (r: Row): VoiceNumber => ({
    id: r.id as string, divisionId: r.division_id as string, number: r.number as string, name: r.name as string,
    flowId: (r.flow_id as string | null) ?? null, createdAt: iso(r.created_at),
  });

  async listNumbers(actor: Actor): Promise<VoiceNumber[]> {
    return this.tx(actor, async (tx) =>
      (await rows(tx, sql`SELECT * FROM voice_numbers WHERE tenant_id = ${actor.tenantId} AND ${this.visible(actor)} ORDER BY number`)).map(this.toNumber));
  }

  async getNumber(actor: Actor, id: string): Promise<VoiceNumber> {
    return this.tx(actor, async (tx) => this.toNumber(await this.owned(tx, actor, 'voice_numbers', id, 'number')));
  }

  async createNumber(actor: Actor, input: NumberInput): Promise<VoiceNumber> {
    return this.tx(actor, async (tx) => {
      await this.checkDivision(tx, actor, input.divisionId);
      const [row] = await rows(tx, sql`INSERT INTO voice_numbers (tenant_id, division_id, number, name, flow_id)
        VALUES (${actor.tenantId}, ${input.divisionId}, ${input.number}, ${input.name ?? ''}, ${input.flowId ?? null}) RETURNING *`);
      await recordAudit(tx, actor, { action: 'voice.number_created', targetType: 'voice_number', targetId: row!.id as string, details: { number: input.number } });
      return this.toNumber(row!);
    });
  }

  async updateNumber(actor: Actor, id: string, patch: { divisionId?: string | undefined; name?: string | undefined; flowId?: string | null | undefined }): Promise<VoiceNumber> {
    return this.tx(actor, async (tx) => {
      const cur = this.toNumber(await this.owned(tx, actor, 'voice_numbers', id, 'number'));
      if (patch.divisionId) await this.checkDivision(tx, actor, patch.divisionId);
      const [row] = await rows(tx, sql`UPDATE voice_numbers SET division_id = ${patch.divisionId ?? cur.divisionId}, name = ${patch.name ?? cur.name},
        flow_id = ${patch.flowId === undefined ? cur.flowId : patch.flowId} WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`);
      await recordAudit(tx, actor, { action: 'voice.number_updated', targetType: 'voice_number', targetId: id, details: { ...patch } });
      return this.toNumber(row!);
    });
  }

  async deleteNumber(actor: Actor, id: string): Promise<void> {
    await this.tx(actor, async (tx) => {
      await this.owned(tx, actor, 'voice_numbers', id, 'number');
      await tx.execute(sql`DELETE FROM voice_numbers WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'voice.number_deleted', targetType: 'voice_number', targetId: id });
    });
  }

  // Extensions
  private toExtension = (r: Row): Extension => ({
    id: r.id as string, divisionId: r.division_id as string, extension: r.extension as string, userId: (r.user_id as string | null) ?? null,
    password: this.secrets.open(r.password_sealed as string), enabled: r.enabled as boolean, createdAt: iso(r.created_at),
  });

  private async checkUser(tx: Tx, actor: Actor, userId: string | null | undefined): Promise<void> {
    if (!userId) return;
    const [u] = await rows(tx, sql`SELECT id FROM users WHERE tenant_id = ${actor.tenantId} AND id = ${userId}`);
    if (!u) throw invalid('userId', 'no such user');
  }

  async listExtensions(actor: Actor): Promise<Extension[]> {
    return this.tx(actor, async (tx) =>
      (await rows(tx, sql`SELECT * FROM voice_extensions WHERE tenant_id = ${actor.tenantId} AND ${this.visible(actor)} ORDER BY extension`)).map(this.toExtension));
  }

  async getExtension(actor: Actor, id: string): Promise<Extension> {
    return this.tx(actor, async (tx) => this.toExtension(await this.owned(tx, actor, 'voice_extensions', id, 'extension')));
  }

  async createExtension(actor: Actor, input: ExtensionInput): Promise<Extension> {
    return this.tx(actor, async (tx) => {
      await this.checkDivision(tx, actor, input.divisionId);
      await this.checkUser(tx, actor, input.userId);
      const password = input.password ?? generateSipPassword();
      const [row] = await rows(tx, sql`INSERT INTO voice_extensions (tenant_id, division_id, extension, user_id, password_sealed, enabled)
        VALUES (${actor.tenantId}, ${input.divisionId}, ${input.extension}, ${input.userId ?? null}, ${this.secrets.seal(password)}, ${input.enabled ?? true}) RETURNING *`);
      await recordAudit(tx, actor, { action: 'voice.extension_created', targetType: 'voice_extension', targetId: row!.id as string, details: { extension: input.extension, userId: input.userId ?? null } });
      return this.toExtension(row!);
    });
  }

  async updateExtension(actor: Actor, id: string, patch: { userId?: string | null | undefined; password?: string | undefined; enabled?: boolean | undefined; regeneratePassword?: boolean | undefined }): Promise<Extension> {
    return this.tx(actor, async (tx) => {
      const cur = await this.owned(tx, actor, 'voice_extensions', id, 'extension');
      await this.checkUser(tx, actor, patch.userId);
      const password = patch.password ?? (patch.regeneratePassword ? generateSipPassword() : undefined);
      const [row] = await rows(tx, sql`UPDATE voice_extensions SET
          user_id = ${patch.userId === undefined ? (cur.user_id as string | null) : patch.userId},
          enabled = ${patch.enabled ?? (cur.enabled as boolean)},
          password_sealed = ${password ? this.secrets.seal(password) : (cur.password_sealed as string)}
        WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`);
      await recordAudit(tx, actor, { action: 'voice.extension_updated', targetType: 'voice_extension', targetId: id, details: { userId: patch.userId, enabled: patch.enabled, passwordChanged: password !== undefined } });
      return this.toExtension(row!);
    });
  }

  async deleteExtension(actor: Actor, id: string): Promise<void> {
    await this.tx(actor, async (tx) => {
      await this.owned(tx, actor, 'voice_extensions', id, 'extension');
      await tx.execute(sql`DELETE FROM voice_extensions WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'voice.extension_deleted', targetType: 'voice_extension', targetId: id });
    });
  }

  // Outbound rules (toll-fraud protection, outbound-rules.ts)
  private toRule = (r: Row): OutboundRuleView => ({
    id: r.id as string, divisionId: r.division_id as string, trunkId: r.trunk_id as string, allowedPrefixes: r.allowed_prefixes as string[],
    deniedPrefixes: r.denied_prefixes as string[], maxCallsPerHour: Number(r.max_calls_per_hour), createdAt: iso(r.created_at),
  });

  async listRules(actor: Actor): Promise<OutboundRuleView[]> {
    return this.tx(actor, async (tx) =>
      (await rows(tx, sql`SELECT * FROM voice_outbound_rules WHERE tenant_id = ${actor.tenantId} AND ${this.visible(actor)} ORDER BY created_at, id`)).map(this.toRule));
  }

  async createRule(actor: Actor, input: { divisionId: string; trunkId: string; allowedPrefixes?: string[] | undefined; deniedPrefixes?: string[] | undefined; maxCallsPerHour?: number | undefined }): Promise<OutboundRuleView> {
    return this.tx(actor, async (tx) => {
      await this.checkDivision(tx, actor, input.divisionId);
      const [trunk] = await rows(tx, sql`SELECT id FROM voice_trunks WHERE tenant_id = ${actor.tenantId} AND id = ${input.trunkId}`);
      if (!trunk) throw invalid('trunkId', 'no such trunk');
      const [row] = await rows(tx, sql`INSERT INTO voice_outbound_rules (tenant_id, division_id, trunk_id, allowed_prefixes, denied_prefixes, max_calls_per_hour)
        VALUES (${actor.tenantId}, ${input.divisionId}, ${input.trunkId}, ${textArray(input.allowedPrefixes ?? [])}, ${textArray(input.deniedPrefixes ?? [])}, ${input.maxCallsPerHour ?? 60})
        RETURNING *`);
      const rule = this.toRule(row!);
      await recordAudit(tx, actor, { action: 'voice.outbound_rule_created', targetType: 'voice_outbound_rule', targetId: rule.id, details: { ...input } });
      return rule;
    });
  }

  async deleteRule(actor: Actor, id: string): Promise<void> {
    await this.tx(actor, async (tx) => {
      const [row] = await rows(tx, sql`SELECT division_id FROM voice_outbound_rules WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!row || !canSeeDivision(actor, row.division_id as string)) throw notFound('outbound rule');
      await tx.execute(sql`DELETE FROM voice_outbound_rules WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'voice.outbound_rule_deleted', targetType: 'voice_outbound_rule', targetId: id });
    });
  }
}

export async function policyOf(tx: Tx, tenantId: string, divisionId: string): Promise<DivisionPolicy> {
  const [r] = await rows(tx, sql`SELECT * FROM voice_division_settings WHERE tenant_id = ${tenantId} AND division_id = ${divisionId}`);
  return {
    divisionId,
    recording: (r?.recording as DivisionPolicy['recording'] | undefined) ?? 'always',
    retentionDays: r ? Number(r.retention_days) : 90,
    callerId: (r?.caller_id as string | undefined) ?? '',
  };
}
