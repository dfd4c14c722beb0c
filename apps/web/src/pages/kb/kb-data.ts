// Query keys and small hooks the KB pages share.
import { useQuery } from '@tanstack/react-query';
import { kbApi, type Language } from './kb-api.ts';

export const kbKeys = {
  spaces: ['kb', 'spaces'] as const,
  space: (id: string) => ['kb', 'space', id] as const,
  articles: ['kb', 'articles'] as const,
  article: (id: string) => ['kb', 'article', id] as const,
  versions: (id: string) => ['kb', 'versions', id] as const,
  updates: ['kb', 'updates'] as const,
};

export function useSpaces() {
  return useQuery({ queryKey: kbKeys.spaces, queryFn: kbApi.spaces, staleTime: 60_000 });
}

export function useCategories(spaceId: string | undefined) {
  return useQuery({
    queryKey: kbKeys.space(spaceId ?? ''),
    queryFn: () => kbApi.space(spaceId!),
    enabled: spaceId !== undefined && spaceId !== '',
    select: (space) => space.categories,
    staleTime: 60_000,
  });
}

export const languages: readonly Language[] = ['zh-CN', 'en'];
export const otherLanguage = (language: Language): Language => (language === 'zh-CN' ? 'en' : 'zh-CN');

/** Where a hit's link points: the public help-center page when the article is public, else the agents' reader. */
export function articleLink(hit: { id: string; publicPath: string | null }): string {
  return `${window.location.origin}${hit.publicPath ?? `/kb/search?article=${hit.id}`}`;
}
