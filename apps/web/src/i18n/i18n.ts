import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** localStorage key under which the chosen language is remembered. */
export const LANGUAGE_STORAGE_KEY = 'kefu.language';

/** Maps any BCP 47 tag the browser reports (zh, zh-Hans-CN, zh-TW, en-GB…) to one of our two languages. */
export function toLanguage(tag: string | undefined): Language {
  if (tag === undefined) return 'zh-CN';
  return tag.toLowerCase().startsWith('zh') ? 'zh-CN' : tag.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/** For the detector: our languages for zh-* and en-*, any other tag unchanged so that detection moves on. */
function normalizeTag(tag: string): string {
  const lower = tag.toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return tag;
}

// Detection order: the remembered choice, then the browser's preferred languages; zh-CN when nothing matches.
void i18next
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    supportedLngs: [...LANGUAGES],
    fallbackLng: 'zh-CN',
    nonExplicitSupportedLngs: false,
    load: 'currentOnly',
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ['localStorage'],
      convertDetectedLanguage: normalizeTag,
    },
    interpolation: { escapeValue: false },
  });

i18next.on('languageChanged', (lng) => {
  document.documentElement.lang = toLanguage(lng);
});
document.documentElement.lang = toLanguage(i18next.language);

export function currentLanguage(): Language {
  return toLanguage(i18next.resolvedLanguage ?? i18next.language);
}

export { i18next };
