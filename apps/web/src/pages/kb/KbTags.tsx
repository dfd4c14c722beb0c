import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ArticleSummary, VersionState } from './kb-api.ts';

const stateColors: Record<VersionState, string> = {
  draft: 'gold',
  in_review: 'blue',
  rejected: 'red',
  scheduled: 'purple',
  published: 'green',
  superseded: 'default',
};

export function VersionStateTag({ state }: { state: VersionState }) {
  const { t } = useTranslation();
  return <Tag color={stateColors[state]}>{t(`kb.versionState.${state}`)}</Tag>;
}

export function StatusTag({ status }: { status: ArticleSummary['status'] }) {
  const { t } = useTranslation();
  const color = status === 'published' ? 'green' : status === 'draft' ? 'gold' : 'default';
  return <Tag color={color}>{t(`kb.status.${status}`)}</Tag>;
}
