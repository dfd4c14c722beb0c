// A small, safe Markdown renderer for the help-center pages: headings, paragraphs, lists, emphasis, code and
// links (http/https/relative only). Everything is escaped first; no raw HTML passes through.
import { escapeHtml } from './search/snippet.ts';

/** Where an article's own file (`attachment:<id>` in Markdown) is served for this reader. */
export type AttachmentUrl = (id: string) => string;

const ATTACHMENT = /\((?:attachment:)([0-9a-f-]{36})\)/g;

function inline(text: string, attachmentUrl: AttachmentUrl | undefined): string {
  const resolved = attachmentUrl ? text.replace(ATTACHMENT, (_m, id: string) => `(${attachmentUrl(id)})`) : text;
  return escapeHtml(resolved)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>')
    .replace(/!\[([^\]]*)\]\(((?:https?:\/\/|\/)[^)\s]+)\)/g, '<img alt="$1" src="$2" style="max-width:100%">')
    .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\/)[^)\s]+)\)/g, '<a href="$2" rel="nofollow">$1</a>');
}

export function renderMarkdown(markdown: string, attachmentUrl?: AttachmentUrl): string {
  const out: string[] = [];
  let list: 'ul' | 'ol' | null = null;
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '), attachmentUrl)}</p>`);
    para = [];
  };
  const closeList = () => {
    if (list) out.push(`</${list}>`);
    list = null;
  };
  for (const line of markdown.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+\.\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      closeList();
      const level = Math.min(6, heading[1]!.length + 1);
      out.push(`<h${level}>${inline(heading[2]!, attachmentUrl)}</h${level}>`);
    } else if (bullet || numbered) {
      flush();
      const kind = bullet ? 'ul' : 'ol';
      if (list !== kind) {
        closeList();
        out.push(`<${kind}>`);
        list = kind;
      }
      out.push(`<li>${inline((bullet ?? numbered)![1]!, attachmentUrl)}</li>`);
    } else if (line.trim() === '') {
      flush();
      closeList();
    } else {
      closeList();
      para.push(line.trim());
    }
  }
  flush();
  closeList();
  return out.join('\n');
}
