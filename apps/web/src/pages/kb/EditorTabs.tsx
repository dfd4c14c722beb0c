import { DeleteOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Form, Input, Popconfirm, Row, Select, Space, Statistic, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useSession } from '../../auth/session.tsx';
import { errorText, showFieldError } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { kbApi, type ArticleSummary, type ContentGaps } from './kb-api.ts';
import { kbKeys } from './kb-data.ts';

/** Live articles past their review-by date or without an owner. */
export function StaleTab() {
  const { t } = useTranslation();
  const stale = useQuery({ queryKey: ['kb', 'stale'], queryFn: kbApi.stale });
  return (
    <Card size="small" title={t('kb.editor.staleTitle')}>
      <Table<ArticleSummary>
        rowKey="id"
        size="small"
        loading={stale.isLoading}
        dataSource={stale.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: stale.isError ? errorText(stale.error, t) : t('kb.editor.noStale') }}
        columns={[
          { title: t('kb.article.title'), dataIndex: 'title', render: (title: string, a) => <Link to={`/kb/editor/${a.id}`}>{title}</Link> },
          { title: t('kb.article.language'), dataIndex: 'language', width: 90, render: (l: ArticleSummary['language']) => t(`kb.language.${l}`) },
          { title: t('kb.article.reviewBy'), dataIndex: 'reviewBy', width: 130, render: (d: string | null) => d ?? '—' },
          { title: t('kb.article.owner'), dataIndex: 'ownerId', width: 120, render: (o: string | null) => (o ? t('common.yes') : <Tag color="red">{t('kb.editor.noOwner')}</Tag>) },
        ]}
      />
    </Card>
  );
}

/** Editor-managed synonym sets (宽带 = 网络, refund = money back), expanded at query time. */
export function SynonymsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const synonyms = useQuery({ queryKey: ['kb', 'synonyms'], queryFn: kbApi.synonyms });
  const [terms, setTerms] = useState<string[]>([]);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['kb', 'synonyms'] });
  const add = async () => {
    try {
      await kbApi.addSynonyms(terms);
      setTerms([]);
      refresh();
    } catch (error) {
      void message.error(errorText(error, t));
    }
  };
  return (
    <Card
      size="small"
      title={t('kb.synonyms.title')}
      extra={
        <Space>
          <Select mode="tags" tokenSeparators={[',', '，', '=']} style={{ width: 360 }} value={terms} onChange={setTerms} placeholder={t('kb.synonyms.placeholder')} aria-label={t('kb.synonyms.placeholder')} />
          <Button type="primary" disabled={terms.length < 2} onClick={() => void add()}>
            {t('kb.synonyms.add')}
          </Button>
        </Space>
      }
    >
      <Table
        rowKey="id"
        size="small"
        loading={synonyms.isLoading}
        dataSource={synonyms.data ?? []}
        pagination={false}
        locale={{ emptyText: synonyms.isError ? errorText(synonyms.error, t) : t('kb.synonyms.empty') }}
        columns={[
          { title: t('kb.synonyms.terms'), dataIndex: 'terms', render: (list: string[]) => list.map((term) => <Tag key={term}>{term}</Tag>) },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 100,
            render: (_, row: { id: string; terms: string[] }) => (
              <Popconfirm title={t('common.confirmDelete', { name: row.terms.join(' = ') })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => kbApi.removeSynonyms(row.id).then(refresh, (e: unknown) => void message.error(errorText(e, t)))}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />}>
                  {t('common.delete')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}

/** Top failed searches, least helpful articles, deflection rate; and the help center's contact requests. */
export function ContentGapsTab() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [days, setDays] = useState(30);
  const gaps = useQuery({ queryKey: ['kb', 'gaps', days], queryFn: () => kbApi.contentGaps(days) });
  const contacts = useQuery({ queryKey: ['kb', 'contacts'], queryFn: kbApi.contactRequests, enabled: can('agent.desktop') });
  const d = gaps.data?.deflection;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small" title={t('kb.gaps.title')} extra={<Select value={days} onChange={setDays} style={{ width: 140 }} options={[7, 30, 90, 365].map((n) => ({ value: n, label: t('kb.gaps.lastDays', { days: n }) }))} />}>
        {gaps.isError && <Typography.Text type="danger">{errorText(gaps.error, t)}</Typography.Text>}
        <Row gutter={16}>
          <Col xs={12} md={6}>
            <Statistic title={t('kb.gaps.deflectionRate')} value={d?.rate === null || d === undefined ? '—' : `${Math.round(d.rate * 100)}%`} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('kb.gaps.sessionsWithViews')} value={d?.sessionsWithViews ?? '—'} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('kb.gaps.deflected')} value={d?.deflected ?? '—'} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('kb.gaps.contacted')} value={d?.contacted ?? '—'} />
          </Col>
        </Row>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('kb.gaps.deflectionHint')}
        </Typography.Paragraph>
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('kb.gaps.failedSearches')}>
            <Table<ContentGaps['failedSearches'][number]>
              rowKey={(r) => `${r.channel}:${r.query}`}
              size="small"
              loading={gaps.isLoading}
              dataSource={gaps.data?.failedSearches ?? []}
              pagination={false}
              locale={{ emptyText: t('kb.gaps.noFailed') }}
              columns={[
                { title: t('kb.gaps.query'), dataIndex: 'query' },
                { title: t('kb.gaps.channel'), dataIndex: 'channel', width: 110, render: (c: string) => t(c === 'help' ? 'kb.gaps.channelHelp' : 'kb.gaps.channelAgent') },
                { title: t('kb.gaps.searches'), dataIndex: 'searches', width: 90 },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('kb.gaps.leastHelpful')}>
            <Table<ContentGaps['leastHelpful'][number]>
              rowKey="id"
              size="small"
              loading={gaps.isLoading}
              dataSource={gaps.data?.leastHelpful ?? []}
              pagination={false}
              locale={{ emptyText: t('kb.gaps.noUnhelpful') }}
              columns={[
                { title: t('kb.article.title'), dataIndex: 'title', render: (title: string, a) => <Link to={`/kb/editor/${a.id}`}>{title}</Link> },
                { title: t('kb.gaps.helpful'), dataIndex: 'helpful', width: 80 },
                { title: t('kb.gaps.unhelpful'), dataIndex: 'unhelpful', width: 80 },
              ]}
            />
          </Card>
        </Col>
      </Row>
      {can('agent.desktop') && (
        <Card size="small" title={t('kb.gaps.contactRequests')}>
          <Table
            rowKey="id"
            size="small"
            loading={contacts.isLoading}
            dataSource={contacts.data ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t('kb.gaps.noContacts') }}
            columns={[
              { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: formatDateTime },
              { title: t('kb.gaps.fromArticle'), dataIndex: 'articleTitle', render: (title: string) => title || '—' },
              { title: t('kb.gaps.visitor'), key: 'visitor', render: (_, r: { name: string; contact: string }) => `${r.name} · ${r.contact}` },
              { title: t('kb.gaps.message'), dataIndex: 'message', ellipsis: true },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}

/** Publish a new-business update (新业务更新) to a division, optionally requiring acknowledgement. */
export function UpdatesPublishTab() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ divisionId: string; title: string; body: string; requiresAck: boolean }>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await kbApi.createUpdate({ ...v, title: v.title.trim() });
      form.resetFields(['title', 'body']);
      void queryClient.invalidateQueries({ queryKey: kbKeys.updates });
      void message.success(t('kb.updates.publishedOk'));
    } catch (error) {
      if (!showFieldError(form, error, ['divisionId', 'title', 'body'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title={t('kb.updates.publishTitle')} style={{ maxWidth: 760 }}>
      <Form form={form} layout="vertical" initialValues={{ requiresAck: true, divisionId: me?.divisions[0]?.id }}>
        <Form.Item name="divisionId" label={t('kb.updates.division')} rules={[{ required: true, message: t('common.required') }]}>
          <Select options={(me?.divisions ?? []).map((d) => ({ value: d.id, label: d.name }))} />
        </Form.Item>
        <Form.Item name="title" label={t('kb.article.title')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="body" label={t('kb.updates.body')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input.TextArea autoSize={{ minRows: 5 }} />
        </Form.Item>
        <Form.Item name="requiresAck" label={t('kb.updates.requiresAck')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" loading={busy} onClick={() => void submit()}>
          {t('kb.updates.publish')}
        </Button>
      </Form>
    </Card>
  );
}
