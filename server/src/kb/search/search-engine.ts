// The search query itself: full-text over our own lexemes (strict AND first, then loose OR when that finds too
// little), pg_trgm word similarity as a second signal for codes and typos, and a score that adds freshness and
// helpfulness to ts_rank. Callers decide which spaces and audience a searcher may see.
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.ts';
import { rows, uuidArray } from '../kb-sql.ts';
import { normalizeText, queryGroups, type QueryGroup } from './segment.ts';
import { buildSnippet, markdownToText } from './snippet.ts';
import { compileSynonyms, expandSynonyms, type SynonymSet } from './synonyms.ts';
import { buildTsquery, queryLexemes } from './tsvector.ts';

const TITLE_CANDIDATES = 150;
const BODY_CANDIDATES = 350;
/** Strict matches enough for a first screen: no loose pass then. */
const ENOUGH_STRICT = 5;
const TRIGRAM_TIMEOUT_MS = 150;

export interface SearchScope {
  tenantId: string;
  /** A subquery of the space ids the searcher may see (kb-access.ts). */
  spaces: SQL;
  /** Only articles for the public (help center). */
  publicOnly: boolean;
}

export interface SearchFilters {
  spaceId?: string | undefined;
  categoryId?: string | undefined;
  tag?: string | undefined;
  language?: string | undefined;
}

export interface SearchHit {
  id: string;
  title: string;
  titleHtml: string;
  snippet: string;
  spaceId: string;
  categoryId: string | null;
  language: string;
  tags: string[];
  audience: 'internal' | 'public';
  score: number;
  matchedBy: 'text' | 'similar';
}

interface HitRow {
  id: string;
  live_title: string;
  live_body: string;
  live_tags: string[];
  space_id: string;
  category_id: string | null;
  language: string;
  audience: 'internal' | 'public';
  score: number;
}

const compiled = new WeakMap<readonly (readonly string[])[], SynonymSet[]>();
export function compiledSynonyms(sets: readonly (readonly string[])[]): SynonymSet[] {
  let c = compiled.get(sets);
  if (!c) compiled.set(sets, (c = compileSynonyms(sets)));
  return c;
}

/** Query groups with the tenant's synonyms expanded. */
export function analyseQuery(q: string, synonyms: readonly (readonly string[])[]): QueryGroup[] {
  return expandSynonyms(queryGroups(q), compiledSynonyms(synonyms));
}

export async function searchArticles(
  tx: Tx,
  scope: SearchScope,
  groups: QueryGroup[],
  rawQuery: string,
  filters: SearchFilters,
  options: { now: Date; limit: number; trigram?: boolean },
): Promise<SearchHit[]> {
  // The live-article conditions, for the GIN-driven candidate scans. There the planner ANDed the full-text
  // bitmap with a bitmap of every published article of the tenant from the (tenant, space, status) btree
  // (100k rows: three quarters of the query time on the bench), so the conditions are wrapped in IS TRUE,
  // which no index can answer, and checked on the few rows the full-text bitmap finds. The tenant is enforced
  // through the space ids (a tenant-filtered subquery) and again by the outer query.
  const live = sql`(a.status = 'published' AND a.space_id IN ${scope.spaces}
    AND (a.expires_at IS NULL OR a.expires_at > ${options.now})
    ${scope.publicOnly ? sql`AND a.audience = 'public'` : sql``}
    ${filters.spaceId ? sql`AND a.space_id = ${filters.spaceId}` : sql``}
    ${filters.categoryId ? sql`AND (a.category_id = ${filters.categoryId} OR a.category_id IN (SELECT id FROM kb_categories WHERE parent_id = ${filters.categoryId}))` : sql``}
    ${filters.tag ? sql`AND ${filters.tag} = ANY(a.live_tags)` : sql``}
    ${filters.language ? sql`AND a.language = ${filters.language}` : sql``}) IS TRUE`;
  const score = (tsquery: string) => sql`ts_rank('{0.1, 0.2, 0.4, 1.0}', a.search_tsv, ${tsquery}::tsquery, 1)
      * (0.85 + 0.3 * (a.helpful_count + 1)::float8 / (a.helpful_count + a.unhelpful_count + 2))
      * (0.9 + 0.1 * exp(-greatest(0, extract(epoch FROM (${options.now}::timestamptz - coalesce(a.published_at, a.created_at)))) / (86400.0 * 180)))`;
  // Ranking reads every matching row's tsvector, so a very common query ranks a capped candidate set: up to
  // TITLE_CANDIDATES rows matching in title or tags (never crowded out), then up to BODY_CANDIDATES others.
  // Each candidate is scored in the scan that finds it (its row is at hand there); only the best `limit` are
  // fetched again for their text, so snippets are built for those few alone.
  const fts = (tsquery: string, exclude: string[], rankBy = tsquery): SQL => {
    const keep = exclude.length ? sql`AND (NOT (a.id = ANY(${uuidArray(exclude)}))) IS TRUE` : sql``;
    return sql`
    WITH cand AS (
      (SELECT a.id, ${score(rankBy)} AS score FROM kb_articles a WHERE ${live} ${keep} AND a.title_tsv @@ ${tsquery}::tsquery LIMIT ${TITLE_CANDIDATES})
      UNION ALL
      (SELECT a.id, ${score(rankBy)} AS score FROM kb_articles a WHERE ${live} ${keep} AND a.search_tsv @@ ${tsquery}::tsquery LIMIT ${BODY_CANDIDATES})),
    top AS (SELECT id, max(score) AS score FROM cand GROUP BY id ORDER BY score DESC, id LIMIT ${options.limit})
    SELECT a.id, a.live_title, a.live_body, a.live_tags, a.space_id, a.category_id, a.language, a.audience, top.score
    FROM top JOIN kb_articles a ON a.id = top.id
    WHERE a.tenant_id = ${scope.tenantId}
    ORDER BY top.score DESC, a.id`;
  };

  const found: (HitRow & { by: 'text' | 'similar' })[] = [];
  const strict = buildTsquery(groups, 'strict');
  if (strict) found.push(...(await rows<HitRow>(tx, fts(strict, []))).map((r) => ({ ...r, by: 'text' as const })));
  if (found.length < Math.min(options.limit, ENOUGH_STRICT) && groups.length > 1) {
    // Single Chinese characters (到, 哪, 慢) match a large part of any corpus: in the loose OR they would
    // add thousands of weak candidates and most of the cost, so candidates come from the longer terms, while
    // the ranking still counts every term (上网特别慢: 慢 decides between the broadband articles).
    const longer = groups.filter((g) => !g.every((alt) => alt.length === 1 && /^\p{Script=Han}$/u.test(alt[0]!)));
    const loose = buildTsquery(groups, 'loose')!;
    const candidates = longer.length > 0 ? buildTsquery(longer, 'loose')! : loose;
    const more = await rows<HitRow>(tx, fts(candidates, found.map((f) => f.id), loose));
    found.push(...more.slice(0, options.limit - found.length).map((r) => ({ ...r, score: r.score * 0.5, by: 'text' as const })));
  }
  // When the text finds nothing, trigrams catch misspelt English words. Codes (words with digits) are left
  // out: their digit trigrams are common and exact codes are the full-text index's job; Chinese is left to
  // jieba and synonyms. The similarity check may still visit many rows, so it runs in a savepoint with a
  // time limit and gives up (no suggestions) rather than hold the search up.
  // Words from tokens without digits only: the letters of a code (the "err" of ERR-01234) are no word.
  const words = normalizeText(rawQuery)
    .split(/\s+/)
    .filter((token) => !/\d/.test(token))
    .flatMap((token) => token.match(/\p{L}{3,}/gu) ?? [])
    .filter((w) => /^[a-z]+$/.test(w));
  const folded = words.join(' ');
  if ((options.trigram ?? true) && found.length === 0 && folded.length >= 3 && folded.length <= 100) {
    const similar = await tx
      .transaction(async (sp) => {
        const [before] = await rows<{ timeout: string }>(sp, sql`SELECT current_setting('statement_timeout') AS timeout`);
        await sp.execute(sql`SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true), set_config('statement_timeout', ${`${TRIGRAM_TIMEOUT_MS}`}, true)`);
        const hits = await rows<HitRow>(
          sp,
          sql`SELECT a.id, a.live_title, a.live_body, a.live_tags, a.space_id, a.category_id, a.language, a.audience,
              word_similarity(${folded}, a.search_trgm) * 0.01 AS score
            FROM kb_articles a WHERE ${live} AND ${folded} <% a.search_trgm
            ORDER BY score DESC, a.id LIMIT ${options.limit}`,
        );
        await sp.execute(sql`SELECT set_config('statement_timeout', ${before?.timeout ?? '0'}, true)`);
        return hits;
      })
      .catch(() => [] as HitRow[]);
    found.push(...similar.map((r) => ({ ...r, by: 'similar' as const })));
  }
  const lexemes = queryLexemes(groups);
  return found.map((r) => ({
    id: r.id,
    title: r.live_title,
    titleHtml: buildSnippet(r.live_title, lexemes, 400),
    snippet: buildSnippet(markdownToText(r.live_body), lexemes),
    spaceId: r.space_id,
    categoryId: r.category_id,
    language: r.language,
    tags: r.live_tags,
    audience: r.audience,
    score: Number(r.score),
    matchedBy: r.by,
  }));
}

/**
 * Terms for agent assist from recent conversation messages: customer words count double, later messages more
 * than earlier ones; the most salient groups (at most `max`) become a loose query.
 */
export function conversationGroups(messages: readonly { from: 'customer' | 'agent'; text: string }[], max = 8): QueryGroup[] {
  const recent = messages.slice(-10);
  const scores = new Map<string, { group: QueryGroup; score: number }>();
  recent.forEach((m, i) => {
    const weight = (m.from === 'customer' ? 2 : 1) * (1 + i / recent.length);
    for (const group of queryGroups(m.text)) {
      const key = (group[0] ?? []).join(' ');
      if (key.length < 2 && !/\d/.test(key)) continue;
      const entry = scores.get(key) ?? { group, score: 0 };
      entry.score += weight * Math.min(4, key.length) / 2;
      scores.set(key, entry);
    }
  });
  return [...scores.values()].sort((a, b) => b.score - a.score).slice(0, max).map((e) => e.group);
}
