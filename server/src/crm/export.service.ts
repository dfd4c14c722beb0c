// CSV export of the contacts an actor sees. Phones and emails are masked unless the actor holds crm.reveal; the
// export itself is audited with its row count. Rows are read in keyset pages so memory stays bounded per page.
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database } from '../platform/db/database.ts';
import { divisionScope, rows, type Row } from './crm-sql.ts';
import { canReveal, contactSelect, toContact } from './contact-model.ts';
import { csvLine } from './import/csv.ts';

const PAGE = 2000;

export class ExportService {
  constructor(private readonly database: Database) {}

  async csv(actor: Actor, query: { divisionId?: string | undefined; tag?: string | undefined }): Promise<string> {
    requirePermission(actor, 'crm.manage');
    const reveal = canReveal(actor);
    const parts: string[] = [csvLine(['id', 'displayName', 'familyName', 'givenName', 'company', 'phone', 'email', 'wechat_openid', 'external', 'tags', 'vipLevel', 'preferredLanguage', 'customFields', 'createdAt'])];
    let after: { key: string; id: string } | null = null;
    let count = 0;
    for (;;) {
      const cursor: { key: string; id: string } | null = after;
      const page: Row[] = await this.database.withTenant(actor.tenantId, (tx) =>
        rows(
          tx,
          sql`${contactSelect} WHERE c.tenant_id = ${actor.tenantId} AND c.merged_into IS NULL AND ${divisionScope(actor, sql`c.division_id`)}
              ${query.divisionId ? sql`AND c.division_id = ${query.divisionId}` : sql``}
              ${query.tag ? sql`AND ${query.tag} = ANY(c.tags)` : sql``}
              ${cursor ? sql`AND (c.created_at, c.id) > (${cursor.key}::timestamptz, ${cursor.id}::uuid)` : sql``}
              ORDER BY c.created_at, c.id LIMIT ${PAGE}`,
        ),
      );
      for (const row of page) {
        const c = toContact(row, reveal);
        const of = (kind: string) => c.identities.filter((i) => i.kind === kind).map((i) => i.value).join('; ');
        parts.push(csvLine([c.id, c.displayName, c.familyName, c.givenName, c.company?.name, of('phone'), of('email'), of('wechat_openid'), of('external'), c.tags.join('; '), c.vipLevel, c.preferredLanguage, JSON.stringify(c.customFields), c.createdAt]));
      }
      count += page.length;
      const last = page[page.length - 1];
      if (page.length < PAGE || !last) break;
      after = { key: last.created_key as string, id: last.id as string };
    }
    await this.database.withTenant(actor.tenantId, (tx) =>
      recordAudit(tx, actor, { action: 'contacts.exported', targetType: 'crm_export', details: { rows: count, masked: !reveal, divisionId: query.divisionId ?? null, tag: query.tag ?? null } }),
    );
    return `\uFEFF${parts.join('')}`;
  }
}
