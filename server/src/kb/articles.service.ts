// Articles: Markdown content in versions, a review workflow (draft → in review → published, or scheduled, or
// rejected), translations (zh-CN/en linked by a group), related articles, owners and review-by dates. Only the
// published version is live: it is copied onto the article row with its search lexemes (search/tsvector.ts).
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { appendEvent } from '../platform/events/outbox.ts';
import { AppError, conflict, invalid, notFound } from '../platform/errors.ts';
import { canEdit, requireEdit, spaceFor, visibleSpaces } from './kb-access.ts';
import { iso, one, rows, textArray, uuidArray } from './kb-sql.ts';
import { diffLines, type DiffLine } from './diff.ts';
import { markdownToText } from './search/snippet.ts';
import { buildTsvector } from './search/tsvector.ts';
import { normalizeText } from './search/segment.ts';
import { findTemplate } from './templates.ts';
import { cleanTags, dateOnly, isUnique, toVersion, type ArticleInput, type ArticlePatch, type ArticleRow, type ArticleVersion, type Language, type VersionRow } from './article.types.ts';

export type { ArticleInput, ArticlePatch, ArticleVersion, Language, VersionState } from './article.types.ts';

export class ArticlesService {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(actor: Actor, input: ArticleInput) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const space = await spaceFor(tx, actor, input.spaceId);
      if (input.categoryId) await this.checkCategory(tx, actor, space.id, input.categoryId);
      const audience = space.visibility === 'both' ? (input.audience ?? 'internal') : space.visibility;
      let group: string | null = null;
      if (input.translationOf) {
        const original = await this.row(tx, actor, input.translationOf);
        group = original.translation_group;
      }
      const template = input.template ? findTemplate(input.template, input.language) : undefined;
      const body = input.body ?? template?.body ?? '';
      const tags = cleanTags(input.tags ?? []);
      let article: { id: string } | undefined;
      try {
        article = await one<{ id: string }>(
          tx,
          sql`INSERT INTO kb_articles (tenant_id, space_id, category_id, language, translation_group, audience, title, template,
                owner_id, review_by, expires_at, created_by)
              VALUES (${actor.tenantId}, ${space.id}, ${input.categoryId ?? null}, ${input.language}, coalesce(${group}::uuid, gen_random_uuid()),
                ${audience}, ${input.title}, ${input.template ?? null}, ${input.ownerId ?? actor.userId}, ${input.reviewBy ?? null},
                ${input.expiresAt ?? null}, ${actor.userId})
              RETURNING id`,
        );
      } catch (err) {
        if (isUnique(err)) throw conflict(`this article already has a ${input.language} version`, 'translationOf');
        throw err;
      }
      await tx.execute(sql`INSERT INTO kb_article_versions (tenant_id, article_id, version, title, body, tags, state, author_id)
        VALUES (${actor.tenantId}, ${article!.id}, 1, ${input.title}, ${body}, ${textArray(tags)}, 'draft', ${actor.userId})`);
      if (input.relatedIds) await this.setRelated(tx, actor, article!.id, input.relatedIds);
      await recordAudit(tx, actor, { action: 'kb_article.created', targetType: 'kb_article', targetId: article!.id, details: { title: input.title } });
      return this.detail(tx, actor, article!.id);
    });
  }

  async get(actor: Actor, id: string) {
    return this.database.withTenant(actor.tenantId, (tx) => this.detail(tx, actor, id));
  }

  async list(actor: Actor, filter: { spaceId?: string | undefined; categoryId?: string | undefined; status?: string | undefined; language?: string | undefined; tag?: string | undefined; limit?: number | undefined; offset?: number | undefined }) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const spaceIds = (await visibleSpaces(tx, actor)).map((s) => s.id);
      const editor = canEdit(actor);
      const list = await rows<ArticleRow>(
        tx,
        sql`SELECT * FROM kb_articles WHERE tenant_id = ${actor.tenantId} AND space_id = ANY(${uuidArray(spaceIds)})
          ${editor ? sql`` : sql`AND status = 'published' AND (expires_at IS NULL OR expires_at > ${this.now()})`}
          ${filter.spaceId ? sql`AND space_id = ${filter.spaceId}` : sql``}
          ${filter.categoryId ? sql`AND category_id = ${filter.categoryId}` : sql``}
          ${filter.status ? sql`AND status = ${filter.status}` : sql``}
          ${filter.language ? sql`AND language = ${filter.language}` : sql``}
          ${filter.tag ? sql`AND ${filter.tag} = ANY(live_tags)` : sql``}
          ORDER BY updated_at DESC, id LIMIT ${filter.limit ?? 50} OFFSET ${filter.offset ?? 0}`,
      );
      return list.map((r) => this.summary(r, editor));
    });
  }

  async update(actor: Actor, id: string, patch: ArticlePatch) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const article = await this.row(tx, actor, id);
      if (patch.categoryId) await this.checkCategory(tx, actor, article.space_id, patch.categoryId);
      const content = patch.title !== undefined || patch.body !== undefined || patch.tags !== undefined;
      if (content) {
        const latest = (await this.version(tx, actor, id, article.latest_version))!;
        const next = article.latest_version + 1;
        if (latest.state === 'draft' || latest.state === 'in_review') {
          await tx.execute(sql`UPDATE kb_article_versions SET state = 'superseded' WHERE article_id = ${id} AND version = ${latest.version}`);
        }
        await tx.execute(sql`INSERT INTO kb_article_versions (tenant_id, article_id, version, title, body, tags, state, note, author_id)
          VALUES (${actor.tenantId}, ${id}, ${next}, ${patch.title ?? latest.title}, ${patch.body ?? latest.body},
            ${textArray(patch.tags ? cleanTags(patch.tags) : latest.tags)}, 'draft', ${patch.note ?? ''}, ${actor.userId})`);
        await tx.execute(sql`UPDATE kb_articles SET latest_version = ${next}, title = ${patch.title ?? latest.title} WHERE id = ${id}`);
      }
      await tx.execute(sql`UPDATE kb_articles SET updated_at = ${this.now()}
        ${patch.categoryId !== undefined ? sql`, category_id = ${patch.categoryId}` : sql``}
        ${patch.ownerId !== undefined ? sql`, owner_id = ${patch.ownerId}` : sql``}
        ${patch.reviewBy !== undefined ? sql`, review_by = ${patch.reviewBy}` : sql``}
        ${patch.expiresAt !== undefined ? sql`, expires_at = ${patch.expiresAt}` : sql``}
        WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (patch.relatedIds) await this.setRelated(tx, actor, id, patch.relatedIds);
      return this.detail(tx, actor, id);
    });
  }

  /** Sends the latest draft to review. */
  async submit(actor: Actor, id: string, note?: string) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const article = await this.row(tx, actor, id);
      const latest = (await this.version(tx, actor, id, article.latest_version))!;
      if (latest.state !== 'draft' && latest.state !== 'rejected') throw conflict(`version ${latest.version} is ${latest.state}, not a draft`);
      await tx.execute(sql`UPDATE kb_article_versions SET state = 'in_review', submitted_by = ${actor.userId},
        note = CASE WHEN ${note ?? ''} = '' THEN note ELSE ${note ?? ''} END WHERE article_id = ${id} AND version = ${latest.version}`);
      await recordAudit(tx, actor, { action: 'kb_article.submitted', targetType: 'kb_article', targetId: id, details: { version: latest.version } });
      return this.detail(tx, actor, id);
    });
  }

  /** Approves the version in review: published now, or scheduled for `publishAt`. Not by its own submitter. */
  async approve(actor: Actor, id: string, input: { comment?: string | undefined; publishAt?: string | undefined }) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const article = await this.row(tx, actor, id);
      requirePermission(actor, 'kb.approve');
      const latest = (await this.version(tx, actor, id, article.latest_version))!;
      if (latest.state !== 'in_review') throw conflict(`version ${latest.version} is ${latest.state}, not in review`);
      if (actor.kind !== 'system' && latest.submitted_by === actor.userId) {
        throw new AppError('FORBIDDEN', 'a version is approved by someone other than the editor who submitted it');
      }
      const publishAt = input.publishAt ? new Date(input.publishAt) : null;
      await tx.execute(sql`UPDATE kb_article_versions SET reviewer_id = ${actor.userId}, review_comment = ${input.comment ?? ''},
        reviewed_at = ${this.now()} WHERE article_id = ${id} AND version = ${latest.version}`);
      await recordAudit(tx, actor, { action: 'kb_article.approved', targetType: 'kb_article', targetId: id, details: { version: latest.version, publishAt: iso(publishAt) } });
      if (publishAt && publishAt > this.now()) {
        await tx.execute(sql`UPDATE kb_article_versions SET state = 'scheduled', publish_at = ${publishAt} WHERE article_id = ${id} AND version = ${latest.version}`);
      } else {
        await this.publishVersion(tx, actor.tenantId, id, latest.version);
      }
      return this.detail(tx, actor, id);
    });
  }

  async reject(actor: Actor, id: string, comment?: string) {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const article = await this.row(tx, actor, id);
      requirePermission(actor, 'kb.approve');
      const latest = (await this.version(tx, actor, id, article.latest_version))!;
      if (latest.state !== 'in_review') throw conflict(`version ${latest.version} is ${latest.state}, not in review`);
      await tx.execute(sql`UPDATE kb_article_versions SET state = 'rejected', reviewer_id = ${actor.userId}, review_comment = ${comment ?? ''},
        reviewed_at = ${this.now()} WHERE article_id = ${id} AND version = ${latest.version}`);
      await recordAudit(tx, actor, { action: 'kb_article.rejected', targetType: 'kb_article', targetId: id, details: { version: latest.version } });
      return this.detail(tx, actor, id);
    });
  }

  /** Takes an article off the air (search, help center); its versions stay. */
  async archive(actor: Actor, id: string) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.row(tx, actor, id);
      await tx.execute(sql`UPDATE kb_articles SET status = 'archived', updated_at = ${this.now()} WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'kb_article.archived', targetType: 'kb_article', targetId: id });
      return this.detail(tx, actor, id);
    });
  }

  async versions(actor: Actor, id: string): Promise<ArticleVersion[]> {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.row(tx, actor, id);
      const list = await rows<VersionRow>(tx, sql`SELECT * FROM kb_article_versions WHERE tenant_id = ${actor.tenantId} AND article_id = ${id} ORDER BY version DESC`);
      return list.map(toVersion);
    });
  }

  async diff(actor: Actor, id: string, from: number | undefined, to: number | undefined): Promise<{ from: number; to: number; title: DiffLine[]; tags: { added: string[]; removed: string[] }; body: DiffLine[] }> {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const article = await this.row(tx, actor, id);
      const toV = to ?? article.latest_version;
      const fromV = from ?? Math.max(1, toV - 1);
      const a = await this.version(tx, actor, id, fromV);
      const b = await this.version(tx, actor, id, toV);
      if (!a) throw invalid('from', `version ${fromV} does not exist`);
      if (!b) throw invalid('to', `version ${toV} does not exist`);
      return {
        from: fromV,
        to: toV,
        title: diffLines(a.title, b.title),
        tags: { added: b.tags.filter((t) => !a.tags.includes(t)), removed: a.tags.filter((t) => !b.tags.includes(t)) },
        body: diffLines(a.body, b.body),
      };
    });
  }

  /** Restores an old version as a new draft (it goes through review like any other change). */
  async restore(actor: Actor, id: string, version: number | undefined) {
    requireEdit(actor);
    const detail = await this.database.withTenant(actor.tenantId, async (tx) => {
      await this.row(tx, actor, id);
      if (version === undefined) throw invalid('version', 'name the version to restore');
      const old = await this.version(tx, actor, id, version);
      if (!old) throw invalid('version', `version ${version} does not exist`);
      return old;
    });
    return this.update(actor, id, { title: detail.title, body: detail.body, tags: detail.tags, note: `restored from version ${version}` });
  }

  /** Published articles whose review-by date has come (or that have no owner): the stale list. */
  async stale(actor: Actor) {
    requireEdit(actor);
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const spaceIds = (await visibleSpaces(tx, actor)).map((s) => s.id);
      const list = await rows<ArticleRow>(
        tx,
        sql`SELECT * FROM kb_articles WHERE tenant_id = ${actor.tenantId} AND space_id = ANY(${uuidArray(spaceIds)}) AND status = 'published'
          AND (owner_id IS NULL OR (review_by IS NOT NULL AND review_by <= ${this.now().toISOString().slice(0, 10)}::date))
          ORDER BY review_by NULLS FIRST, id LIMIT 200`,
      );
      return list.map((r) => this.summary(r, true));
    });
  }

  /** Publishes scheduled versions that are due and archives expired articles (every tenant; a system path). */
  async runSchedule(): Promise<{ published: number; expired: number }> {
    const now = this.now();
    return this.database.withSystem(async (tx) => {
      const due = await rows<{ tenant_id: string; article_id: string; version: number }>(
        tx,
        sql`SELECT tenant_id, article_id, version FROM kb_article_versions WHERE state = 'scheduled' AND publish_at <= ${now} ORDER BY publish_at LIMIT 500`,
      );
      for (const d of due) await this.publishVersion(tx, d.tenant_id, d.article_id, d.version);
      const expired = await tx.execute(sql`UPDATE kb_articles SET status = 'archived', updated_at = ${now}
        WHERE status = 'published' AND expires_at IS NOT NULL AND expires_at <= ${now}`);
      return { published: due.length, expired: expired.rowCount ?? 0 };
    });
  }

  async publishVersion(tx: Tx, tenantId: string, articleId: string, version: number): Promise<void> {
    const v = await one<VersionRow & { language: Language }>(
      tx,
      sql`SELECT v.*, a.language FROM kb_article_versions v JOIN kb_articles a ON a.id = v.article_id
        WHERE v.tenant_id = ${tenantId} AND v.article_id = ${articleId} AND v.version = ${version}`,
    );
    if (!v) throw notFound('version');
    const tsv = buildTsvector({ title: v.title, tags: v.tags, body: markdownToText(v.body) });
    const titleTsv = buildTsvector({ title: v.title, tags: v.tags, body: '' });
    const trgm = normalizeText([v.title, ...v.tags].join(' '));
    await tx.execute(sql`UPDATE kb_article_versions SET state = 'superseded' WHERE article_id = ${articleId} AND state = 'published'`);
    await tx.execute(sql`UPDATE kb_article_versions SET state = 'published' WHERE article_id = ${articleId} AND version = ${version}`);
    await tx.execute(sql`UPDATE kb_articles SET status = 'published', published_version = ${version}, published_at = ${this.now()},
      live_title = ${v.title}, live_body = ${v.body}, live_tags = ${textArray(v.tags)}, search_tsv = ${tsv}::tsvector, title_tsv = ${titleTsv}::tsvector,
      search_trgm = ${trgm}, updated_at = ${this.now()} WHERE tenant_id = ${tenantId} AND id = ${articleId}`);
    await appendEvent(tx, tenantId, 'kb_article.published', { articleId, version, language: v.language, title: v.title });
  }

  // ---- helpers

  /** The article row if the actor may see it (editors: any state; others: live articles only), else 404. */
  async row(tx: Tx, actor: Actor, id: string): Promise<ArticleRow> {
    const r = await one<ArticleRow & { division_id: string }>(
      tx,
      sql`SELECT a.*, s.division_id FROM kb_articles a JOIN kb_spaces s ON s.id = a.space_id WHERE a.tenant_id = ${actor.tenantId} AND a.id = ${id}`,
    );
    if (!r) throw notFound('article');
    await spaceFor(tx, actor, r.space_id).catch(() => {
      throw notFound('article');
    });
    const live = r.status === 'published' && (r.expires_at === null || r.expires_at > this.now());
    if (!live && !canEdit(actor)) throw notFound('article');
    return r;
  }

  private async version(tx: Tx, actor: Actor, id: string, version: number): Promise<VersionRow | undefined> {
    return one<VersionRow>(tx, sql`SELECT * FROM kb_article_versions WHERE tenant_id = ${actor.tenantId} AND article_id = ${id} AND version = ${version}`);
  }

  private async checkCategory(tx: Tx, actor: Actor, spaceId: string, categoryId: string): Promise<void> {
    const c = await one(tx, sql`SELECT 1 FROM kb_categories WHERE tenant_id = ${actor.tenantId} AND id = ${categoryId} AND space_id = ${spaceId}`);
    if (!c) throw invalid('categoryId', 'the category is not in this space');
  }

  private async setRelated(tx: Tx, actor: Actor, id: string, relatedIds: string[]): Promise<void> {
    const ids = [...new Set(relatedIds)].filter((r) => r !== id);
    for (const r of ids) await this.row(tx, actor, r).catch(() => Promise.reject(invalid('relatedIds', `article ${r} not found`)));
    await tx.execute(sql`DELETE FROM kb_article_links WHERE tenant_id = ${actor.tenantId} AND article_id = ${id}`);
    for (const r of ids) await tx.execute(sql`INSERT INTO kb_article_links (tenant_id, article_id, related_id) VALUES (${actor.tenantId}, ${id}, ${r})`);
  }

  summary(r: ArticleRow, editor: boolean) {
    return {
      id: r.id,
      spaceId: r.space_id,
      categoryId: r.category_id,
      language: r.language,
      translationGroup: r.translation_group,
      audience: r.audience,
      status: r.status,
      title: editor ? r.title : (r.live_title ?? r.title),
      tags: r.live_tags,
      ownerId: r.owner_id,
      reviewBy: dateOnly(r.review_by),
      expiresAt: iso(r.expires_at),
      latestVersion: r.latest_version,
      publishedVersion: r.published_version,
      publishedAt: iso(r.published_at),
      helpfulCount: r.helpful_count,
      unhelpfulCount: r.unhelpful_count,
      viewCount: r.view_count,
      updatedAt: iso(r.updated_at)!,
    };
  }

  async detail(tx: Tx, actor: Actor, id: string) {
    const r = await this.row(tx, actor, id);
    const editor = canEdit(actor);
    const liveOnly = editor ? sql`` : sql`AND a.status = 'published' AND (a.expires_at IS NULL OR a.expires_at > ${this.now()})`;
    const spaceIds = (await visibleSpaces(tx, actor)).map((s) => s.id);
    const translations = await rows<{ id: string; language: string; title: string }>(
      tx,
      sql`SELECT a.id, a.language, coalesce(a.live_title, a.title) AS title FROM kb_articles a WHERE a.tenant_id = ${actor.tenantId}
        AND a.translation_group = ${r.translation_group} AND a.id <> ${id} AND a.space_id = ANY(${uuidArray(spaceIds)}) ${liveOnly}`,
    );
    const related = await rows<{ id: string; title: string }>(
      tx,
      sql`SELECT a.id, coalesce(a.live_title, a.title) AS title FROM kb_article_links l JOIN kb_articles a ON a.id = l.related_id
        WHERE l.tenant_id = ${actor.tenantId} AND l.article_id = ${id} AND a.space_id = ANY(${uuidArray(spaceIds)}) ${liveOnly} ORDER BY title`,
    );
    const draft = editor ? await this.version(tx, actor, id, r.latest_version) : undefined;
    return {
      ...this.summary(r, editor),
      body: r.live_body,
      liveTitle: r.live_title,
      translations,
      related,
      ...(draft ? { draft: toVersion(draft) } : {}),
    };
  }
}
