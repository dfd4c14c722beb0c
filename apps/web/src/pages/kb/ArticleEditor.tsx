import { ArrowLeftOutlined, HistoryOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, DatePicker, Descriptions, Flex, Form, Input, Popconfirm, Row, Select, Space, Spin, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useSession } from '../../auth/session.tsx';
import { errorText, showFieldError } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { AttachmentsCard } from './AttachmentsCard.tsx';
import { kbApi, type ArticleDetail } from './kb-api.ts';
import { kbKeys, otherLanguage, useCategories } from './kb-data.ts';
import { StatusTag, VersionStateTag } from './KbTags.tsx';
import { renderMarkdown } from './markdown.ts';
import { VersionsDrawer } from './VersionsDrawer.tsx';

interface ContentForm {
  title: string;
  body: string;
  tags: string[];
  categoryId: string | null;
  reviewBy: Dayjs | null;
  expiresAt: Dayjs | null;
}

/**
 * One article: Markdown beside its preview, category, tags and review-by date; the workflow buttons the latest
 * version's state allows (save makes a new version, submit, approve now or at a time, reject, archive); the
 * linked translation; version history with diff and restore.
 */
export function ArticleEditor() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const article = useQuery({ queryKey: kbKeys.article(id), queryFn: () => kbApi.article(id) });
  if (article.isLoading) return <Spin style={{ display: 'block', margin: 64 }} />;
  if (article.isError || article.data === undefined) return <Alert type="error" showIcon message={errorText(article.error, t)} />;
  return <EditorForm key={`${article.data.id}:${article.data.latestVersion}`} article={article.data} />;
}

function EditorForm({ article }: { article: ArticleDetail }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ContentForm>();
  const categories = useCategories(article.spaceId);
  const [busy, setBusy] = useState<string | null>(null);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [publishAt, setPublishAt] = useState<Dayjs | null>(null);
  const [comment, setComment] = useState('');
  const draft = article.draft;
  const initial: ContentForm = useMemo(
    () => ({
      title: draft?.title ?? article.title,
      body: draft?.body ?? article.body ?? '',
      tags: draft?.tags ?? article.tags,
      categoryId: article.categoryId,
      reviewBy: article.reviewBy ? dayjs(article.reviewBy) : null,
      expiresAt: article.expiresAt ? dayjs(article.expiresAt) : null,
    }),
    [article, draft],
  );
  const body = Form.useWatch('body', form) ?? initial.body;
  const [dirty, setDirty] = useState(false);
  useEffect(() => setDirty(false), [article]);

  const apply = (next: ArticleDetail, done: string) => {
    queryClient.setQueryData(kbKeys.article(article.id), next);
    void queryClient.invalidateQueries({ queryKey: kbKeys.articles });
    void queryClient.invalidateQueries({ queryKey: kbKeys.versions(article.id) });
    void message.success(done);
  };
  const run = async (name: string, action: () => Promise<ArticleDetail>, done: string) => {
    setBusy(name);
    try {
      apply(await action(), done);
    } catch (error) {
      if (!showFieldError(form, error, ['title', 'body', 'tags', 'categoryId', 'reviewBy', 'expiresAt'])) void message.error(errorText(error, t));
    } finally {
      setBusy(null);
    }
  };

  const save = async () => {
    const v = await form.validateFields();
    const patch: Parameters<typeof kbApi.updateArticle>[1] = {};
    if (v.title.trim() !== initial.title || v.body !== initial.body || v.tags.join('\n') !== initial.tags.join('\n')) {
      patch.title = v.title.trim();
      patch.body = v.body;
      patch.tags = v.tags;
    }
    if (v.categoryId !== initial.categoryId) patch.categoryId = v.categoryId ?? null;
    const reviewBy = v.reviewBy ? v.reviewBy.format('YYYY-MM-DD') : null;
    if (reviewBy !== article.reviewBy) patch.reviewBy = reviewBy;
    const expiresAt = v.expiresAt ? v.expiresAt.toISOString() : null;
    if ((expiresAt === null) !== (article.expiresAt === null) || (expiresAt !== null && article.expiresAt !== null && Date.parse(expiresAt) !== Date.parse(article.expiresAt))) patch.expiresAt = expiresAt;
    if (Object.keys(patch).length === 0) return;
    await run('save', () => kbApi.updateArticle(article.id, patch), t('kb.editor.savedVersion'));
  };

  const state = draft?.state;
  const other = otherLanguage(article.language);
  const translation = article.translations.find((tr) => tr.language === other);

  const createTranslation = () =>
    run(
      'translate',
      async () => {
        const created = await kbApi.createArticle({
          spaceId: article.spaceId,
          categoryId: article.categoryId,
          language: other,
          title: form.getFieldValue('title') as string,
          body: form.getFieldValue('body') as string,
          tags: form.getFieldValue('tags') as string[],
          audience: article.audience,
          translationOf: article.id,
        });
        navigate(`/kb/editor/${created.id}`);
        return created;
      },
      t('kb.editor.translationCreated'),
    );

  return (
    <>
      <PageHeader
        title={article.title}
        subtitle={t('kb.editor.articleSubtitle', { language: t(`kb.language.${article.language}`), version: article.latestVersion })}
        extra={
          <>
            <Link to="/kb/editor">
              <Button icon={<ArrowLeftOutlined />}>{t('kb.editor.backToList')}</Button>
            </Link>
            <Button icon={<HistoryOutlined />} onClick={() => setHistoryOpen(true)}>
              {t('kb.editor.history')}
            </Button>
          </>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex wrap gap={16} align="center" justify="space-between">
          <Space wrap>
            <StatusTag status={article.status} />
            {state && (
              <span data-testid="kb-version-state">
                {t('kb.editor.latestVersion', { version: article.latestVersion })} <VersionStateTag state={state} />
              </span>
            )}
            {article.publishedVersion !== null && <span>{t('kb.editor.liveVersion', { version: article.publishedVersion })}</span>}
            {draft?.state === 'scheduled' && draft.publishAt && <span>{t('kb.editor.scheduledFor', { at: formatDateTime(draft.publishAt) })}</span>}
            {draft?.reviewComment && <Typography.Text type="secondary">{t('kb.editor.reviewComment', { comment: draft.reviewComment })}</Typography.Text>}
          </Space>
          <Space wrap>
            {(state === 'draft' || state === 'rejected') && (
              <Button type="primary" loading={busy === 'submit'} disabled={dirty} onClick={() => void run('submit', () => kbApi.submit(article.id), t('kb.editor.submitted'))}>
                {t('kb.editor.submit')}
              </Button>
            )}
            {state === 'in_review' && can('kb.approve') && (
              <>
                <Input placeholder={t('kb.editor.commentPlaceholder')} value={comment} onChange={(e) => setComment(e.target.value)} style={{ width: 200 }} />
                <Button type="primary" loading={busy === 'approve'} onClick={() => void run('approve', () => kbApi.approve(article.id, comment ? { comment } : {}), t('kb.editor.published'))}>
                  {t('kb.editor.approve')}
                </Button>
                <DatePicker showTime placeholder={t('kb.editor.publishAt')} value={publishAt} onChange={setPublishAt} disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
                <Button
                  disabled={publishAt === null}
                  loading={busy === 'schedule'}
                  onClick={() => void run('schedule', () => kbApi.approve(article.id, { ...(comment ? { comment } : {}), publishAt: publishAt!.toISOString() }), t('kb.editor.scheduled'))}
                >
                  {t('kb.editor.schedule')}
                </Button>
                <Button danger loading={busy === 'reject'} onClick={() => void run('reject', () => kbApi.reject(article.id, comment), t('kb.editor.rejected'))}>
                  {t('kb.editor.reject')}
                </Button>
              </>
            )}
            {state === 'in_review' && !can('kb.approve') && <Typography.Text type="secondary">{t('kb.editor.waitingForReview')}</Typography.Text>}
            {article.status !== 'archived' && (
              <Popconfirm title={t('kb.editor.archiveConfirm')} okText={t('kb.editor.archive')} cancelText={t('common.cancel')} onConfirm={() => run('archive', () => kbApi.archive(article.id), t('kb.editor.archived'))}>
                <Button danger type="text">
                  {t('kb.editor.archive')}
                </Button>
              </Popconfirm>
            )}
          </Space>
        </Flex>
      </Card>
      {state === 'in_review' && <Alert style={{ marginBottom: 16 }} type="info" showIcon message={t('kb.editor.inReviewHint')} />}
      <Form form={form} layout="vertical" initialValues={initial} onValuesChange={() => setDirty(true)}>
        <Row gutter={16}>
          <Col xs={24} xl={12}>
            <Card
              size="small"
              title={t('kb.editor.content')}
              extra={
                <Button type="primary" loading={busy === 'save'} disabled={!dirty} onClick={() => void save()}>
                  {t('kb.editor.save')}
                </Button>
              }
            >
              <Form.Item name="title" label={t('kb.article.title')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Row gutter={12}>
                <Col span={8}>
                  <Form.Item name="categoryId" label={t('kb.article.category')}>
                    <Select allowClear options={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))} />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="reviewBy" label={t('kb.article.reviewBy')}>
                    <DatePicker style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="expiresAt" label={t('kb.article.expiresAt')} tooltip={t('kb.article.expiresHint')}>
                    <DatePicker showTime style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item name="tags" label={t('kb.article.tags')}>
                <Select mode="tags" tokenSeparators={[',', '，']} placeholder={t('kb.editor.tagsPlaceholder')} />
              </Form.Item>
              <Form.Item name="body" label={t('kb.editor.markdown')} extra={t('kb.editor.markdownHint')}>
                <Input.TextArea autoSize={{ minRows: 14, maxRows: 40 }} style={{ fontFamily: 'monospace' }} aria-label={t('kb.editor.markdown')} />
              </Form.Item>
            </Card>
          </Col>
          <Col xs={24} xl={12}>
            <Card size="small" title={t('kb.editor.preview')} style={{ marginBottom: 16 }}>
              <div className="kb-article" data-testid="kb-preview" dangerouslySetInnerHTML={{ __html: renderMarkdown(body) }} />
            </Card>
            <AttachmentsCard
              articleId={article.id}
              onInsert={(markdown) => {
                const current = (form.getFieldValue('body') as string | undefined) ?? '';
                form.setFieldValue('body', `${current.trimEnd()}\n\n${markdown}\n`);
                setDirty(true);
              }}
            />
            <Card size="small" title={t('kb.editor.details')}>
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('kb.article.audience')}>{t(`kb.visibility.${article.audience}`)}</Descriptions.Item>
                <Descriptions.Item label={t('kb.editor.translation')}>
                  {translation ? (
                    <Link to={`/kb/editor/${translation.id}`}>
                      {t(`kb.language.${translation.language}`)} · {translation.title}
                    </Link>
                  ) : (
                    <Button size="small" loading={busy === 'translate'} onClick={() => void createTranslation()}>
                      {t('kb.editor.createTranslation', { language: t(`kb.language.${other}`) })}
                    </Button>
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t('kb.editor.related')}>{article.related.map((r) => r.title).join(t('common.listSeparator')) || t('common.none')}</Descriptions.Item>
                <Descriptions.Item label={t('kb.editor.feedback')}>{t('kb.editor.feedbackValue', { helpful: article.helpfulCount, unhelpful: article.unhelpfulCount, views: article.viewCount })}</Descriptions.Item>
                <Descriptions.Item label={t('kb.article.updatedAt')}>{formatDateTime(article.updatedAt)}</Descriptions.Item>
              </Descriptions>
            </Card>
          </Col>
        </Row>
      </Form>
      {historyOpen && <VersionsDrawer article={article} onClose={() => setHistoryOpen(false)} onRestored={(next) => apply(next, t('kb.editor.restored'))} />}
    </>
  );
}
