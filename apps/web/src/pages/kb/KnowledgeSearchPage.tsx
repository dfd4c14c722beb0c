import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Collapse, Empty, Input, Row, Space, Spin, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { kbApi } from './kb-api.ts';
import { KnowledgePanel, type ConversationMessage } from './KnowledgePanel.tsx';
import { renderMarkdown } from './markdown.ts';

/**
 * Knowledge search for agents: the knowledge panel (search, suggestions from a conversation) on the left, the
 * article it opens on the right. "Try with a conversation" feeds the panel as the agent desktop will.
 */
export default function KnowledgeSearchPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const articleId = params.get('article');
  const [conversation, setConversation] = useState('');
  // One message per line; "客服:" / "agent:" marks the agent's lines, everything else is the customer's.
  const context = useMemo<ConversationMessage[]>(
    () =>
      conversation
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const agent = /^\s*(agent|客服|坐席)\s*[:：]/i.exec(line);
          return { from: agent ? 'agent' : 'customer', text: agent ? line.slice(agent[0].length) : line.replace(/^\s*(customer|客户)\s*[:：]/i, '') };
        }),
    [conversation],
  );
  return (
    <>
      <PageHeader title={t('kb.search.title')} subtitle={t('kb.search.subtitle')} />
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card size="small">
            <Collapse
              size="small"
              ghost
              style={{ marginBottom: 8 }}
              items={[
                {
                  key: 'conversation',
                  label: t('kb.search.tryConversation'),
                  children: <Input.TextArea autoSize={{ minRows: 3, maxRows: 8 }} value={conversation} onChange={(e) => setConversation(e.target.value)} placeholder={t('kb.search.conversationPlaceholder')} aria-label={t('kb.search.tryConversation')} />,
                },
              ]}
            />
            <KnowledgePanel context={context} onOpen={(hit) => setParams({ article: hit.id })} />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          {articleId ? <ArticleReader id={articleId} onOpen={(id) => setParams({ article: id })} /> : <Card><Empty description={t('kb.search.pickArticle')} /></Card>}
        </Col>
      </Row>
    </>
  );
}

function ArticleReader(props: { id: string; onOpen(id: string): void }) {
  const { t } = useTranslation();
  const article = useQuery({ queryKey: ['kb', 'read', props.id], queryFn: () => kbApi.article(props.id) });
  if (article.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (article.isError || !article.data) return <Alert type="error" showIcon message={errorText(article.error, t)} />;
  const a = article.data;
  return (
    <Card data-testid="kb-reader" title={a.liveTitle ?? a.title} extra={<Tag>{t(`kb.language.${a.language}`)}</Tag>}>
      <Space size={4} wrap style={{ marginBottom: 12 }}>
        {a.tags.map((tag) => <Tag key={tag}>{tag}</Tag>)}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('kb.search.publishedAt', { at: formatDateTime(a.publishedAt) })}
        </Typography.Text>
      </Space>
      {a.body === null ? <Typography.Text type="secondary">{t('kb.search.notLive')}</Typography.Text> : <div className="kb-article" dangerouslySetInnerHTML={{ __html: renderMarkdown(a.body) }} />}
      {(a.translations.length > 0 || a.related.length > 0) && (
        <Space direction="vertical" size={4} style={{ marginTop: 16 }}>
          {a.translations.map((tr) => (
            <Typography.Link key={tr.id} onClick={() => props.onOpen(tr.id)}>
              {t(`kb.language.${tr.language}`)} · {tr.title}
            </Typography.Link>
          ))}
          {a.related.map((r) => (
            <Typography.Link key={r.id} onClick={() => props.onOpen(r.id)}>
              {t('kb.search.related')} · {r.title}
            </Typography.Link>
          ))}
        </Space>
      )}
    </Card>
  );
}
