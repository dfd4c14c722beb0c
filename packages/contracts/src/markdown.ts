// The one small, safe Markdown subset Kefu renders: knowledge articles in the help center (server) and in the
// agent's editor preview and search (web app) must look the same, so both use this module. Everything is escaped
// first, so no raw HTML from an article reaches a page; links and images only with http(s) or site-relative
// addresses, or `attachment:<id>` for the article's own files (resolved by the caller, who knows where they are
// served for this reader).

export interface MarkdownOptions {
  /** Where an article's own file (`attachment:<id>`) is served; without it such links are dropped. */
  attachmentUrl?: ((id: string) => string) | undefined;
  /** Open links in a new tab (inside the app, so the agent keeps their place). */
  linksInNewTab?: boolean | undefined;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ATTACHMENT = /\((?:attachment:)([0-9a-f-]{36})\)/g;

function inline(text: string, o: MarkdownOptions): string {
  const { attachmentUrl } = o;
  const resolved = attachmentUrl ? text.replace(ATTACHMENT, (_m, id: string) => `(${attachmentUrl(id)})`) : text;
  const linkAttrs = o.linksInNewTab ? 'rel="nofollow noopener" target="_blank"' : 'rel="nofollow"';
  return escapeHtml(resolved)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*]+)\*/g, '<em>$1</em>')
    .replace(/!\[([^\]]*)\]\(((?:https?:\/\/|\/)[^)\s]+)\)/g, '<img alt="$1" src="$2" style="max-width:100%">')
    .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\/)[^)\s]+)\)/g, `<a href="$2" ${linkAttrs}>$1</a>`);
}

/** Headings (one level down: `#` is an h2 under the page's own h1), paragraphs, lists, emphasis, code, links. */
export function renderMarkdown(markdown: string, o: MarkdownOptions = {}): string {
  const out: string[] = [];
  let list: 'ul' | 'ol' | null = null;
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${inline(para.join(' '), o)}</p>`);
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
      out.push(`<h${level}>${inline(heading[2]!, o)}</h${level}>`);
    } else if (bullet || numbered) {
      flush();
      const kind = bullet ? 'ul' : 'ol';
      if (list !== kind) {
        closeList();
        out.push(`<${kind}>`);
        list = kind;
      }
      out.push(`<li>${inline((bullet ?? numbered)![1]!, o)}</li>`);
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
