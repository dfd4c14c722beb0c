// Builds tsvector and tsquery literals from our own lexemes, so PostgreSQL's parser never re-splits them (the
// `simple` config would cut ora-01555 or Chinese runs differently from jieba). Cast with ::tsvector / ::tsquery.
import { segment, type QueryGroup } from './segment.ts';

const MAX_POS = 16383; // PostgreSQL's largest word position
const MAX_POSITIONS_PER_LEXEME = 256;

export const quoteLexeme = (lexeme: string): string => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** A weighted tsvector literal: title (A), tags (B), body (C). */
export function buildTsvector(doc: { title: string; tags: readonly string[]; body: string }): string {
  const positions = new Map<string, string[]>();
  let pos = 0;
  const add = (lexemes: string[], weight: 'A' | 'B' | 'C') => {
    for (const lexeme of lexemes) {
      pos = Math.min(pos + 1, MAX_POS);
      const list = positions.get(lexeme) ?? [];
      if (list.length < MAX_POSITIONS_PER_LEXEME) list.push(`${pos}${weight}`);
      positions.set(lexeme, list);
    }
  };
  add(segment(doc.title), 'A');
  add(doc.tags.flatMap((t) => segment(t)), 'B');
  add(segment(doc.body), 'C');
  return [...positions].map(([lexeme, list]) => `${quoteLexeme(lexeme)}:${list.join(',')}`).join(' ');
}

/** A tsquery literal: every group must match (strict) or any may (loose); a group is an OR of ANDs. */
export function buildTsquery(groups: readonly QueryGroup[], mode: 'strict' | 'loose'): string | null {
  const parts = groups
    .map((group) => {
      const alts = group.filter((alt) => alt.length > 0).map((alt) => (alt.length === 1 ? quoteLexeme(alt[0]!) : `(${alt.map(quoteLexeme).join(' & ')})`));
      return alts.length === 0 ? '' : alts.length === 1 ? alts[0]! : `(${alts.join(' | ')})`;
    })
    .filter(Boolean);
  if (parts.length === 0) return null;
  return parts.join(mode === 'strict' ? ' & ' : ' | ');
}

/** Every lexeme a query can match, for snippets and highlighting. */
export const queryLexemes = (groups: readonly QueryGroup[]): string[] => [...new Set(groups.flat(2))];
