import { GlobalOutlined } from '@ant-design/icons';
import { Button, Dropdown, Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, currentLanguage, LANGUAGES, type Language } from '../i18n/i18n.ts';

// Language names are written in their own language (中文 / English) so that anyone can find theirs.
function useLanguage() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const names: Record<Language, string> = { 'zh-CN': t('language.zh'), en: t('language.en') };
  const change = chooseLanguage;
  return { language, names, change, label: t('language.label') };
}

/** Two-button switch for the login page. */
export function LanguageSegmented() {
  const { language, names, change, label } = useLanguage();
  return (
    <Segmented<Language>
      aria-label={label}
      value={language}
      onChange={change}
      options={LANGUAGES.map((value) => ({ value, label: names[value] }))}
    />
  );
}

/** Compact menu for the application header. */
export function LanguageMenu() {
  const { language, names, change, label } = useLanguage();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [language],
        items: LANGUAGES.map((value) => ({ key: value, label: names[value] })),
        onClick: ({ key }) => change(key as Language),
      }}
    >
      <Button type="text" icon={<GlobalOutlined />} aria-label={label}>
        {names[language]}
      </Button>
    </Dropdown>
  );
}
