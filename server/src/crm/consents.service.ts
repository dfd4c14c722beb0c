// Consent records (PIPL): per contact and purpose, with source and time; a withdrawal closes the current
// record and is kept. Outbound features ask `hasConsent` before they call or message.
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { invalid } from '../platform/errors.ts';
import { visibleContact } from './crm-access.ts';
import { iso, one, rows, type Row } from './crm-sql.ts';
import { addTimelineEntry } from './timeline.service.ts';

export const consentPurposes = ['recording', 'marketing_calls', 'marketing_messages', 'data_sharing'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

export interface ConsentRecord {
  id: string;
  purpose: ConsentPurpose;
  granted: boolean;
  source: string;
  recordedBy: string | null;
  recordedAt: string;
  withdrawnAt: string | null;
  withdrawnSource: string | null;
}

export interface ConsentState {
  purpose: ConsentPurpose;
  /** Granted and not withdrawn. */
  granted: boolean;
  history: ConsentRecord[];
}

const toRecord = (r: Row): ConsentRecord => ({
  id: r.id as string,
  purpose: r.purpose as ConsentPurpose,
  granted: r.granted as boolean,
  source: r.source as string,
  recordedBy: (r.recorded_by as string | null) ?? null,
  recordedAt: iso(r.recorded_at)!,
  withdrawnAt: iso(r.withdrawn_at),
  withdrawnSource: (r.withdrawn_source as string | null) ?? null,
});

/** Whether the contact's newest record for the purpose grants it and is not withdrawn (system path too). */
export async function hasConsent(tx: Tx, tenantId: string, contactId: string, purpose: ConsentPurpose): Promise<boolean> {
  const row = await one<{ granted: boolean; withdrawn_at: Date | null }>(
    tx,
    sql`SELECT granted, withdrawn_at FROM crm_consents WHERE tenant_id = ${tenantId} AND contact_id = ${contactId} AND purpose = ${purpose}
        ORDER BY recorded_at DESC, id DESC LIMIT 1`,
  );
  return !!row && row.granted && row.withdrawn_at === null;
}

export class ConsentsService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor, contactId: string): Promise<ConsentState[]> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleContact(tx, actor, contactId);
      const records = (await rows(tx, sql`SELECT * FROM crm_consents WHERE tenant_id = ${actor.tenantId} AND contact_id = ${contactId} ORDER BY recorded_at DESC, id DESC`)).map(toRecord);
      return consentPurposes.map((purpose) => {
        const history = records.filter((r) => r.purpose === purpose);
        const current = history[0];
        return { purpose, granted: !!current && current.granted && current.withdrawnAt === null, history };
      });
    });
  }

  async record(actor: Actor, contactId: string, input: { purpose?: ConsentPurpose | undefined; granted?: boolean | undefined; source?: string | undefined }): Promise<ConsentRecord> {
    requirePermission(actor, 'crm.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleContact(tx, actor, contactId);
      if (!input.purpose) throw invalid('purpose', `is required (one of ${consentPurposes.join(', ')})`);
      if (input.granted === undefined) throw invalid('granted', 'is required');
      if (!input.source?.trim()) throw invalid('source', 'is required (where the answer was given: call recording, web form, …)');
      // A new answer closes the open one, so only one record per purpose is current.
      await tx.execute(sql`UPDATE crm_consents SET withdrawn_at = clock_timestamp(), withdrawn_source = 'superseded'
                           WHERE tenant_id = ${actor.tenantId} AND contact_id = ${contactId} AND purpose = ${input.purpose} AND withdrawn_at IS NULL`);
      const row = await one(
        tx,
        sql`INSERT INTO crm_consents (tenant_id, contact_id, purpose, granted, source, recorded_by)
            VALUES (${actor.tenantId}, ${contactId}, ${input.purpose}, ${input.granted}, ${input.source.trim()}, ${actor.userId}) RETURNING *`,
      );
      await recordAudit(tx, actor, { action: 'consent.recorded', targetType: 'contact', targetId: contactId, details: { purpose: input.purpose, granted: input.granted, source: input.source } });
      await addTimelineEntry(tx, actor.tenantId, { contactId, kind: 'consent', actorId: actor.userId, summary: `${input.purpose}: ${input.granted ? 'granted' : 'refused'}`, data: { purpose: input.purpose, granted: input.granted, source: input.source } });
      return toRecord(row!);
    });
  }

  async withdraw(actor: Actor, contactId: string, input: { purpose?: ConsentPurpose | undefined; source?: string | undefined }): Promise<ConsentRecord> {
    requirePermission(actor, 'crm.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await visibleContact(tx, actor, contactId);
      if (!input.purpose) throw invalid('purpose', `is required (one of ${consentPurposes.join(', ')})`);
      const source = input.source?.trim() || 'agent';
      const row = await one(
        tx,
        sql`UPDATE crm_consents SET withdrawn_at = clock_timestamp(), withdrawn_source = ${source}
            WHERE tenant_id = ${actor.tenantId} AND contact_id = ${contactId} AND purpose = ${input.purpose} AND withdrawn_at IS NULL AND granted
            RETURNING *`,
      );
      if (!row) throw invalid('purpose', 'has no granted consent to withdraw');
      await recordAudit(tx, actor, { action: 'consent.withdrawn', targetType: 'contact', targetId: contactId, details: { purpose: input.purpose, source } });
      await addTimelineEntry(tx, actor.tenantId, { contactId, kind: 'consent', actorId: actor.userId, summary: `${input.purpose}: withdrawn`, data: { purpose: input.purpose, withdrawn: true, source } });
      return toRecord(row);
    });
  }
}
