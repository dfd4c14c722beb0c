// Editor-managed synonyms (宽带 = 网络, "refund" = "money back"), expanded at query time: wherever a query's
// terms spell one member of a synonym set, that run of terms accepts every member of the set.
import { queryGroups, type QueryGroup } from './segment.ts';

/** One synonym set as lexeme sequences, e.g. [['refund'], ['money', 'back']]. */
export type SynonymSet = string[][];

export function compileSynonyms(sets: readonly (readonly string[])[]): SynonymSet[] {
  return sets
    .map((terms) => terms.map((term) => queryGroups(term).map((g) => g[0]!).flat()).filter((seq) => seq.length > 0))
    .filter((set) => set.length > 1);
}

const primary = (group: QueryGroup): string => (group[0] ?? []).join(' ');

export function expandSynonyms(groups: readonly QueryGroup[], sets: readonly SynonymSet[]): QueryGroup[] {
  if (sets.length === 0) return [...groups];
  const out: QueryGroup[] = [];
  let i = 0;
  outer: while (i < groups.length) {
    for (const set of sets) {
      for (const member of set) {
        if (member.length === 0 || i + member.length > groups.length) continue;
        if (member.every((lexeme, k) => primary(groups[i + k]!) === lexeme)) {
          const own = member.length === 1 ? groups[i]! : [];
          const alternatives = [...own, ...set];
          const seen = new Set<string>();
          out.push(alternatives.filter((alt) => !seen.has(alt.join('\u0000')) && seen.add(alt.join('\u0000'))));
          i += member.length;
          continue outer;
        }
      }
    }
    out.push(groups[i]!);
    i += 1;
  }
  return out;
}
