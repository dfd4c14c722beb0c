// Spaces (per division: internal, public or both), their categories and sections, and the tenant's synonyms.
import { sql } from 'drizzle-orm';
import { canSeeDivision, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { requireEdit, spaceFor, visibleSpaces, type SpaceRow } from './kb-access.ts';
import { iso, one, rows, textArray } from './kb-sql.ts';

export type Visibility = 'internal' | 'public' | 'both';

const toSpace = (s: SpaceRow) => ({
  id: s.id,
  divisionId: s.division_id,
  name: s.name,
  description: s.description,
  visibility: s.visibility,
  createdAt: iso(s.created_at)!,
});

interface CategoryRow {
  id: string;
  space_id: string;
  parent_id: string | null;
  name: string;
  position: number;
}
const toCategory = (c: CategoryRow) => ({ id: c.id, spaceId: c.space_id, parentId: c.parent_id, name: c.name, position: c.position });

export class SpacesService {
  /** Synonym sets per tenant, cached until this process changes them. */
  private readonly synonymCache = new Map<string, string[][]>();

  constructor(private readonly database: Database) {}

  async list(actor: Actor) {
    return this.database.withTenant(actor.tenantId, async (tx) => (await visibleSpaces(tx, actor)).map(toSpace));
  }

  async get(actor: Actor, id: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const space = await spaceFor(tx, actor, id);
      const categories = await rows<CategoryRow>(tx, sql`SELECT * FROM kb_categories WHERE tenant_id = ${actor.tenantId} AND space_id = ${id} ORDER BY position, name`);
      return { ...toSpace(space), categories: categories.map(toCategory) };
    });
  }

  async create(actor: Actor, input: { divisionId: string; name: string; description?: string | undefined; visibility: Visibility }) {
    requireEdit(actor);
    if (!canSeeDivision(actor, input.divisionId)) throw invalid('divisionId', 'no such division');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const division = await one(tx, sql`SELECT 1 FROM divisions WHERE tenant_id = ${actor.tenantId} AND id = ${input.divisionId}`);
      if (!division) throw invalid('divisionId', 'no such division');
      const space = await one<SpaceRow>(
        tx,
        sql`INSERT INTO kb_spaces (tenant_id, division_id, name, description, visibility)
          VALUES (${actor.tenantId}, ${input.divisionId}, ${input.name}, ${input.description ?? ''}, ${input.visibility})
          ON CONFLICT (tenant_id, name) DO NOTHING RETURNING *`,
      );
      if (!space) throw conflict(`a space named ${input.name} exists`, 'name');
      await recordAudit(tx, actor, { action: 'kb_space.created', targetType: 'kb_space', targetId: space.id, details: { name: input.name, visibility: input.visibility } });
      return toSpace(space);
    });
  }

  async update(actor: Actor, id: string, patch: { name?: string | undefined; description?: string | undefined; visibility?: Visibility | undefined }) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await spaceFor(tx, actor, id);
      const space = await one<SpaceRow>(
        tx,
        sql`UPDATE kb_spaces SET name = coalesce(${patch.name ?? null}, name), description = coalesce(${patch.description ?? null}, description),
          visibility = coalesce(${patch.visibility ?? null}, visibility) WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`,
      ).catch((err: unknown) => {
        if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw conflict(`a space named ${patch.name} exists`, 'name');
        throw err;
      });
      // A space's visibility decides its articles' audience, except in a space for both.
      if (patch.visibility && patch.visibility !== 'both') {
        await tx.execute(sql`UPDATE kb_articles SET audience = ${patch.visibility} WHERE tenant_id = ${actor.tenantId} AND space_id = ${id}`);
      }
      await recordAudit(tx, actor, { action: 'kb_space.updated', targetType: 'kb_space', targetId: id, details: { ...patch } });
      return toSpace(space!);
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    requireEdit(actor);
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await spaceFor(tx, actor, id);
      await tx.execute(sql`DELETE FROM kb_spaces WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'kb_space.deleted', targetType: 'kb_space', targetId: id });
    });
  }

  // Categories and sections

  async createCategory(actor: Actor, input: { spaceId: string; parentId?: string | undefined; name: string; position?: number | undefined }) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await spaceFor(tx, actor, input.spaceId).catch(() => Promise.reject(invalid('spaceId', 'no such space')));
      if (input.parentId) {
        const parent = await one<CategoryRow>(tx, sql`SELECT * FROM kb_categories WHERE tenant_id = ${actor.tenantId} AND id = ${input.parentId}`);
        if (!parent || parent.space_id !== input.spaceId) throw invalid('parentId', 'the parent category is not in this space');
        if (parent.parent_id) throw invalid('parentId', 'sections cannot have sections of their own');
      }
      const row = await one<CategoryRow>(
        tx,
        sql`INSERT INTO kb_categories (tenant_id, space_id, parent_id, name, position)
          VALUES (${actor.tenantId}, ${input.spaceId}, ${input.parentId ?? null}, ${input.name}, ${input.position ?? 0}) RETURNING *`,
      );
      return toCategory(row!);
    });
  }

  async getCategory(actor: Actor, id: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => toCategory(await this.categoryFor(tx, actor, id)));
  }

  async updateCategory(actor: Actor, id: string, patch: { name?: string | undefined; position?: number | undefined }) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.categoryFor(tx, actor, id);
      const row = await one<CategoryRow>(
        tx,
        sql`UPDATE kb_categories SET name = coalesce(${patch.name ?? null}, name), position = coalesce(${patch.position ?? null}::int, position)
          WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`,
      );
      return toCategory(row!);
    });
  }

  async removeCategory(actor: Actor, id: string): Promise<void> {
    requireEdit(actor);
    await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.categoryFor(tx, actor, id);
      await tx.execute(sql`DELETE FROM kb_categories WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    });
  }

  private async categoryFor(tx: Tx, actor: Actor, id: string): Promise<CategoryRow> {
    const row = await one<CategoryRow>(tx, sql`SELECT * FROM kb_categories WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
    if (!row) throw notFound('category');
    await spaceFor(tx, actor, row.space_id).catch(() => Promise.reject(notFound('category')));
    return row;
  }

  // Synonyms

  async listSynonyms(actor: Actor) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const list = await rows<{ id: string; terms: string[]; created_at: Date }>(tx, sql`SELECT * FROM kb_synonyms WHERE tenant_id = ${actor.tenantId} ORDER BY created_at, id`);
      return list.map((s) => ({ id: s.id, terms: s.terms, createdAt: iso(s.created_at)! }));
    });
  }

  async createSynonym(actor: Actor, terms: string[]) {
    requireEdit(actor);
    const clean = cleanTerms(terms);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const row = await one<{ id: string; terms: string[]; created_at: Date }>(
        tx,
        sql`INSERT INTO kb_synonyms (tenant_id, terms) VALUES (${actor.tenantId}, ${textArray(clean)}) RETURNING *`,
      );
      await recordAudit(tx, actor, { action: 'kb_synonym.created', targetType: 'kb_synonym', targetId: row!.id, details: { terms: clean } });
      this.synonymCache.delete(actor.tenantId);
      return { id: row!.id, terms: row!.terms, createdAt: iso(row!.created_at)! };
    });
  }

  async updateSynonym(actor: Actor, id: string, terms: string[] | undefined) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const row = await one<{ id: string; terms: string[]; created_at: Date }>(
        tx,
        terms === undefined
          ? sql`SELECT * FROM kb_synonyms WHERE tenant_id = ${actor.tenantId} AND id = ${id}`
          : sql`UPDATE kb_synonyms SET terms = ${textArray(cleanTerms(terms))} WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`,
      );
      if (!row) throw notFound('synonym');
      this.synonymCache.delete(actor.tenantId);
      return { id: row.id, terms: row.terms, createdAt: iso(row.created_at)! };
    });
  }

  async removeSynonym(actor: Actor, id: string): Promise<void> {
    requireEdit(actor);
    await this.database.withTenant(actor.tenantId, async (tx) => {
      const r = await tx.execute(sql`DELETE FROM kb_synonyms WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!r.rowCount) throw notFound('synonym');
      await recordAudit(tx, actor, { action: 'kb_synonym.deleted', targetType: 'kb_synonym', targetId: id });
    });
    this.synonymCache.delete(actor.tenantId);
  }

  /** The tenant's synonym sets (for query expansion), inside the caller's transaction. */
  async synonymSets(tx: Tx, tenantId: string): Promise<string[][]> {
    const cached = this.synonymCache.get(tenantId);
    if (cached) return cached;
    const list = await rows<{ terms: string[] }>(tx, sql`SELECT terms FROM kb_synonyms WHERE tenant_id = ${tenantId}`);
    const sets = list.map((s) => s.terms);
    this.synonymCache.set(tenantId, sets);
    return sets;
  }
}

function cleanTerms(terms: string[]): string[] {
  const clean = [...new Set(terms.map((t) => t.trim()).filter(Boolean))];
  if (clean.length < 2) throw invalid('terms', 'a synonym set needs at least two different terms');
  return clean;
}
