// Article shapes: inputs, database rows, and their API forms.
import { iso } from './kb-sql.ts';

export type Language = 'zh-CN' | 'en';
export type VersionState = 'draft' | 'in_review' | 'rejected' | 'scheduled' | 'published' | 'superseded';

export interface ArticleInput {
  spaceId: string;
  categoryId?: string | null | undefined;
  language: Language;
  title: string;
  body?: string | undefined;
  tags?: string[] | undefined;
  template?: 'faq' | 'troubleshooting' | 'policy' | undefined;
  audience?: 'internal' | 'public' | undefined;
  translationOf?: string | undefined;
  ownerId?: string | null | undefined;
  reviewBy?: string | null | undefined;
  expiresAt?: string | null | undefined;
  relatedIds?: string[] | undefined;
}

export interface ArticlePatch {
  title?: string | undefined;
  body?: string | undefined;
  tags?: string[] | undefined;
  note?: string | undefined;
  categoryId?: string | null | undefined;
  ownerId?: string | null | undefined;
  reviewBy?: string | null | undefined;
  expiresAt?: string | null | undefined;
  relatedIds?: string[] | undefined;
}

export interface ArticleRow {
  id: string;
  space_id: string;
  category_id: string | null;
  language: Language;
  translation_group: string;
  audience: 'internal' | 'public';
  status: 'draft' | 'published' | 'archived';
  title: string;
  template: string | null;
  owner_id: string | null;
  review_by: string | Date | null;
  expires_at: Date | null;
  latest_version: number;
  published_version: number | null;
  published_at: Date | null;
  live_title: string | null;
  live_body: string | null;
  live_tags: string[];
  helpful_count: number;
  unhelpful_count: number;
  view_count: number;
  created_at: Date;
  updated_at: Date;
}

export interface VersionRow {
  version: number;
  title: string;
  body: string;
  tags: string[];
  state: VersionState;
  note: string;
  publish_at: Date | null;
  author_id: string | null;
  submitted_by: string | null;
  reviewer_id: string | null;
  review_comment: string;
  reviewed_at: Date | null;
  created_at: Date;
}

export const dateOnly = (value: string | Date | null): string | null =>
  value === null ? null : typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);

export const toVersion = (v: VersionRow) => ({
  version: v.version,
  title: v.title,
  body: v.body,
  tags: v.tags,
  state: v.state,
  note: v.note,
  publishAt: iso(v.publish_at),
  authorId: v.author_id,
  reviewerId: v.reviewer_id,
  reviewComment: v.review_comment,
  reviewedAt: iso(v.reviewed_at),
  createdAt: iso(v.created_at)!,
});
export type ArticleVersion = ReturnType<typeof toVersion>;

export function cleanTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))].slice(0, 30);
}

export function isUnique(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === '23505' || e?.cause?.code === '23505';
}
