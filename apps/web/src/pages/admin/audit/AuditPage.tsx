import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { auditApi, type AuditQuery } from '../../../api/endpoints.ts';
import type { AuditEntry } from '../../../api/types.ts';
import { errorText } from '../../../components/errors.ts';
import { formatDateTime } from '../../../components/format.ts';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { queryKeys, useLabels } from '../admin-data.ts';
import { AuditFilters, type AuditFilter } from './AuditFilters.tsx';

const PAGE_SIZE = 50;

function actionColor(action: string): string | undefined {
  if (action.endsWith('.deleted') || action.endsWith('.revoked') || action.includes('failed')) return 'red';
  if (action.endsWith('.created')) return 'green';
  if (action.startsWith('auth.')) return 'blue';
  return undefined;
}

/** A readable name for the target, from what the server put in details (email, name, url or key). */
function targetLabel(entry: AuditEntry): string | undefined {
  const details = entry.details;
  if (details === null || typeof details !== 'object') return undefined;
  for (const field of ['email', 'name', 'url', 'key']) {
    const value = (details as Record<string, unknown>)[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

export default function AuditPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const [filter, setFilter] = useState<AuditFilter>({});

  const entries = useInfiniteQuery({
    queryKey: [...queryKeys.audit, filter],
    queryFn: ({ pageParam }) => {
      const query: AuditQuery = { ...filter, limit: PAGE_SIZE, cursor: pageParam };
      return auditApi.list(query);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const rows = useMemo(() => entries.data?.pages.flatMap((page) => page.items) ?? [], [entries.data]);

  const columns: ColumnsType<AuditEntry> = [
    { title: t('audit.at'), dataIndex: 'at', width: 180, render: (at: string) => formatDateTime(at) },
    {
      title: t('audit.actor'),
      dataIndex: 'actorEmail',
      width: 240,
      render: (email: string | null) => email ?? <Typography.Text type="secondary">{t('audit.system')}</Typography.Text>,
    },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      width: 220,
      render: (action: string) => (
        <Tag color={actionColor(action)} style={{ fontFamily: 'monospace' }} title={labels.event(action, '')}>
          {action}
        </Tag>
      ),
    },
    {
      title: t('audit.target'),
      key: 'target',
      render: (_, entry) =>
        entry.targetType === null ? (
          '—'
        ) : (
          <Flex vertical>
            {targetLabel(entry) !== undefined && <Typography.Text>{targetLabel(entry)}</Typography.Text>}
            <Typography.Text
              type="secondary"
              style={{ fontSize: 12 }}
              copyable={entry.targetId === null ? false : { text: entry.targetId }}
            >
              {entry.targetType} {entry.targetId?.slice(0, 8)}
            </Typography.Text>
          </Flex>
        ),
    },
    { title: t('audit.ip'), dataIndex: 'ip', width: 140, render: (ip: string | null) => ip ?? '—' },
  ];

  return (
    <>
      <PageHeader title={t('audit.title')} subtitle={t('audit.subtitle')} />
      <Card styles={{ body: { padding: 0 } }}>
        <AuditFilters onApply={setFilter} />
        <Table<AuditEntry>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={entries.isLoading}
          scroll={{ x: 1000 }}
          pagination={false}
          expandable={{
            rowExpandable: (entry) =>
              entry.details !== null && typeof entry.details === 'object' && Object.keys(entry.details).length > 0,
            expandedRowRender: (entry) => (
              <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>{JSON.stringify(entry.details, null, 2)}</pre>
            ),
          }}
          locale={{ emptyText: entries.isError ? errorText(entries.error, t) : t('audit.empty') }}
        />
        {entries.hasNextPage && (
          <Flex justify="center" style={{ padding: 12 }}>
            <Button onClick={() => void entries.fetchNextPage()} loading={entries.isFetchingNextPage}>
              {t('common.loadMore')}
            </Button>
          </Flex>
        )}
      </Card>
    </>
  );
}
