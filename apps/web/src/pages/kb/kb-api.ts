// The knowledge-base endpoints the KB pages and the agent's knowledge panel use (docs/kb.md).
import { ApiError, http, type Query } from '../../api/client.ts';

const v1 = '/api/v1/kb';

export type Language = 'zh-CN' | 'en';
export type ArticleStatus = 'draft' | 'published' | 'archived';
export type VersionState = 'draft' | 'in_review' | 'rejected' | 'scheduled' | 'published' | 'superseded';
export type TemplateKey = 'faq' | 'troubleshooting' | 'policy';

export interface Space {
  id: string;
  divisionId: string;
  name: string;
  description: string;
  visibility: 'internal' | 'public' | 'both';
}
export interface Category {
  id: string;
  spaceId: string;
  parentId: string | null;
  name: string;
  position: number;
}
export interface ArticleSummary {
  id: string;
  spaceId: string;
  categoryId: string | null;
  language: Language;
  translationGroup: string;
  audience: 'internal' | 'public';
  status: ArticleStatus;
  title: string;
  tags: string[];
  ownerId: string | null;
  reviewBy: string | null;
  expiresAt: string | null;
  latestVersion: number;
  publishedVersion: number | null;
  publishedAt: string | null;
  helpfulCount: number;
  unhelpfulCount: number;
  viewCount: number;
  updatedAt: string;
}
export interface ArticleVersion {
  version: number;
  title: string;
  body: string;
  tags: string[];
  state: VersionState;
  note: string;
  publishAt: string | null;
  authorId: string | null;
  reviewerId: string | null;
  reviewComment: string;
  reviewedAt: string | null;
  createdAt: string;
}
export interface ArticleDetail extends ArticleSummary {
  body: string | null;
  liveTitle: string | null;
  translations: { id: string; language: Language; title: string }[];
  related: { id: string; title: string }[];
  draft?: ArticleVersion;
}
export interface DiffLine {
  op: 'equal' | 'add' | 'remove';
  text: string;
}
export interface ArticleDiff {
  from: number;
  to: number;
  title: DiffLine[];
  body: DiffLine[];
  tags: { added: string[]; removed: string[] };
}
export interface SearchHit {
  id: string;
  title: string;
  /** HTML-escaped by the server, with <mark> around matches. */
  titleHtml: string;
  /** HTML-escaped by the server, with <mark> around matches. */
  snippet: string;
  spaceId: string;
  categoryId: string | null;
  language: Language;
  tags: string[];
  audience: 'internal' | 'public';
  /** The article's help-center page, for public articles. */
  publicPath: string | null;
  score: number;
  matchedBy: 'text' | 'similar';
}
export interface Update {
  id: string;
  divisionId: string;
  title: string;
  body: string;
  requiresAck: boolean;
  articleId: string | null;
  createdBy: string | null;
  createdAt: string;
  readAt: string | null;
  ackedAt: string | null;
}
export interface UpdateReport {
  update: Update;
  totals: { people: number; read: number; acknowledged: number };
  people: { userId: string; name: string; email: string; readAt: string | null; ackedAt: string | null; remindedAt: string | null }[];
}
export interface ContentGaps {
  since: string;
  failedSearches: { query: string; channel: string; searches: number }[];
  leastHelpful: { id: string; title: string; helpful: number; unhelpful: number }[];
  deflection: { sessionsWithViews: number; contacted: number; deflected: number; rate: number | null };
}
export interface ContactRequest {
  id: string;
  articleId: string | null;
  articleTitle: string;
  name: string;
  contact: string;
  message: string;
  status: string;
  createdAt: string;
}
export interface ArticleCreate {
  spaceId: string;
  categoryId?: string | null;
  language: Language;
  title: string;
  body?: string;
  tags?: string[];
  template?: TemplateKey;
  audience?: 'internal' | 'public';
  translationOf?: string;
  reviewBy?: string | null;
}
export interface ArticlePatch {
  title?: string;
  body?: string;
  tags?: string[];
  note?: string;
  categoryId?: string | null;
  reviewBy?: string | null;
  expiresAt?: string | null;
}
export interface Attachment {
  id: string;
  articleId: string;
  fileName: string;
  contentType: string;
  inline: boolean;
  size: number;
  markdown: string;
  createdAt: string;
}

export interface ImportReport {
  created: number;
  categoriesCreated: number;
  files: number;
  errors: { source: string; message: string }[];
}

/** Uploads a file as the raw request body (the server detects its type from the bytes). */
async function postRaw<T>(url: string, file: File, csrfToken: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrfToken, accept: 'application/json' },
    credentials: 'same-origin',
    body: file,
  });
  const data = (await response.json().catch(() => undefined)) as (T & { error?: { message?: string; code?: string; field?: string; requestId?: string } }) | undefined;
  if (!response.ok) throw new ApiError(response.status, data?.error?.code ?? `HTTP_${response.status}`, data?.error?.message ?? response.statusText, data?.error?.field, data?.error?.requestId, undefined);
  return data!;
}

/**
 * Imports a zip or CSV, reading the server's progress lines (application/x-ndjson) as they come: `onProgress`
 * for each, then the report; an error line becomes an ApiError like any failed request.
 */
async function importWithProgress(spaceId: string, format: 'zip' | 'csv', file: File, csrfToken: string, onProgress: (done: number, total: number) => void): Promise<ImportReport> {
  const response = await fetch(`${v1}/import?spaceId=${spaceId}&format=${format}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrfToken, accept: 'application/x-ndjson' },
    credentials: 'same-origin',
    body: file,
  });
  if (!response.ok || !response.body) {
    const data = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; field?: string; requestId?: string } } | undefined;
    throw new ApiError(response.status, data?.error?.code ?? `HTTP_${response.status}`, data?.error?.message ?? response.statusText, data?.error?.field, data?.error?.requestId, undefined);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    buffered += value ?? '';
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim() !== '')) {
      const message = JSON.parse(line) as { progress?: { done: number; total: number }; report?: ImportReport; error?: { code: string; message: string; field?: string } };
      if (message.progress) onProgress(message.progress.done, message.progress.total);
      if (message.report) return message.report;
      if (message.error) throw new ApiError(400, message.error.code, message.error.message, message.error.field, undefined, undefined);
    }
    if (done) throw new ApiError(500, 'INTERNAL', 'the import ended without a report', undefined, undefined, undefined);
  }
}

export type UsageAction = 'viewed' | 'inserted_link' | 'inserted_snippet' | 'helped';

export const kbApi = {
  spaces: () => http.get<Space[]>(`${v1}/spaces`),
  space: (id: string) => http.get<Space & { categories: Category[] }>(`${v1}/spaces/${id}`),
  templates: () => http.get<{ key: TemplateKey; language: Language; name: string; body: string }[]>(`${v1}/templates`),
  articles: (query: Query) => http.get<ArticleSummary[]>(`${v1}/articles`, query),
  article: (id: string) => http.get<ArticleDetail>(`${v1}/articles/${id}`),
  createArticle: (input: ArticleCreate) => http.post<ArticleDetail>(`${v1}/articles`, input),
  updateArticle: (id: string, patch: ArticlePatch) => http.patch<ArticleDetail>(`${v1}/articles/${id}`, patch),
  submit: (id: string) => http.post<ArticleDetail>(`${v1}/articles/${id}/submit`),
  approve: (id: string, body: { comment?: string; publishAt?: string }) => http.post<ArticleDetail>(`${v1}/articles/${id}/approve`, body),
  reject: (id: string, comment?: string) => http.post<ArticleDetail>(`${v1}/articles/${id}/reject`, comment ? { comment } : {}),
  archive: (id: string) => http.post<ArticleDetail>(`${v1}/articles/${id}/archive`),
  versions: (id: string) => http.get<ArticleVersion[]>(`${v1}/articles/${id}/versions`),
  diff: (id: string, from: number, to: number) => http.get<ArticleDiff>(`${v1}/articles/${id}/diff`, { from, to }),
  restore: (id: string, version: number) => http.post<ArticleDetail>(`${v1}/articles/${id}/restore`, { version }),
  attachments: (id: string) => http.get<Attachment[]>(`${v1}/articles/${id}/attachments`),
  upload: (articleId: string, file: File, csrfToken: string) => postRaw<Attachment>(`${v1}/articles/${articleId}/attachments?name=${encodeURIComponent(file.name)}`, file, csrfToken),
  importFile: importWithProgress,
  exportUrl: (spaceId: string, format: 'zip' | 'csv') => `${v1}/export?spaceId=${spaceId}&format=${format}`,
  removeAttachment: (id: string) => http.delete(`${v1}/attachments/${id}`),
  stale: () => http.get<ArticleSummary[]>(`${v1}/stale-articles`),
  synonyms: () => http.get<{ id: string; terms: string[] }[]>(`${v1}/synonyms`),
  addSynonyms: (terms: string[]) => http.post(`${v1}/synonyms`, { terms }),
  removeSynonyms: (id: string) => http.delete(`${v1}/synonyms/${id}`),
  search: (query: { q: string; spaceId?: string; language?: string; limit?: number }) => http.get<{ query: string; results: SearchHit[] }>(`${v1}/search`, query),
  suggest: (messages: { from: 'customer' | 'agent'; text: string }[], language?: Language) =>
    http.post<{ terms: string[]; results: SearchHit[] }>(`${v1}/assist/suggestions`, language ? { messages, language } : { messages }),
  recordUsage: (articleId: string, interactionId: string, action: UsageAction) => http.post(`${v1}/assist/usage`, { articleId, interactionId, action }),
  updates: (unread: boolean) => http.get<Update[]>(`${v1}/updates`, unread ? { unread: 'true' } : {}),
  createUpdate: (input: { divisionId: string; title: string; body: string; requiresAck: boolean }) => http.post<Update>(`${v1}/updates`, input),
  markRead: (id: string) => http.post(`${v1}/updates/${id}/read`),
  acknowledge: (id: string) => http.post(`${v1}/updates/${id}/acknowledge`),
  updateReport: (id: string) => http.get<UpdateReport>(`${v1}/updates/${id}/report`),
  remind: (id: string) => http.post<{ reminded: string[] }>(`${v1}/updates/${id}/remind`),
  contentGaps: (days: number) => http.get<ContentGaps>(`${v1}/reports/content-gaps`, { days }),
  contactRequests: () => http.get<ContactRequest[]>(`${v1}/contact-requests`),
};
