// What the SIP side needs to know before a tenant is known: which tenant a SIP domain (realm) belongs to, which
// trunks accept INVITEs from an address, which tenant owns a dialled number, and extension credentials. These are
// named system paths (Database.withSystem) because a SIP request names no tenant until it is matched.
import { BlockList, isIP } from 'node:net';
import { sql, type SQL } from 'drizzle-orm';
import { systemActor, type Actor } from '../platform/auth/actor.ts';
import { recordAudit, type AuditEntryInput } from '../platform/audit/audit.service.ts';
import type { SecretBox } from '../platform/crypto/secret-box.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import type { OutboundRule } from './outbound-rules.ts';
import { policyOf, type DivisionPolicy } from './provisioning.service.ts';

type Row = Record<string, unknown>;
const rows = async (tx: Tx, q: SQL): Promise<Row[]> => (await tx.execute(q)).rows as Row[];

export interface TrunkMatch { tenantId: string; trunkId: string; divisionId: string; name: string }
export interface NumberMatch { tenantId: string; divisionId: string; numberId: string; number: string; flowId: string | null }
export interface AgentDevice { tenantId: string; extension: string; userId: string; divisionId?: string }
export interface OutboundTrunk { id: string; host: string; port: number; transport: 'udp' | 'tcp'; username: string; password: string | undefined; callerId: string }

/** True when `address` is one of `allowed` (IP literals or CIDR blocks). */
export function addressAllowed(address: string, allowed: readonly string[]): boolean {
  const family = isIP(address);
  if (!family) return false;
  const list = new BlockList();
  for (const a of allowed) {
    const [ip, bits] = a.split('/');
    const f = isIP(ip ?? '');
    if (!f) continue;
    const type = f === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(ip!, type);
    else list.addSubnet(ip!, Number(bits), type);
  }
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class VoiceDirectory {
  constructor(private readonly database: Database, private readonly secrets: SecretBox) {}

  async tenantOfDomain(domain: string): Promise<string | undefined> {
    const [r] = await this.database.withSystem((tx) => rows(tx, sql`SELECT tenant_id FROM voice_settings WHERE sip_domain = ${domain.toLowerCase()}`));
    return r?.tenant_id as string | undefined;
  }

  /** The digest password of an enabled extension, or undefined. */
  async extensionPassword(tenantId: string, extension: string): Promise<string | undefined> {
    const [r] = await this.database.withTenant(tenantId, (tx) =>
      rows(tx, sql`SELECT password_sealed FROM voice_extensions WHERE tenant_id = ${tenantId} AND extension = ${extension} AND enabled`));
    return r ? this.secrets.open(r.password_sealed as string) : undefined;
  }

  /** Enabled trunks (of any tenant) that accept INVITEs from `address`. */
  async trunksFrom(address: string): Promise<TrunkMatch[]> {
    const all = await this.database.withSystem((tx) =>
      rows(tx, sql`SELECT id, tenant_id, division_id, name, kind, host, inbound_addresses FROM voice_trunks WHERE enabled`));
    // A registering trunk's provider sends its INVITEs from the host we register to.
    const allowed = (r: Row): string[] => [...(r.inbound_addresses as string[]), ...(r.kind === 'register' && isIP(r.host as string) ? [r.host as string] : [])];
    return all
      .filter((r) => addressAllowed(address, allowed(r)))
      .map((r) => ({ tenantId: r.tenant_id as string, trunkId: r.id as string, divisionId: r.division_id as string, name: r.name as string }));
  }

  async number(tenantIds: readonly string[], number: string): Promise<NumberMatch | undefined> {
    if (!tenantIds.length) return undefined;
    const [r] = await this.database.withSystem((tx) =>
      rows(tx, sql`SELECT id, tenant_id, division_id, number, flow_id FROM voice_numbers
        WHERE number = ${number} AND tenant_id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(tenantIds)}::jsonb))`));
    return r ? { tenantId: r.tenant_id as string, divisionId: r.division_id as string, numberId: r.id as string, number: r.number as string, flowId: (r.flow_id as string | null) ?? null } : undefined;
  }

  /** Enabled extensions of a division that belong to an active user with the agent desktop. */
  async agentDevices(tenantId: string, divisionId: string): Promise<AgentDevice[]> {
    const list = await this.database.withTenant(tenantId, (tx) =>
      rows(tx, sql`SELECT e.extension, e.user_id FROM voice_extensions e JOIN users u ON u.id = e.user_id AND u.status = 'active'
        WHERE e.tenant_id = ${tenantId} AND e.division_id = ${divisionId} AND e.enabled ORDER BY e.extension`));
    return list.map((r) => ({ tenantId, extension: r.extension as string, userId: r.user_id as string }));
  }

  /** An enabled extension of the tenant with an active agent on it (transfer targets). */
  async device(tenantId: string, extension: string): Promise<AgentDevice | undefined> {
    const [r] = await this.database.withTenant(tenantId, (tx) =>
      rows(tx, sql`SELECT e.extension, e.user_id, e.division_id FROM voice_extensions e JOIN users u ON u.id = e.user_id AND u.status = 'active'
        WHERE e.tenant_id = ${tenantId} AND e.extension = ${extension} AND e.enabled`));
    return r ? { tenantId, extension: r.extension as string, userId: r.user_id as string, divisionId: r.division_id as string } : undefined;
  }

  /** Every enabled registering trunk of every tenant (system path: the SIP edge keeps them registered). */
  async registeringTrunks(): Promise<(OutboundTrunk & { tenantId: string })[]> {
    const list = await this.database.withSystem((tx) => rows(tx, sql`SELECT * FROM voice_trunks WHERE enabled AND kind = 'register' AND host <> '' AND username <> ''`));
    return list.map((r) => ({
      id: r.id as string, tenantId: r.tenant_id as string, host: r.host as string, port: Number(r.port), transport: r.transport as OutboundTrunk['transport'],
      username: r.username as string, password: r.password_sealed ? this.secrets.open(r.password_sealed as string) : undefined, callerId: r.caller_id as string,
    }));
  }

  async deviceOfUser(tenantId: string, userId: string): Promise<AgentDevice | undefined> {
    const [r] = await this.database.withTenant(tenantId, (tx) =>
      rows(tx, sql`SELECT extension FROM voice_extensions WHERE tenant_id = ${tenantId} AND user_id = ${userId} AND enabled ORDER BY extension LIMIT 1`));
    return r ? this.device(tenantId, r.extension as string) : undefined;
  }

  async outboundRules(tenantId: string, divisionId: string): Promise<OutboundRule[]> {
    const list = await this.database.withTenant(tenantId, (tx) =>
      rows(tx, sql`SELECT r.* FROM voice_outbound_rules r JOIN voice_trunks t ON t.id = r.trunk_id AND t.enabled
        WHERE r.tenant_id = ${tenantId} AND r.division_id = ${divisionId} ORDER BY r.created_at, r.id`));
    return list.map((r) => ({ id: r.id as string, trunkId: r.trunk_id as string, allowedPrefixes: r.allowed_prefixes as string[], deniedPrefixes: r.denied_prefixes as string[], maxCallsPerHour: Number(r.max_calls_per_hour) }));
  }

  async outboundCallsLastHour(tenantId: string, divisionId: string): Promise<number> {
    const [r] = await this.database.withTenant(tenantId, (tx) =>
      rows(tx, sql`SELECT count(*)::int AS n FROM interactions WHERE tenant_id = ${tenantId} AND division_id = ${divisionId}
        AND channel = 'voice' AND direction = 'outbound' AND arrived_at > now() - interval '1 hour'`));
    return Number(r?.n ?? 0);
  }

  async trunk(tenantId: string, id: string): Promise<OutboundTrunk | undefined> {
    const [r] = await this.database.withTenant(tenantId, (tx) => rows(tx, sql`SELECT * FROM voice_trunks WHERE tenant_id = ${tenantId} AND id = ${id} AND enabled`));
    if (!r || !r.host) return undefined;
    return {
      id, host: r.host as string, port: Number(r.port), transport: r.transport as OutboundTrunk['transport'], username: r.username as string,
      password: r.password_sealed ? this.secrets.open(r.password_sealed as string) : undefined, callerId: r.caller_id as string,
    };
  }

  /** An audit entry for something a phone did (the actor is the extension's user, from its address). */
  async audit(tenantId: string, userId: string, ip: string | null, entry: AuditEntryInput): Promise<void> {
    await this.database.withTenant(tenantId, (tx) => recordAudit(tx, { ...systemActor(tenantId), kind: 'user', userId, ip }, entry));
  }

  /** Whether a routing queue of the tenant exists (transfer targets). */
  async queueExists(tenantId: string, queueId: string): Promise<boolean> {
    const [r] = await this.database.withTenant(tenantId, (tx) => rows(tx, sql`SELECT 1 AS x FROM routing_queues WHERE tenant_id = ${tenantId} AND id = ${queueId}`));
    return !!r;
  }

  /** The tenant's SIP domain (the realm its phones register in). */
  async sipDomain(tenantId: string): Promise<string | undefined> {
    const [r] = await this.database.withTenant(tenantId, (tx) => rows(tx, sql`SELECT sip_domain FROM voice_settings WHERE tenant_id = ${tenantId}`));
    return r?.sip_domain as string | undefined;
  }

  /** An audit entry for what a person did through the API. */
  async auditActor(actor: Actor, entry: AuditEntryInput): Promise<void> {
    await this.database.withTenant(actor.tenantId, (tx) => recordAudit(tx, actor, entry));
  }

  async policy(tenantId: string, divisionId: string): Promise<DivisionPolicy> {
    return this.database.withTenant(tenantId, (tx) => policyOf(tx, tenantId, divisionId));
  }
}
