// Highlighted snippets over the original text: the window with the most query matches, HTML-escaped, matches
// wrapped in <mark>. Matching runs on the folded text (NFKC, simplified, lower case), which keeps positions
// when folding keeps lengths; otherwise the folded text is shown.
import { normalizeText } from './segment.ts';

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Markdown to plain text, enough for snippets and the index (no HTML output). */
export function markdownToText(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, (block) => block.replace(/```\w*/g, ''))
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
    .replace(/[*_`~]{1,3}/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function buildSnippet(text: string, lexemes: readonly string[], width = 120): string {
  const folded = normalizeText(text);
  const source = folded.length === text.length ? text : folded;
  const terms = [...new Set(lexemes)].filter((l) => l.length > 0).sort((a, b) => b.length - a.length);
  const hits: { start: number; end: number }[] = [];
  for (const term of terms) {
    let from = 0;
    for (let at = folded.indexOf(term, from); at >= 0 && hits.length < 200; at = folded.indexOf(term, from)) {
      if (!hits.some((h) => at < h.end && at + term.length > h.start)) hits.push({ start: at, end: at + term.length });
      from = at + term.length;
    }
  }
  hits.sort((a, b) => a.start - b.start);
  let best = 0;
  let bestCount = -1;
  for (let i = 0; i < hits.length; i++) {
    let count = 0;
    for (let j = i; j < hits.length && hits[j]!.end <= hits[i]!.start + width; j++) count++;
    if (count > bestCount) [best, bestCount] = [i, count];
  }
  const start = hits.length ? Math.max(0, hits[best]!.start - Math.floor(width / 4)) : 0;
  const end = Math.min(source.length, start + width);
  let html = start > 0 ? '…' : '';
  let cursor = start;
  for (const hit of hits) {
    if (hit.start < cursor || hit.end > end) continue;
    html += escapeHtml(source.slice(cursor, hit.start)) + '<mark>' + escapeHtml(source.slice(hit.start, hit.end)) + '</mark>';
    cursor = hit.end;
  }
  html += escapeHtml(source.slice(cursor, end)) + (end < source.length ? '…' : '');
  return html;
}
