// Text analysis for the knowledge base: one analyzer for indexing and for queries, so that both sides produce
// the same lexemes. Chinese runs are cut with jieba (cutForSearch when indexing: both 怎么办 and 怎么), English
// words are lower-cased and lightly de-pluralised, codes and model numbers are kept whole and also split
// (ORA-01555 → ora-01555, ora, 01555; iPhone15 → iphone15, iphone, 15). Before that, text is folded: NFKC
// (full-width → half-width), traditional → simplified Chinese at phrase level (寬頻 → 宽带), lower case.
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import * as OpenCC from 'opencc-js';
import { isStopword } from './stopwords.ts';

let jieba: Jieba | undefined;
const cutter = (): Jieba => (jieba ??= Jieba.withDict(dict));

let toSimplified: ((text: string) => string) | undefined;
const t2s = (text: string): string => {
  const convert = (toSimplified ??= OpenCC.Converter({ from: 'twp', to: 'cn' }));
  return convert(text);
};

const HAN = /\p{Script=Han}/u;
/** Runs of Han characters, or of letters/digits joined by code punctuation (ora-01555, v2.1, a_b). */
const RUNS = /(\p{Script=Han}+)|([\p{L}\p{N}]+(?:[-_./:#+][\p{L}\p{N}]+)*)/gu;
const MAX_LEXEME = 64;

/** NFKC, traditional → simplified Chinese, lower case. Idempotent. */
export function normalizeText(text: string): string {
  const nfkc = text.normalize('NFKC');
  return (HAN.test(nfkc) ? t2s(nfkc) : nfkc).toLowerCase();
}

/** English light stemmer: plural forms only (refunds → refund, deliveries → delivery). */
export function stemWord(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is|os)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** The lexemes one ASCII/alphanumeric run yields: the primary form first, then the parts. */
export function codeLexemes(run: string): { primary: string; parts: string[] } {
  const parts = run.split(/[-_./:#+]/).filter(Boolean);
  if (parts.length > 1) {
    const sub = parts.flatMap((p) => { const split = splitLetterDigit(p); return split.length > 1 ? [p, ...split] : [p]; });
    return { primary: run, parts: unique(sub.filter((p) => p.length > 1 || /\d/.test(p))) };
  }
  const split = splitLetterDigit(run);
  if (split.length > 1) return { primary: run, parts: unique(split.filter((p) => p.length > 1 || /\d/.test(p))) };
  return { primary: /\d/.test(run) ? run : stemWord(run), parts: [] };
}

function splitLetterDigit(word: string): string[] {
  return word.match(/\p{L}+|\p{N}+/gu) ?? [word];
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/**
 * Lexemes for indexing, in text order (positions matter for ranking). Stopwords are dropped. A code yields its
 * whole form and its parts; a Chinese run yields jieba's search cut (overlapping words).
 */
export function segment(text: string): string[] {
  const out: string[] = [];
  for (const m of normalizeText(text).matchAll(RUNS)) {
    if (m[1]) {
      for (const word of cutter().cutForSearch(m[1], true)) if (!isStopword(word)) out.push(word);
    } else if (m[2]) {
      const { primary, parts } = codeLexemes(m[2]);
      if (parts.length === 0 && isStopword(primary)) continue;
      if (primary.length <= MAX_LEXEME) out.push(primary);
      out.push(...parts);
    }
  }
  return out;
}

/** One term of a query: alternatives, each a list of lexemes that must all match (OR of ANDs). */
export type QueryGroup = string[][];

/**
 * Query terms: the precise jieba cut for Chinese (a long word also accepts its search-cut parts), codes as
 * (whole | all parts). Stopwords are dropped unless nothing else is left.
 */
export function queryGroups(text: string): QueryGroup[] {
  const groups: QueryGroup[] = [];
  const stop: QueryGroup[] = [];
  for (const m of normalizeText(text).matchAll(RUNS)) {
    if (m[1]) {
      for (const word of cutter().cut(m[1], true)) {
        const group: QueryGroup = [[word]];
        // A long word also matches any of its parts (开发票 → 发票).
        if (word.length >= 3) {
          const parts = cutter().cutForSearch(word, true).filter((p) => p !== word && p.length >= 2 && !isStopword(p));
          for (const part of parts) group.push([part]);
        }
        (isStopword(word) ? stop : groups).push(group);
      }
    } else if (m[2]) {
      const { primary, parts } = codeLexemes(m[2]);
      if (primary.length > MAX_LEXEME) continue;
      const group: QueryGroup = parts.length ? [[primary], parts] : [[primary]];
      (parts.length === 0 && isStopword(primary) ? stop : groups).push(group);
    }
  }
  return groups.length ? groups : stop;
}

/** Whether a lexeme is Chinese (for callers that treat scripts differently). */
export const isHan = (lexeme: string): boolean => HAN.test(lexeme);
