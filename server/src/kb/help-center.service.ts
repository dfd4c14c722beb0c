// The public help center: a tenant's public spaces by slug, search, articles, "did this solve your problem?"
// feedback (a "no" offers a contact request that carries the article), and the content-gap report built from
// what the public and agents searched for and how articles were rated.
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { invalid, notFound } from '../platform/errors.ts';
import { publicSpaceIds, requireEdit, visibleSpaces } from './kb-access.ts';
import { iso, one, rows, uuidArray } from './kb-sql.ts';
import { analyseQuery, searchArticles } from './search/search-engine.ts';
import type { SpacesService } from './spaces.service.ts';

export interface HelpTenant {
  id: string;
  name: string;
  slug: string;
}

interface PublicArticleRow {
  id: string;
  space_id: string;
  category_id: string | null;
  language: string;
  translation_group: string;
  live_title: string;
  live_body: string;
  live_tags: string[];
  published_at: Date;
  updated_at: Date;
}

export class HelpCenterService {
  constructor(
    private readonly database: Database,
    private readonly spaces: SpacesService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A tenant by its slug (a system path: the public has no tenant yet). */
  async tenant(slug: string): Promise<HelpTenant> {
    const t = await this.database.withSystem((tx) => one<HelpTenant>(tx, sql`SELECT id, name, slug FROM tenants WHERE slug = ${slug}`));
    if (!t) throw notFound('help center');
    return t;
  }

  private publicSpaceIds(tx: Tx, tenantId: string) {
    return rows<{ id: string; name: string; description: string }>(
      tx,
      sql`SELECT id, name, description FROM kb_spaces WHERE tenant_id = ${tenantId} AND visibility IN ('public', 'both') ORDER BY created_at, id`,
    );
  }

  private live(tenantId: string) {
    return sql`a.tenant_id = ${tenantId} AND a.status = 'published' AND a.audience = 'public' AND (a.expires_at IS NULL OR a.expires_at > ${this.now()})`;
  }

  /** Public spaces with their categories and article titles. */
  async home(slug: string, language?: string) {
    const tenant = await this.tenant(slug);
    return this.database.withTenant(tenant.id, async (tx) => {
      const spaces = await this.publicSpaceIds(tx, tenant.id);
      const ids = spaces.map((s) => s.id);
      const categories = await rows<{ id: string; space_id: string; parent_id: string | null; name: string }>(
        tx,
        sql`SELECT id, space_id, parent_id, name FROM kb_categories WHERE tenant_id = ${tenant.id} AND space_id = ANY(${uuidArray(ids)}) ORDER BY position, name`,
      );
      const articles = await rows<{ id: string; space_id: string; category_id: string | null; language: string; live_title: string }>(
        tx,
        sql`SELECT a.id, a.space_id, a.category_id, a.language, a.live_title FROM kb_articles a WHERE ${this.live(tenant.id)}
          AND a.space_id = ANY(${uuidArray(ids)}) ${language ? sql`AND a.language = ${language}` : sql``}
          ORDER BY a.helpful_count DESC, a.live_title LIMIT 500`,
      );
      return {
        tenant: { name: tenant.name, slug: tenant.slug },
        spaces: spaces.map((s) => ({
          id: s.id,
          name: s.name,
          description: s.description,
          categories: categories.filter((c) => c.space_id === s.id).map((c) => ({ id: c.id, parentId: c.parent_id, name: c.name })),
          articles: articles.filter((a) => a.space_id === s.id).map((a) => ({ id: a.id, categoryId: a.category_id, language: a.language, title: a.live_title })),
        })),
      };
    });
  }

  async search(slug: string, input: { q: string; language?: string | undefined; categoryId?: string | undefined; sessionId?: string | undefined }) {
    const tenant = await this.tenant(slug);
    return this.database.withTenant(tenant.id, async (tx) => {
      const groups = analyseQuery(input.q, await this.spaces.synonymSets(tx, tenant.id));
      const results = await searchArticles(tx, { tenantId: tenant.id, spaces: publicSpaceIds(tenant.id), publicOnly: true }, groups, input.q, input, { now: this.now(), limit: 10 });
      await tx.execute(sql`INSERT INTO kb_search_log (tenant_id, channel, query, result_count, session_id)
        VALUES (${tenant.id}, 'help', ${input.q.slice(0, 200)}, ${results.length}, ${input.sessionId ?? null})`);
      return { query: input.q, results: results.map(({ score: _s, matchedBy: _m, spaceId: _sp, ...hit }) => hit) };
    });
  }

  async article(slug: string, id: string, sessionId?: string) {
    const tenant = await this.tenant(slug);
    return this.database.withTenant(tenant.id, async (tx) => {
      const a = await this.publicArticle(tx, tenant.id, id);
      await tx.execute(sql`UPDATE kb_articles SET view_count = view_count + 1 WHERE tenant_id = ${tenant.id} AND id = ${id}`);
      if (sessionId) await tx.execute(sql`INSERT INTO kb_help_events (tenant_id, session_id, kind, article_id) VALUES (${tenant.id}, ${sessionId}, 'view', ${id})`);
      const translations = await rows<{ id: string; language: string; title: string }>(
        tx,
        sql`SELECT a.id, a.language, a.live_title AS title FROM kb_articles a WHERE ${this.live(tenant.id)} AND a.translation_group = ${a.translation_group} AND a.id <> ${id}`,
      );
      const related = await rows<{ id: string; title: string }>(
        tx,
        sql`SELECT a.id, a.live_title AS title FROM kb_article_links l JOIN kb_articles a ON a.id = l.related_id
          WHERE l.tenant_id = ${tenant.id} AND l.article_id = ${id} AND ${this.live(tenant.id)} ORDER BY a.live_title`,
      );
      return {
        id: a.id,
        categoryId: a.category_id,
        language: a.language,
        title: a.live_title,
        body: a.live_body,
        tags: a.live_tags,
        publishedAt: iso(a.published_at)!,
        translations,
        related,
      };
    });
  }

  /**
   * The tenant's web-chat widget for the help center, if it has one (the oldest enabled widget). Read straight
   * from the web-chat module's table: the help center only needs the id for the widget's own loader script,
   * which checks everything else (the help center is on Kefu's own origin, which every widget accepts).
   */
  async chatWidget(tenantId: string): Promise<string | null> {
    const row = await this.database.withTenant(tenantId, (tx) =>
      one<{ id: string }>(tx, sql`SELECT id FROM webchat_widgets WHERE tenant_id = ${tenantId} AND enabled ORDER BY created_at, id LIMIT 1`),
    );
    return row?.id ?? null;
  }

  /** "Did this solve your problem?" A "no" answers with the contact path that carries the article. */
  async feedback(slug: string, id: string, input: { helpful: boolean; sessionId: string }) {
    const tenant = await this.tenant(slug);
    return this.database.withTenant(tenant.id, async (tx) => {
      const a = await this.publicArticle(tx, tenant.id, id);
      await tx.execute(
        input.helpful
          ? sql`UPDATE kb_articles SET helpful_count = helpful_count + 1 WHERE tenant_id = ${tenant.id} AND id = ${id}`
          : sql`UPDATE kb_articles SET unhelpful_count = unhelpful_count + 1 WHERE tenant_id = ${tenant.id} AND id = ${id}`,
      );
      await tx.execute(sql`INSERT INTO kb_help_events (tenant_id, session_id, kind, article_id, helpful)
        VALUES (${tenant.id}, ${input.sessionId}, 'feedback', ${id}, ${input.helpful})`);
      const widgetId = input.helpful ? null : await this.chatWidget(tenant.id);
      return {
        recorded: true,
        contact: input.helpful
          ? null
          : { articleId: a.id, articleTitle: a.live_title, chatAvailable: widgetId !== null, chatWidgetId: widgetId, form: `/api/help/${slug}/contact` },
      };
    });
  }

  /** A contact request from the help center, carrying the article the customer was reading. */
  async contact(slug: string, input: { articleId?: string | undefined; sessionId: string; name: string; contact: string; message: string }) {
    const tenant = await this.tenant(slug);
    return this.database.withTenant(tenant.id, async (tx) => {
      const article = input.articleId ? await this.publicArticle(tx, tenant.id, input.articleId).catch(() => Promise.reject(invalid('articleId', 'no such article'))) : null;
      // The request is also an interaction of the division that owns the article (else the tenant's first
      // division): a chat contact the customer has finished (a left message), followed up by a person.
      const division = await one<{ id: string }>(
        tx,
        article
          ? sql`SELECT division_id AS id FROM kb_spaces WHERE tenant_id = ${tenant.id} AND id = ${article.space_id}`
          : sql`SELECT id FROM divisions WHERE tenant_id = ${tenant.id} ORDER BY created_at, id LIMIT 1`,
      );
      const row = await one<{ id: string; created_at: Date }>(
        tx,
        sql`INSERT INTO kb_contact_requests (tenant_id, article_id, article_title, session_id, name, contact, message)
          VALUES (${tenant.id}, ${article?.id ?? null}, ${article?.live_title ?? ''}, ${input.sessionId}, ${input.name}, ${input.contact}, ${input.message})
          RETURNING id, created_at`,
      );
      const interaction = division
        ? await one<{ id: string }>(
            tx,
            sql`INSERT INTO interactions (tenant_id, division_id, channel, direction, state, from_address, to_address, external_ref, ended_at, hangup_by, end_reason)
              VALUES (${tenant.id}, ${division.id}, 'chat', 'inbound', 'ended', ${input.contact}, 'help-center', ${`kb-contact:${row!.id}`}, clock_timestamp(), 'customer', 'help_center_contact')
              RETURNING id`,
          )
        : undefined;
      if (interaction) await tx.execute(sql`UPDATE kb_contact_requests SET interaction_id = ${interaction.id} WHERE id = ${row!.id}`);
      await tx.execute(sql`INSERT INTO kb_help_events (tenant_id, session_id, kind, article_id) VALUES (${tenant.id}, ${input.sessionId}, 'contact', ${article?.id ?? null})`);
      await appendEvent(tx, tenant.id, 'kb_contact.requested', { requestId: row!.id, articleId: article?.id ?? null, interactionId: interaction?.id ?? null });
      return { id: row!.id, articleId: article?.id ?? null, articleTitle: article?.live_title ?? null, interactionId: interaction?.id ?? null, createdAt: iso(row!.created_at)! };
    });
  }

  private async publicArticle(tx: Tx, tenantId: string, id: string): Promise<PublicArticleRow> {
    const a = await one<PublicArticleRow>(
      tx,
      sql`SELECT a.* FROM kb_articles a JOIN kb_spaces s ON s.id = a.space_id AND s.visibility IN ('public', 'both')
        WHERE ${this.live(tenantId)} AND a.id = ${id}`,
    );
    if (!a) throw notFound('article');
    return a;
  }

  // ---- for staff

  /** Contact requests from the help center (until web chat and tickets take them over). */
  async contactRequests(actor: Actor) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const list = await rows<{ id: string; article_id: string | null; article_title: string; name: string; contact: string; message: string; status: string; interaction_id: string | null; created_at: Date }>(
        tx,
        sql`SELECT * FROM kb_contact_requests WHERE tenant_id = ${actor.tenantId} ORDER BY created_at DESC, id LIMIT 200`,
      );
      return list.map((r) => ({ id: r.id, articleId: r.article_id, articleTitle: r.article_title, name: r.name, contact: r.contact, message: r.message, status: r.status, interactionId: r.interaction_id, createdAt: iso(r.created_at)! }));
    });
  }

  /** Top failed searches, least helpful articles, and the deflection rate over the last `days`. */
  async contentGaps(actor: Actor, days = 30) {
    requireEdit(actor);
    const since = new Date(this.now().getTime() - days * 86_400_000);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const spaceIds = (await visibleSpaces(tx, actor)).map((s) => s.id);
      const failed = await rows<{ query: string; channel: string; searches: number }>(
        tx,
        sql`SELECT lower(query) AS query, channel, count(*)::int AS searches FROM kb_search_log
          WHERE tenant_id = ${actor.tenantId} AND at >= ${since} AND result_count = 0
          GROUP BY lower(query), channel ORDER BY searches DESC, query LIMIT 20`,
      );
      const unhelpful = await rows<{ id: string; title: string; helpful_count: number; unhelpful_count: number }>(
        tx,
        sql`SELECT id, coalesce(live_title, title) AS title, helpful_count, unhelpful_count FROM kb_articles
          WHERE tenant_id = ${actor.tenantId} AND space_id = ANY(${uuidArray(spaceIds)}) AND unhelpful_count > 0
          ORDER BY (unhelpful_count::float8 + 1) / (helpful_count + unhelpful_count + 2) DESC, unhelpful_count DESC, id LIMIT 20`,
      );
      const sessions = await one<{ viewed: number; contacted: number }>(
        tx,
        sql`SELECT count(*) FILTER (WHERE viewed)::int AS viewed, count(*) FILTER (WHERE viewed AND contacted)::int AS contacted FROM (
          SELECT session_id, bool_or(kind = 'view') AS viewed, bool_or(kind = 'contact') AS contacted
          FROM kb_help_events WHERE tenant_id = ${actor.tenantId} AND at >= ${since} GROUP BY session_id) s`,
      );
      const viewed = sessions?.viewed ?? 0;
      const contacted = sessions?.contacted ?? 0;
      return {
        since: since.toISOString(),
        failedSearches: failed,
        leastHelpful: unhelpful.map((a) => ({ id: a.id, title: a.title, helpful: a.helpful_count, unhelpful: a.unhelpful_count })),
        deflection: { sessionsWithViews: viewed, contacted, deflected: viewed - contacted, rate: viewed ? (viewed - contacted) / viewed : null },
      };
    });
  }
}
