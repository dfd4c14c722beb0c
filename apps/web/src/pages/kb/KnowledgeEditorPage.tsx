import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Radio, Select, Space, Table, Tabs, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useSearchParams } from 'react-router-dom';
import { errorText, showFieldError } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ArticleEditor } from './ArticleEditor.tsx';
import { StatusTag } from './KbTags.tsx';
import { TransferModal } from './TransferModal.tsx';
import { ContentGapsTab, StaleTab, SynonymsTab, UpdatesPublishTab } from './EditorTabs.tsx';
import { kbApi, type ArticleSummary, type Language, type TemplateKey } from './kb-api.ts';
import { kbKeys, languages, useCategories, useSpaces } from './kb-data.ts';

/** The knowledge editors' workspace: articles (list and editor), stale articles, synonyms, content gaps, updates. */
export default function KnowledgeEditorPage() {
  return (
    <Routes>
      <Route index element={<EditorHome />} />
      <Route path=":id" element={<ArticleEditor />} />
    </Routes>
  );
}

function EditorHome() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'articles';
  return (
    <>
      <PageHeader title={t('kb.editor.title')} subtitle={t('kb.editor.subtitle')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        items={[
          { key: 'articles', label: t('kb.editor.articles'), children: <ArticlesTab /> },
          { key: 'stale', label: t('kb.editor.stale'), children: <StaleTab /> },
          { key: 'synonyms', label: t('kb.editor.synonyms'), children: <SynonymsTab /> },
          { key: 'gaps', label: t('kb.editor.gaps'), children: <ContentGapsTab /> },
          { key: 'updates', label: t('kb.editor.updates'), children: <UpdatesPublishTab /> },
        ]}
      />
    </>
  );
}

function ArticlesTab() {
  const { t } = useTranslation();
  const spaces = useSpaces();
  const [spaceId, setSpaceId] = useState<string | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [language, setLanguage] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [transfer, setTransfer] = useState<'import' | 'export' | null>(null);
  const articles = useQuery({
    queryKey: [...kbKeys.articles, spaceId, status, language],
    queryFn: () => kbApi.articles({ spaceId, status, language, limit: 200 }),
  });
  const spaceName = (id: string) => spaces.data?.find((s) => s.id === id)?.name ?? '—';
  const columns: ColumnsType<ArticleSummary> = [
    { title: t('kb.article.title'), dataIndex: 'title', render: (title: string, a) => <Link to={`/kb/editor/${a.id}`}>{title}</Link> },
    { title: t('kb.article.space'), dataIndex: 'spaceId', render: spaceName, width: 180 },
    { title: t('kb.article.language'), dataIndex: 'language', width: 90, render: (l: Language) => <Tag>{t(`kb.language.${l}`)}</Tag> },
    { title: t('common.status'), dataIndex: 'status', width: 100, render: (s: ArticleSummary['status']) => <StatusTag status={s} /> },
    {
      title: t('kb.article.version'),
      key: 'version',
      width: 120,
      render: (_, a) => (a.publishedVersion === a.latestVersion ? `v${a.latestVersion}` : t('kb.article.versionPending', { latest: a.latestVersion, live: a.publishedVersion ?? '—' })),
    },
    { title: t('kb.article.updatedAt'), dataIndex: 'updatedAt', width: 180, render: formatDateTime },
  ];
  return (
    <Card
      styles={{ body: { padding: 0 } }}
      title={
        <Space wrap>
          <Select allowClear placeholder={t('kb.article.space')} style={{ width: 200 }} value={spaceId} onChange={setSpaceId} options={(spaces.data ?? []).map((s) => ({ value: s.id, label: s.name }))} />
          <Select allowClear placeholder={t('common.status')} style={{ width: 120 }} value={status} onChange={setStatus} options={(['draft', 'published', 'archived'] as const).map((s) => ({ value: s, label: t(`kb.status.${s}`) }))} />
          <Select allowClear placeholder={t('kb.article.language')} style={{ width: 120 }} value={language} onChange={setLanguage} options={languages.map((l) => ({ value: l, label: t(`kb.language.${l}`) }))} />
        </Space>
      }
      extra={
        <Space>
          <Button onClick={() => setTransfer('import')}>{t('kb.transfer.import')}</Button>
          <Button onClick={() => setTransfer('export')}>{t('kb.transfer.export')}</Button>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('kb.editor.newArticle')}
          </Button>
        </Space>
      }
    >
      <Table<ArticleSummary>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={articles.data ?? []}
        loading={articles.isLoading}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 800 }}
        locale={{ emptyText: articles.isError ? errorText(articles.error, t) : t('kb.editor.noArticles') }}
      />
      {creating && <NewArticleModal onClose={() => setCreating(false)} />}
      {transfer && <TransferModal mode={transfer} onClose={() => setTransfer(null)} />}
    </Card>
  );
}

interface NewArticleForm {
  spaceId: string;
  categoryId?: string;
  language: Language;
  template?: TemplateKey;
  audience?: 'internal' | 'public';
  title: string;
}

function NewArticleModal(props: { onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const spaces = useSpaces();
  const [form] = Form.useForm<NewArticleForm>();
  const spaceId = Form.useWatch('spaceId', form);
  const categories = useCategories(spaceId);
  const space = spaces.data?.find((s) => s.id === spaceId);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const created = await kbApi.createArticle({
        spaceId: v.spaceId,
        categoryId: v.categoryId ?? null,
        language: v.language,
        title: v.title.trim(),
        ...(v.template ? { template: v.template } : {}),
        ...(space?.visibility === 'both' && v.audience ? { audience: v.audience } : {}),
      });
      navigate(`/kb/editor/${created.id}`);
    } catch (error) {
      if (!showFieldError(form, error, ['spaceId', 'categoryId', 'title', 'language'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t('kb.editor.newArticle')} okText={t('common.create')} cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => void submit()} onCancel={props.onClose} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ language: 'zh-CN' }}>
        <Form.Item name="spaceId" label={t('kb.article.space')} rules={[{ required: true, message: t('common.required') }]}>
          <Select options={(spaces.data ?? []).map((s) => ({ value: s.id, label: `${s.name} · ${t(`kb.visibility.${s.visibility}`)}` }))} onChange={() => form.setFieldValue('categoryId', undefined)} />
        </Form.Item>
        <Form.Item name="categoryId" label={t('kb.article.category')}>
          <Select allowClear options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
        {space?.visibility === 'both' && (
          <Form.Item name="audience" label={t('kb.article.audience')} initialValue="internal">
            <Radio.Group options={(['internal', 'public'] as const).map((a) => ({ value: a, label: t(`kb.visibility.${a}`) }))} />
          </Form.Item>
        )}
        <Form.Item name="language" label={t('kb.article.language')}>
          <Radio.Group options={languages.map((l) => ({ value: l, label: t(`kb.language.${l}`) }))} />
        </Form.Item>
        <Form.Item name="template" label={t('kb.article.template')}>
          <Select allowClear placeholder={t('kb.article.noTemplate')} options={(['faq', 'troubleshooting', 'policy'] as const).map((k) => ({ value: k, label: t(`kb.template.${k}`) }))} />
        </Form.Item>
        <Form.Item name="title" label={t('kb.article.title')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
