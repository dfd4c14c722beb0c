// Contacts: create, read, change, list and search, lookup by identity (screen pop, IVR) and the audited reveal of
// unmasked phones and emails. Division-scoped: a contact in a division the actor cannot see reads as missing.
import { sql, type SQL } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/pagination.ts';
import { checkOwner, resolveDivision, visibleCompany, visibleContact } from './crm-access.ts';
import { divisionScope, one, rows, textArray, type Row } from './crm-sql.ts';
import { checkCustomFields, type FieldDefinition } from './custom-fields.ts';
import { canReveal, contactSelect, searchName, toContact, type Contact } from './contact-model.ts';
import { requireIdentity, type IdentityKind, type NormalizedIdentity } from './identities.ts';
import { addTimelineEntry } from './timeline.service.ts';

export interface IdentityInput {
  kind: IdentityKind;
  value: string;
  label?: string | undefined;
}

export interface ContactInput {
  divisionId?: string | undefined;
  displayName?: string | undefined;
  familyName?: string | null | undefined;
  givenName?: string | null | undefined;
  companyId?: string | null | undefined;
  tags?: string[] | undefined;
  customFields?: Record<string, unknown> | undefined;
  ownerId?: string | null | undefined;
  vipLevel?: number | undefined;
  preferredLanguage?: string | null | undefined;
  identities?: IdentityInput[] | undefined;
}

export interface ContactPatch extends Omit<ContactInput, 'identities' | 'divisionId'> {
  addIdentities?: IdentityInput[] | undefined;
  removeIdentities?: IdentityInput[] | undefined;
  /** Optimistic concurrency: the version the change was based on. */
  version?: number | undefined;
}

export interface ContactQuery {
  q?: string | undefined;
  tag?: string | undefined;
  companyId?: string | undefined;
  divisionId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function fieldDefinitions(tx: Tx, tenantId: string, divisionId: string): Promise<FieldDefinition[]> {
  return rows<FieldDefinition>(
    tx,
    sql`SELECT key, label, type, options, required FROM crm_field_definitions WHERE tenant_id = ${tenantId} AND division_id = ${divisionId} ORDER BY key`,
  );
}

const cleanTags = (tags: string[]): string[] => [...new Set(tags.map((t) => t.normalize('NFKC').trim()).filter(Boolean))];

/** Inserts identities for a contact; one that belongs to another contact is a 409 naming its field. */
export async function insertIdentities(tx: Tx, tenantId: string, contactId: string, list: (NormalizedIdentity & { label?: string | undefined })[], field: string): Promise<void> {
  for (const [index, identity] of list.entries()) {
    const owner = await one<{ contact_id: string }>(tx, sql`SELECT contact_id FROM crm_identities WHERE tenant_id = ${tenantId} AND kind = ${identity.kind} AND value = ${identity.value}`);
    if (owner && owner.contact_id !== contactId) throw conflict(`this ${identity.kind} belongs to another contact`, `${field}[${index}].value`);
    if (owner) continue;
    await tx.execute(sql`INSERT INTO crm_identities (tenant_id, contact_id, kind, value, match_key, label)
                         VALUES (${tenantId}, ${contactId}, ${identity.kind}, ${identity.value}, ${identity.matchKey}, ${identity.label ?? ''})`);
  }
}

export class ContactsService {
  constructor(private readonly database: Database) {}

  /** Reads one contact inside a transaction (masked per actor). */
  static async read(tx: Tx, actor: Actor, id: string, reveal = canReveal(actor)): Promise<Contact> {
    const row = await one(tx, sql`${contactSelect} WHERE c.tenant_id = ${actor.tenantId} AND c.id = ${id}`);
    if (!row) throw notFound('contact');
    return toContact(row, reveal);
  }

  async create(actor: Actor, input: ContactInput): Promise<Contact> {
    requirePermission(actor, 'crm.manage');
    if (!input.displayName?.trim()) throw invalid('displayName', 'must not be empty');
    const identities = (input.identities ?? []).map((i, n) => ({ ...requireIdentity(i.kind, i.value, `identities[${n}].value`), label: i.label }));
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const divisionId = await resolveDivision(tx, actor, input.divisionId);
        if (input.companyId) {
          const company = await visibleCompany(tx, actor, input.companyId).catch(() => null);
          if (!company) throw invalid('companyId', 'is not a company you can see');
        }
        await checkOwner(tx, actor, input.ownerId);
        const checked = checkCustomFields(await fieldDefinitions(tx, actor.tenantId, divisionId), input.customFields ?? {}, {}, true);
        if (!checked.ok) throw invalid(checked.field, checked.message);
        const row = await one<{ id: string }>(
          tx,
          sql`INSERT INTO crm_contacts (tenant_id, division_id, display_name, family_name, given_name, company_id, tags, custom_fields,
                                        owner_id, vip_level, preferred_language, search_name)
              VALUES (${actor.tenantId}, ${divisionId}, ${input.displayName!.trim()}, ${input.familyName ?? null}, ${input.givenName ?? null},
                      ${input.companyId ?? null}, ${textArray(cleanTags(input.tags ?? []))}, ${JSON.stringify(checked.values)}::jsonb,
                      ${input.ownerId ?? null}, ${input.vipLevel ?? 0}, ${input.preferredLanguage ?? null},
                      ${searchName([input.displayName, input.familyName, input.givenName])})
              RETURNING id`,
        );
        const id = row!.id;
        await insertIdentities(tx, actor.tenantId, id, identities, 'identities');
        await appendEvent(tx, actor.tenantId, 'contact.created', { contactId: id, divisionId });
        return ContactsService.read(tx, actor, id);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('an identity of this contact belongs to another contact', 'identities');
      throw err;
    }
  }

  async get(actor: Actor, id: string): Promise<Contact> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      // A merged-away contact resolves to the one it was merged into.
      const merged = await one<{ merged_into: string | null }>(tx, sql`SELECT merged_into FROM crm_contacts WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      const target = merged?.merged_into ?? id;
      await visibleContact(tx, actor, target);
      return ContactsService.read(tx, actor, target);
    });
  }

  async update(actor: Actor, id: string, patch: ContactPatch): Promise<Contact> {
    requirePermission(actor, 'crm.manage');
    const add = (patch.addIdentities ?? []).map((i, n) => ({ ...requireIdentity(i.kind, i.value, `addIdentities[${n}].value`), label: i.label }));
    const remove = (patch.removeIdentities ?? []).map((i, n) => requireIdentity(i.kind, i.value, `removeIdentities[${n}].value`));
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const current = await visibleContact(tx, actor, id, { forUpdate: true });
        if (patch.version !== undefined && patch.version !== Number(current.version)) throw conflict('the contact was changed by someone else; reload it', 'version');
        if (patch.displayName !== undefined && !patch.displayName.trim()) throw invalid('displayName', 'must not be empty');
        if (patch.companyId) {
          const company = await visibleCompany(tx, actor, patch.companyId).catch(() => null);
          if (!company) throw invalid('companyId', 'is not a company you can see');
        }
        await checkOwner(tx, actor, patch.ownerId);
        let custom = current.custom_fields as Record<string, unknown>;
        if (patch.customFields) {
          const checked = checkCustomFields(await fieldDefinitions(tx, actor.tenantId, current.division_id), patch.customFields, custom as never);
          if (!checked.ok) throw invalid(checked.field, checked.message);
          custom = checked.values;
        }
        const name = {
          display: patch.displayName?.trim() ?? (current.display_name as string),
          family: patch.familyName !== undefined ? patch.familyName : (current.family_name as string | null),
          given: patch.givenName !== undefined ? patch.givenName : (current.given_name as string | null),
        };
        const sets: SQL[] = [
          sql`display_name = ${name.display}`,
          sql`family_name = ${name.family}`,
          sql`given_name = ${name.given}`,
          sql`search_name = ${searchName([name.display, name.family, name.given])}`,
          sql`custom_fields = ${JSON.stringify(custom)}::jsonb`,
          sql`version = version + 1`,
          sql`updated_at = clock_timestamp()`,
        ];
        if (patch.companyId !== undefined) sets.push(sql`company_id = ${patch.companyId}`);
        if (patch.tags !== undefined) sets.push(sql`tags = ${textArray(cleanTags(patch.tags))}`);
        if (patch.ownerId !== undefined) sets.push(sql`owner_id = ${patch.ownerId}`);
        if (patch.vipLevel !== undefined) sets.push(sql`vip_level = ${patch.vipLevel}`);
        if (patch.preferredLanguage !== undefined) sets.push(sql`preferred_language = ${patch.preferredLanguage}`);
        await tx.execute(sql`UPDATE crm_contacts SET ${sql.join(sets, sql`, `)} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
        for (const identity of remove) {
          await tx.execute(sql`DELETE FROM crm_identities WHERE tenant_id = ${actor.tenantId} AND contact_id = ${id} AND kind = ${identity.kind} AND value = ${identity.value}`);
        }
        await insertIdentities(tx, actor.tenantId, id, add, 'addIdentities');
        const changes = Object.keys(patch).filter((k) => k !== 'version');
        await appendEvent(tx, actor.tenantId, 'contact.updated', { contactId: id, divisionId: current.division_id, changes });
        if (add.length || remove.length) {
          await recordAudit(tx, actor, { action: 'contact.identities_changed', targetType: 'contact', targetId: id, details: { added: add.map((i) => i.kind), removed: remove.map((i) => i.kind) } });
        }
        return ContactsService.read(tx, actor, id);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('an identity belongs to another contact', 'addIdentities');
      throw err;
    }
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'crm.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const current = await visibleContact(tx, actor, id);
      await tx.execute(sql`DELETE FROM crm_contacts WHERE tenant_id = ${actor.tenantId} AND (id = ${id} OR merged_into = ${id})`);
      await recordAudit(tx, actor, { action: 'contact.deleted', targetType: 'contact', targetId: id, details: { displayName: current.display_name } });
      await appendEvent(tx, actor.tenantId, 'contact.deleted', { contactId: id, divisionId: current.division_id });
    });
  }

  /**
   * Lists contacts newest first (keyset), or with `q` the best matches of a fuzzy search over names (trigram
   * similarity), company names and phone/email fragments (trigram index on identity values).
   */
  async list(actor: Actor, query: ContactQuery): Promise<{ items: Contact[]; nextCursor: string | null }> {
    requirePermission(actor, 'crm.read');
    const reveal = canReveal(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const where: SQL[] = [sql`c.tenant_id = ${actor.tenantId}`, sql`c.merged_into IS NULL`, divisionScope(actor, sql`c.division_id`)];
      if (query.divisionId) where.push(sql`c.division_id = ${query.divisionId}`);
      if (query.tag) where.push(sql`c.tags @> ${textArray([query.tag])}`);
      if (query.companyId) where.push(sql`c.company_id = ${query.companyId}`);
      const q = query.q?.normalize('NFKC').trim().toLowerCase();
      if (q) {
        const digits = q.replace(/[\s\-()]/g, '');
        const fragment = /^\+?\d{3,}$/.test(digits) ? digits.replace(/^\+/, '') : null;
        const matches: SQL[] = [
          sql`c.search_name % ${q}`,
          sql`c.search_name LIKE ${`%${q}%`}`,
          sql`c.company_id IN (SELECT id FROM crm_companies WHERE tenant_id = ${actor.tenantId} AND lower(name) LIKE ${`%${q}%`})`,
          sql`c.id IN (SELECT contact_id FROM crm_identities WHERE tenant_id = ${actor.tenantId} AND kind IN ('phone', 'email') AND value LIKE ${`%${fragment ?? q}%`})`,
        ];
        const found = await rows(
          tx,
          sql`${contactSelect} WHERE ${sql.join(where, sql` AND `)} AND (${sql.join(matches, sql` OR `)})
              ORDER BY similarity(c.search_name, ${q}) DESC, c.created_at DESC LIMIT ${query.limit}`,
        );
        return { items: found.map((r) => toContact(r, reveal)), nextCursor: null };
      }
      const cursor = decodeCursor(query.cursor);
      if (cursor?.at && cursor.id) where.push(sql`(c.created_at, c.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
      const list = await rows(tx, sql`${contactSelect} WHERE ${sql.join(where, sql` AND `)} ORDER BY c.created_at DESC, c.id DESC LIMIT ${query.limit + 1}`);
      const page = list.slice(0, query.limit);
      const last = page[page.length - 1];
      const lastKey = last?.created_key as string | undefined;
      return { items: page.map((r) => toContact(r, reveal)), nextCursor: list.length > query.limit && last && lastKey ? encodeCursor({ at: lastKey, id: last.id as string }) : null };
    });
  }

  /**
   * Finds the contact with an identity (screen pop, IVR). A phone matches exactly first, then by the number
   * without extension. Returns the contact with its recent orders; 404 when nobody (visible) has it.
   */
  async lookup(actor: Actor, kind: IdentityKind, rawValue: string): Promise<{ contact: Contact; orders: Row[] }> {
    requirePermission(actor, 'crm.read');
    const identity = requireIdentity(kind, rawValue, 'value');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      // One statement (identity match, contact with identities and company, latest orders): the screen pop
      // costs one round trip inside its transaction.
      const row = await one(
        tx,
        sql`SELECT x.*, (SELECT COALESCE(jsonb_agg(o ORDER BY o.ordered_at DESC), '[]'::jsonb) FROM (
                          SELECT id, external_id, status, currency, amount::text AS amount, ordered_at FROM crm_orders
                          WHERE tenant_id = ${actor.tenantId} AND contact_id = x.id ORDER BY ordered_at DESC LIMIT 5) o) AS orders
            FROM (${contactSelect} WHERE c.tenant_id = ${actor.tenantId} AND c.id = (${identityHit(actor.tenantId, identity)})) x`,
      );
      if (!row || !canSeeDivision(actor, row.division_id as string)) throw notFound('contact');
      return { contact: toContact(row, canReveal(actor)), orders: row.orders as Row[] };
    });
  }

  /** The unmasked contact; every reveal is in the audit log. */
  async reveal(actor: Actor, id: string): Promise<Contact> {
    requirePermission(actor, 'crm.reveal');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleContact(tx, actor, id);
      const contact = await ContactsService.read(tx, actor, id, true);
      await recordAudit(tx, actor, { action: 'contact.revealed', targetType: 'contact', targetId: id, details: { kinds: contact.identities.map((i) => i.kind) } });
      return contact;
    });
  }
}

/**
 * The live contact holding an identity: an exact match first, then (phones) the same line without extension.
 * Served by the unique (tenant_id, kind, value) and the (tenant_id, kind, match_key) indexes.
 */
function identityHit(tenantId: string, identity: NormalizedIdentity): SQL {
  return sql`SELECT h.contact_id FROM (
      (SELECT i.contact_id, 0 AS rank, i.created_at FROM crm_identities i
       WHERE i.tenant_id = ${tenantId} AND i.kind = ${identity.kind} AND i.value = ${identity.value})
      UNION ALL
      (SELECT i.contact_id, 1 AS rank, i.created_at FROM crm_identities i
       WHERE i.tenant_id = ${tenantId} AND i.kind = 'phone' AND ${identity.kind} = 'phone' AND i.match_key = ${identity.matchKey}
       ORDER BY i.created_at LIMIT 5)
    ) h JOIN crm_contacts c ON c.id = h.contact_id AND c.merged_into IS NULL
    ORDER BY h.rank, h.created_at LIMIT 1`;
}

/** The id of the live contact holding an identity, on any path (also the IVR's system path). */
export async function findByIdentity(tx: Tx, tenantId: string, identity: NormalizedIdentity): Promise<string | null> {
  const row = await one<{ contact_id: string }>(tx, identityHit(tenantId, identity));
  return row?.contact_id ?? null;
}

export { addTimelineEntry };
