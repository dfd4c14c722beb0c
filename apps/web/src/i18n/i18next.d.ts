import 'i18next';
import type { zhCN } from './zh-CN.ts';

// Typed keys: t('login.titel') is a compile error.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof zhCN };
  }
}
