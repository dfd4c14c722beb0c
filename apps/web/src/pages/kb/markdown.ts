// The editor preview and search results render articles with the same Markdown subset as the help center
// (`renderMarkdown` in @kefu/contracts); here the article's own files are fetched from the API by signed-in
// people, and links open in a new tab so the agent keeps their place.
import { renderMarkdown as render } from '@kefu/contracts';

export const renderMarkdown = (markdown: string): string =>
  render(markdown, { attachmentUrl: (id) => `/api/v1/kb/attachments/${id}`, linksInNewTab: true });

/** Plain text of a server-marked snippet ("…<mark>宽带</mark>…" → "…宽带…"), entities decoded. */
export function snippetText(html: string): string {
  return html
    .replace(/<\/?mark>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
