import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Drawer, Flex, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { VersionStateTag } from './KbTags.tsx';
import { kbApi, type ArticleDetail, type ArticleVersion, type DiffLine } from './kb-api.ts';
import { kbKeys } from './kb-data.ts';

/** Every version of an article, newest first; a line diff between any two; restore an old one as a new draft. */
export function VersionsDrawer(props: { article: ArticleDetail; onClose(): void; onRestored(next: ArticleDetail): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const id = props.article.id;
  const versions = useQuery({ queryKey: kbKeys.versions(id), queryFn: () => kbApi.versions(id) });
  const latest = props.article.latestVersion;
  const [to, setTo] = useState(latest);
  const [from, setFrom] = useState(Math.max(1, latest - 1));
  const diff = useQuery({ queryKey: ['kb', 'diff', id, from, to], queryFn: () => kbApi.diff(id, from, to), enabled: from !== to });
  const options = (versions.data ?? []).map((v) => ({ value: v.version, label: `v${v.version}` }));
  const restore = async (version: number) => {
    try {
      props.onRestored(await kbApi.restore(id, version));
      props.onClose();
    } catch (error) {
      void message.error(errorText(error, t));
    }
  };
  return (
    <Drawer open width={880} title={t('kb.versions.title', { title: props.article.title })} onClose={props.onClose}>
      <Table<ArticleVersion>
        rowKey="version"
        size="small"
        loading={versions.isLoading}
        dataSource={versions.data ?? []}
        pagination={false}
        columns={[
          { title: t('kb.article.version'), dataIndex: 'version', width: 70, render: (v: number) => `v${v}` },
          { title: t('common.status'), dataIndex: 'state', width: 100, render: (s: ArticleVersion['state']) => <VersionStateTag state={s} /> },
          { title: t('kb.article.title'), dataIndex: 'title', ellipsis: true },
          { title: t('kb.versions.note'), dataIndex: 'note', ellipsis: true },
          { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: formatDateTime },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 90,
            render: (_, v) =>
              v.version === latest ? null : (
                <Popconfirm title={t('kb.versions.restoreConfirm', { version: v.version })} okText={t('kb.versions.restore')} cancelText={t('common.cancel')} onConfirm={() => restore(v.version)}>
                  <Button type="link" size="small">
                    {t('kb.versions.restore')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Flex align="center" gap={8} style={{ margin: '20px 0 8px' }}>
        <Typography.Text strong>{t('kb.versions.compare')}</Typography.Text>
        <Select size="small" value={from} onChange={setFrom} options={options} style={{ width: 80 }} aria-label={t('kb.versions.from')} />
        →
        <Select size="small" value={to} onChange={setTo} options={options} style={{ width: 80 }} aria-label={t('kb.versions.to')} />
      </Flex>
      {from === to ? (
        <Typography.Text type="secondary">{t('kb.versions.same')}</Typography.Text>
      ) : diff.isError ? (
        <Alert type="error" message={errorText(diff.error, t)} />
      ) : diff.data ? (
        <>
          {(diff.data.tags.added.length > 0 || diff.data.tags.removed.length > 0) && (
            <Space wrap style={{ marginBottom: 8 }}>
              {diff.data.tags.added.map((tag) => <Tag key={`+${tag}`} color="green">+ {tag}</Tag>)}
              {diff.data.tags.removed.map((tag) => <Tag key={`-${tag}`} color="red">− {tag}</Tag>)}
            </Space>
          )}
          <DiffView lines={[...diff.data.title, { op: 'equal', text: '' }, ...diff.data.body]} />
        </>
      ) : null}
    </Drawer>
  );
}

const diffColors = { add: '#e6ffec', remove: '#ffebe9', equal: 'transparent' } as const;
const diffMarks = { add: '+', remove: '−', equal: ' ' } as const;

function DiffView({ lines }: { lines: DiffLine[] }) {
  return (
    <pre data-testid="kb-diff" style={{ fontSize: 12, border: '1px solid #f0f0f0', borderRadius: 6, padding: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {lines.map((line, i) => (
        <div key={i} style={{ background: diffColors[line.op], padding: '0 8px' }}>
          {diffMarks[line.op]} {line.text}
        </div>
      ))}
    </pre>
  );
}
