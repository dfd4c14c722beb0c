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

// Which language shows, first match wins:
//   1. the language the person chose with the switch in this browser (remembered in localStorage);
//   2. the browser's preferred languages; zh-CN when none of them is Chinese or English.
// The detector itself never writes localStorage, so that only an explicit choice is remembered.
// (user.locale is not used: the server stores zh-CN for every user who has not chosen, so it cannot tell
// "prefers Chinese" from "never chose".)
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
      caches: [],
      convertDetectedLanguage: normalizeTag,
    },
    interpolation: { escapeValue: false },
  });

i18next.on('languageChanged', (lng) => {
  document.documentElement.lang = toLanguage(lng);
});
document.documentElement.lang = toLanguage(i18next.language);

/** The language switch: show `language` now and remember it for this browser. */
export function chooseLanguage(language: Language): void {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // storage disabled: the choice lasts until the page is reloaded
  }
  void i18next.changeLanguage(language);
}

export function currentLanguage(): Language {
  return toLanguage(i18next.resolvedLanguage ?? i18next.language);
}

export { i18next };
