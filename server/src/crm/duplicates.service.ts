// Duplicates: suggested pairs (the same phone line or mailbox on two contacts, similar names by trigram) and the
// merge of one contact into another. A merge keeps everything: identities, notes and every timeline entry,
// orders and consent records move to the survivor; the merged contact stays as a tombstone pointing to it.
// The preview runs the very same merge in a transaction that is rolled back, so it cannot differ from it.
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { invalid } from '../platform/errors.ts';
import { visibleContact } from './crm-access.ts';
import { divisionScope, one, rows, uuidArray } from './crm-sql.ts';
import { canReveal, contactSelect, toContact, type Contact } from './contact-model.ts';
import { ContactsService } from './contacts.service.ts';
import { addTimelineEntry } from './timeline.service.ts';

export interface DuplicateSuggestion {
  contacts: [Contact, Contact];
  reasons: ('same_phone' | 'same_email' | 'similar_name')[];
  score: number;
}

export interface MergeResult {
  contact: Contact;
  mergedContactId: string;
  moved: { identities: number; timelineEntries: number; orders: number; consents: number };
}

class PreviewRollback extends Error {
  constructor(readonly result: MergeResult) {
    super('merge preview');
  }
}

/** Similar names: trigram similarity of the folded names at least this much. */
const NAME_SIMILARITY = 0.5;

export class DuplicatesService {
  constructor(private readonly database: Database) {}

  /** Suggested duplicate pairs among the contacts the actor sees, or of one contact. */
  async suggestions(actor: Actor, query: { contactId?: string | undefined; limit: number }): Promise<DuplicateSuggestion[]> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      if (query.contactId) await visibleContact(tx, actor, query.contactId);
      const scopeA = divisionScope(actor, sql`ca.division_id`);
      const scopeB = divisionScope(actor, sql`cb.division_id`);
      const one_ = query.contactId ? sql`AND (ca.id = ${query.contactId} OR cb.id = ${query.contactId})` : sql``;
      // The tenant-wide trigram self-join is bounded by LIMIT, and by a time budget so that a huge tenant with
      // few similar names cannot tie up a connection; the per-contact variant is the cheap path.
      if (!query.contactId) await tx.execute(sql`SELECT set_config('statement_timeout', '5000', true)`);
      const pairs = await rows<{ a: string; b: string; reason: string; score: number }>(
        tx,
        sql`(SELECT DISTINCT LEAST(ia.contact_id, ib.contact_id) AS a, GREATEST(ia.contact_id, ib.contact_id) AS b, 'same_' || ia.kind AS reason, 1.0::float8 AS score
             FROM crm_identities ia
             JOIN crm_identities ib ON ib.tenant_id = ia.tenant_id AND ib.kind = ia.kind AND ib.match_key = ia.match_key AND ib.contact_id <> ia.contact_id
             JOIN crm_contacts ca ON ca.id = ia.contact_id AND ca.merged_into IS NULL
             JOIN crm_contacts cb ON cb.id = ib.contact_id AND cb.merged_into IS NULL
             WHERE ia.tenant_id = ${actor.tenantId} AND ia.kind IN ('phone', 'email') AND ${scopeA} AND ${scopeB} ${one_}
             LIMIT ${query.limit * 2})
            UNION ALL
            (SELECT ca.id AS a, cb.id AS b, 'similar_name' AS reason, similarity(ca.search_name, cb.search_name)::float8 AS score
             FROM crm_contacts ca
             JOIN crm_contacts cb ON cb.tenant_id = ca.tenant_id AND cb.id > ca.id AND cb.merged_into IS NULL AND cb.search_name % ca.search_name
             WHERE ca.tenant_id = ${actor.tenantId} AND ca.merged_into IS NULL AND ${scopeA} AND ${scopeB} ${one_}
               AND similarity(ca.search_name, cb.search_name) >= ${NAME_SIMILARITY}
             LIMIT ${query.limit * 2})`,
      );
      const byPair = new Map<string, { a: string; b: string; reasons: Set<string>; score: number }>();
      for (const p of pairs) {
        const key = `${p.a}:${p.b}`;
        const entry = byPair.get(key) ?? { a: p.a, b: p.b, reasons: new Set<string>(), score: 0 };
        entry.reasons.add(p.reason);
        entry.score = Math.min(1, entry.score + Number(p.score) * (p.reason === 'similar_name' ? 0.5 : 0.6));
        byPair.set(key, entry);
      }
      const ranked = [...byPair.values()].sort((x, y) => y.score - x.score).slice(0, query.limit);
      const ids = [...new Set(ranked.flatMap((p) => [p.a, p.b]))];
      const contacts = new Map(
        (await rows(tx, sql`${contactSelect} WHERE c.tenant_id = ${actor.tenantId} AND c.id = ANY(${uuidArray(ids)})`)).map((r) => [r.id as string, toContact(r, canReveal(actor))]),
      );
      return ranked.map((p) => ({
        contacts: [contacts.get(p.a)!, contacts.get(p.b)!] as [Contact, Contact],
        reasons: [...p.reasons].sort() as DuplicateSuggestion['reasons'],
        score: Math.round(p.score * 100) / 100,
      }));
    });
  }

  async preview(actor: Actor, survivorId: string, otherId: string): Promise<MergeResult> {
    requirePermission(actor, 'crm.manage');
    try {
      await this.database.withTenant(actor.tenantId, async (tx) => {
        throw new PreviewRollback(await this.mergeIn(tx, actor, survivorId, otherId));
      });
    } catch (err) {
      if (err instanceof PreviewRollback) return err.result;
      throw err;
    }
    throw new Error('unreachable');
  }

  async merge(actor: Actor, survivorId: string, otherId: string): Promise<MergeResult> {
    requirePermission(actor, 'crm.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const result = await this.mergeIn(tx, actor, survivorId, otherId);
      await recordAudit(tx, actor, { action: 'contact.merged', targetType: 'contact', targetId: survivorId, details: { mergedContactId: otherId, moved: result.moved } });
      await appendEvent(tx, actor.tenantId, 'contact.merged', { contactId: survivorId, mergedContactId: otherId, divisionId: result.contact.divisionId });
      return result;
    });
  }

  private async mergeIn(tx: Tx, actor: Actor, survivorId: string, otherId: string): Promise<MergeResult> {
    const t = actor.tenantId;
    // Lock both in id order, so two merges of the same pair cannot deadlock.
    for (const id of [survivorId, otherId].sort()) await visibleContact(tx, actor, id, { forUpdate: true });
    if (survivorId === otherId) throw invalid('otherId', 'a contact cannot be merged into itself');
    const other = (await one(tx, sql`SELECT * FROM crm_contacts WHERE id = ${otherId}`))!;
    const count = async (q: ReturnType<typeof sql>) => (await tx.execute(q)).rowCount ?? 0;
    const moved = {
      identities: await count(sql`UPDATE crm_identities SET contact_id = ${survivorId} WHERE tenant_id = ${t} AND contact_id = ${otherId}`),
      timelineEntries: await count(sql`UPDATE crm_timeline SET contact_id = ${survivorId} WHERE tenant_id = ${t} AND contact_id = ${otherId}`),
      orders: await count(sql`UPDATE crm_orders SET contact_id = ${survivorId} WHERE tenant_id = ${t} AND contact_id = ${otherId}`),
      consents: await count(sql`UPDATE crm_consents SET contact_id = ${survivorId} WHERE tenant_id = ${t} AND contact_id = ${otherId}`),
    };
    // The survivor keeps its own values and takes the other's where it has none.
    await tx.execute(sql`
      UPDATE crm_contacts s SET
        family_name = COALESCE(s.family_name, o.family_name),
        given_name = COALESCE(s.given_name, o.given_name),
        company_id = COALESCE(s.company_id, o.company_id),
        owner_id = COALESCE(s.owner_id, o.owner_id),
        preferred_language = COALESCE(s.preferred_language, o.preferred_language),
        vip_level = GREATEST(s.vip_level, o.vip_level),
        tags = ARRAY(SELECT DISTINCT unnest(s.tags || o.tags) ORDER BY 1),
        custom_fields = o.custom_fields || s.custom_fields,
        version = s.version + 1,
        updated_at = clock_timestamp()
      FROM crm_contacts o WHERE s.id = ${survivorId} AND o.id = ${otherId}`);
    await tx.execute(sql`UPDATE crm_contacts SET merged_into = ${survivorId}, updated_at = clock_timestamp() WHERE tenant_id = ${t} AND (id = ${otherId} OR merged_into = ${otherId})`);
    await addTimelineEntry(tx, t, {
      contactId: survivorId,
      kind: 'merge',
      actorId: actor.userId,
      summary: `merged ${other.display_name as string}`,
      data: { mergedContactId: otherId, mergedDisplayName: other.display_name, moved },
    });
    return { contact: await ContactsService.read(tx, actor, survivorId), mergedContactId: otherId, moved };
  }
}
