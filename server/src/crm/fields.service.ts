// Definitions of the typed custom fields of each division (text, number, date, select, multi-select).
import { sql } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { isUniqueViolation } from '../platform/db/pg-errors.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { resolveDivision } from './crm-access.ts';
import { divisionScope, one, rows, textArray, type Row } from './crm-sql.ts';
import type { FieldType } from './custom-fields.ts';

export interface FieldDefinitionView {
  id: string;
  divisionId: string;
  key: string;
  label: string;
  type: FieldType;
  options: string[];
  required: boolean;
}

const toView = (r: Row): FieldDefinitionView => ({
  id: r.id as string,
  divisionId: r.division_id as string,
  key: r.key as string,
  label: r.label as string,
  type: r.type as FieldType,
  options: r.options as string[],
  required: r.required as boolean,
});

function checkOptions(type: FieldType, options: string[]): void {
  const needs = type === 'select' || type === 'multi_select';
  if (needs && options.length === 0) throw invalid('options', `a ${type} field needs options`);
  if (!needs && options.length > 0) throw invalid('options', `a ${type} field takes no options`);
}

export class FieldsService {
  constructor(private readonly database: Database) {}

  async list(actor: Actor, divisionId?: string): Promise<FieldDefinitionView[]> {
    requirePermission(actor, 'crm.read');
    return this.database.withTenant(actor.tenantId, async (tx) =>
      (
        await rows(
          tx,
          sql`SELECT * FROM crm_field_definitions WHERE tenant_id = ${actor.tenantId} AND ${divisionScope(actor, sql`division_id`)}
              ${divisionId ? sql`AND division_id = ${divisionId}` : sql``} ORDER BY division_id, key`,
        )
      ).map(toView),
    );
  }

  async create(actor: Actor, input: { divisionId?: string | undefined; key: string; label: string; type: FieldType; options?: string[] | undefined; required?: boolean | undefined }): Promise<FieldDefinitionView> {
    requirePermission(actor, 'crm.manage');
    const options = [...new Set((input.options ?? []).map((o) => o.trim()).filter(Boolean))];
    checkOptions(input.type, options);
    try {
      return await this.database.withTenant(actor.tenantId, async (tx) => {
        const divisionId = await resolveDivision(tx, actor, input.divisionId);
        const row = await one(
          tx,
          sql`INSERT INTO crm_field_definitions (tenant_id, division_id, key, label, type, options, required)
              VALUES (${actor.tenantId}, ${divisionId}, ${input.key}, ${input.label}, ${input.type}, ${textArray(options)}, ${input.required ?? false}) RETURNING *`,
        );
        return toView(row!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`the division has a field ${input.key}`, 'key');
      throw err;
    }
  }

  async update(actor: Actor, id: string, patch: { label?: string | undefined; options?: string[] | undefined; required?: boolean | undefined }): Promise<FieldDefinitionView> {
    requirePermission(actor, 'crm.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const current = await one(tx, sql`SELECT * FROM crm_field_definitions WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!current || !canSeeDivision(actor, current.division_id as string)) throw notFound('custom field');
      const options = patch.options ? [...new Set(patch.options.map((o) => o.trim()).filter(Boolean))] : (current.options as string[]);
      checkOptions(current.type as FieldType, options);
      const row = await one(
        tx,
        sql`UPDATE crm_field_definitions SET label = ${patch.label ?? (current.label as string)}, options = ${textArray(options)},
                   required = ${patch.required ?? (current.required as boolean)}
            WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`,
      );
      return toView(row!);
    });
  }

  /** Removes the definition; values already stored on contacts stay in their JSON until overwritten. */
  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'crm.manage');
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const current = await one(tx, sql`SELECT division_id FROM crm_field_definitions WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!current || !canSeeDivision(actor, current.division_id as string)) throw notFound('custom field');
      await tx.execute(sql`DELETE FROM crm_field_definitions WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    });
  }
}
