import { BellOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Empty, List, Progress, Row, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { kbApi, type Update, type UpdateReport } from './kb-api.ts';
import { kbKeys } from './kb-data.ts';

/** For supervisors: per update, who of the division has read and acknowledged it; remind everyone who has not. */
export default function UpdatesReportPage() {
  const { t } = useTranslation();
  const updates = useQuery({ queryKey: [...kbKeys.updates, 'all'], queryFn: () => kbApi.updates(false) });
  const [selected, setSelected] = useState<string | null>(null);
  const current = selected ?? updates.data?.[0]?.id ?? null;
  return (
    <>
      <PageHeader title={t('kb.report.title')} subtitle={t('kb.report.subtitle')} />
      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('kb.updates.title')} styles={{ body: { padding: 0 } }}>
            <List<Update>
              loading={updates.isLoading}
              dataSource={updates.data ?? []}
              locale={{ emptyText: updates.isError ? errorText(updates.error, t) : t('kb.updates.none') }}
              renderItem={(u) => (
                <List.Item onClick={() => setSelected(u.id)} style={{ cursor: 'pointer', paddingInline: 12, background: u.id === current ? '#e6f4ff' : undefined }}>
                  <List.Item.Meta title={u.title} description={<Space size={4}>{formatDateTime(u.createdAt)}{u.requiresAck && <Tag color="orange">{t('kb.updates.ackRequired')}</Tag>}</Space>} />
                </List.Item>
              )}
            />
          </Card>
        </Col>
        <Col xs={24} lg={16}>{current ? <ReportCard id={current} /> : <Card><Empty description={t('kb.updates.none')} /></Card>}</Col>
      </Row>
    </>
  );
}

function ReportCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const report = useQuery({ queryKey: ['kb', 'update-report', id], queryFn: () => kbApi.updateReport(id) });
  const [busy, setBusy] = useState(false);
  const remind = async () => {
    setBusy(true);
    try {
      const result = await kbApi.remind(id);
      void message.success(t('kb.report.reminded', { count: result.reminded.length }));
      void queryClient.invalidateQueries({ queryKey: ['kb', 'update-report', id] });
    } catch (error) {
      void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  if (report.isError) return <Typography.Text type="danger">{errorText(report.error, t)}</Typography.Text>;
  const r = report.data;
  const totals = r?.totals;
  const pending = totals ? totals.people - (r!.update.requiresAck ? totals.acknowledged : totals.read) : 0;
  return (
    <Card
      size="small"
      loading={report.isLoading}
      title={r?.update.title}
      extra={
        <Button icon={<BellOutlined />} disabled={pending === 0} loading={busy} onClick={() => void remind()}>
          {t('kb.report.remind', { count: pending })}
        </Button>
      }
    >
      {totals && (
        <Space size={32} style={{ marginBottom: 16 }}>
          <span>
            {t('kb.report.read')} <Progress type="circle" size={56} percent={totals.people ? Math.round((totals.read / totals.people) * 100) : 0} format={() => `${totals.read}/${totals.people}`} />
          </span>
          <span>
            {t('kb.report.acknowledged')} <Progress type="circle" size={56} percent={totals.people ? Math.round((totals.acknowledged / totals.people) * 100) : 0} format={() => `${totals.acknowledged}/${totals.people}`} />
          </span>
        </Space>
      )}
      <Table<UpdateReport['people'][number]>
        rowKey="userId"
        size="small"
        dataSource={r?.people ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('common.name'), dataIndex: 'name', render: (name: string, p) => <Space direction="vertical" size={0}><span>{name}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{p.email}</Typography.Text></Space> },
          { title: t('kb.report.read'), dataIndex: 'readAt', width: 170, render: (at: string | null) => (at ? formatDateTime(at) : <Tag>{t('kb.updates.notRead')}</Tag>) },
          { title: t('kb.report.acknowledged'), dataIndex: 'ackedAt', width: 170, render: (at: string | null) => (at ? formatDateTime(at) : <Tag color={r?.update.requiresAck ? 'orange' : 'default'}>{t('kb.report.notAcked')}</Tag>) },
          { title: t('kb.report.remindedAt'), dataIndex: 'remindedAt', width: 170, render: (at: string | null) => formatDateTime(at) },
        ]}
      />
    </Card>
  );
}
