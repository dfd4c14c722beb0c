// Search for people (agents, editors) and agent assist: suggestions from the live conversation, and a record of
// which article helped which interaction.
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { visibleSpaceIds, visibleSpaces } from './kb-access.ts';
import { iso, one, rows, uuidArray } from './kb-sql.ts';
import { analyseQuery, compiledSynonyms, conversationGroups, searchArticles, type SearchFilters, type SearchHit } from './search/search-engine.ts';
import { expandSynonyms } from './search/synonyms.ts';
import type { SpacesService } from './spaces.service.ts';

export type UsageAction = 'viewed' | 'inserted_link' | 'inserted_snippet' | 'helped';

/** A hit for people: public articles carry their help-center path, the link an agent sends a customer. */
export type PersonHit = SearchHit & { publicPath: string | null };

export class SearchService {
  constructor(
    private readonly database: Database,
    private readonly spaces: SpacesService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Tenant slugs never change, so one lookup per tenant and process is enough. */
  private readonly slugs = new Map<string, string>();

  private async withPaths(tx: Tx, tenantId: string, hits: SearchHit[]): Promise<PersonHit[]> {
    let slug = this.slugs.get(tenantId);
    if (slug === undefined && hits.some((h) => h.audience === 'public')) {
      slug = (await one<{ slug: string }>(tx, sql`SELECT slug FROM tenants WHERE id = ${tenantId}`))?.slug;
      if (slug !== undefined) this.slugs.set(tenantId, slug);
    }
    return hits.map((h) => ({ ...h, publicPath: h.audience === 'public' && slug ? `/help/${slug}/articles/${h.id}` : null }));
  }

  async search(actor: Actor, input: SearchFilters & { q: string; limit?: number | undefined }): Promise<{ query: string; results: PersonHit[] }> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const groups = analyseQuery(input.q, await this.spaces.synonymSets(tx, actor.tenantId));
      const results = await searchArticles(tx, { tenantId: actor.tenantId, spaces: visibleSpaceIds(actor), publicOnly: false }, groups, input.q, input, {
        now: this.now(),
        limit: input.limit ?? 10,
      });
      await tx.execute(sql`INSERT INTO kb_search_log (tenant_id, channel, query, result_count) VALUES (${actor.tenantId}, 'agent', ${input.q.slice(0, 200)}, ${results.length})`);
      return { query: input.q, results: await this.withPaths(tx, actor.tenantId, results) };
    });
  }

  /** Articles for the agent's knowledge panel, from the conversation so far. */
  async suggest(actor: Actor, input: { messages: { from: 'customer' | 'agent'; text: string }[]; language?: string | undefined; limit?: number | undefined }) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const groups = expandSynonyms(conversationGroups(input.messages), compiledSynonyms(await this.spaces.synonymSets(tx, actor.tenantId)));
      const limit = input.limit ?? 5;
      // Strict matching on a whole conversation rarely finds anything: search loosely (one group per query term).
      const results = groups.length
        ? await searchArticles(tx, { tenantId: actor.tenantId, spaces: visibleSpaceIds(actor), publicOnly: false }, [groups.flat()], '', { language: input.language }, {
            now: this.now(),
            limit,
            trigram: false,
          })
        : [];
      return { terms: groups.map((g) => (g[0] ?? []).join(' ')), results: await this.withPaths(tx, actor.tenantId, results) };
    });
  }

  async recordUsage(actor: Actor, input: { articleId: string; interactionId: string; action: UsageAction }) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const spaceIds = (await visibleSpaces(tx, actor)).map((s) => s.id);
      const article = await one(
        tx,
        sql`SELECT 1 FROM kb_articles WHERE tenant_id = ${actor.tenantId} AND id = ${input.articleId} AND status = 'published' AND space_id = ANY(${uuidArray(spaceIds)})`,
      );
      if (!article) throw notFound('article');
      const row = await one<{ id: string; at: Date }>(
        tx,
        sql`INSERT INTO kb_article_usage (tenant_id, article_id, interaction_id, user_id, action)
          VALUES (${actor.tenantId}, ${input.articleId}, ${input.interactionId}, ${actor.userId}, ${input.action}) RETURNING id, at`,
      );
      return { id: String(row!.id), ...input, userId: actor.userId, at: iso(row!.at)! };
    });
  }

  /** Which interactions an article helped (for editors). */
  async usage(actor: Actor, articleId: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const spaceIds = (await visibleSpaces(tx, actor)).map((s) => s.id);
      const article = await one(tx, sql`SELECT 1 FROM kb_articles WHERE tenant_id = ${actor.tenantId} AND id = ${articleId} AND space_id = ANY(${uuidArray(spaceIds)})`);
      if (!article) throw notFound('article');
      const list = await rows<{ interaction_id: string; user_id: string | null; action: string; at: Date }>(
        tx,
        sql`SELECT interaction_id, user_id, action, at FROM kb_article_usage WHERE tenant_id = ${actor.tenantId} AND article_id = ${articleId} ORDER BY at DESC LIMIT 200`,
      );
      return list.map((u) => ({ interactionId: u.interaction_id, userId: u.user_id, action: u.action, at: iso(u.at)! }));
    });
  }
}
