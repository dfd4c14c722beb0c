import { LinkOutlined, SearchOutlined, SnippetsOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Empty, Flex, Input, List, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { kbApi, type Language, type SearchHit } from './kb-api.ts';
import { articleLink } from './kb-data.ts';
import { snippetText } from './markdown.ts';

export interface ConversationMessage {
  from: 'customer' | 'agent';
  text: string;
}

export interface KnowledgePanelProps {
  /** The conversation so far (chat messages, call transcript): with no query typed, suggestions follow it. */
  context?: readonly ConversationMessage[];
  /** The interaction being handled: inserting a link or snippet is recorded against it (which article helped). */
  interactionId?: string;
  /** Puts text into the reply box; without it, the text goes to the clipboard. */
  onInsert?: (text: string, kind: 'link' | 'snippet', hit: SearchHit) => void;
  /** Opens an article (e.g. in a reader beside the panel). */
  onOpen?: (hit: SearchHit) => void;
  language?: Language;
}

/** Waits until a value has stopped changing for `ms`, so that typing does not send a request per key. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The agent's knowledge panel: a search box, and suggestions from the live conversation when nothing is typed;
 * one click inserts a link or a snippet into the reply. The agent desktop embeds it with the conversation as
 * `context` and the interaction's id.
 */
export function KnowledgePanel(props: KnowledgePanelProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 300);
  // The last ten messages are what the server weighs; keying on them avoids a request for an unchanged context.
  const recent = useMemo(() => (props.context ?? []).filter((m) => m.text.trim() !== '').slice(-10), [props.context]);
  const contextKey = useDebounced(JSON.stringify(recent), 600);
  const search = useQuery({
    queryKey: ['kb', 'search', q, props.language],
    queryFn: () => kbApi.search({ q, limit: 10, ...(props.language ? { language: props.language } : {}) }),
    enabled: q !== '',
    placeholderData: (previous) => previous,
  });
  const suggestions = useQuery({
    queryKey: ['kb', 'suggest', contextKey, props.language],
    queryFn: () => kbApi.suggest(JSON.parse(contextKey) as ConversationMessage[], props.language),
    enabled: q === '' && contextKey !== '[]',
    placeholderData: (previous) => previous,
  });
  const active = q !== '' ? search : suggestions;
  const hits = q !== '' ? (search.data?.results ?? []) : (suggestions.data?.results ?? []);

  const record = (hit: SearchHit, action: 'inserted_link' | 'inserted_snippet' | 'viewed') => {
    if (props.interactionId) void kbApi.recordUsage(hit.id, props.interactionId, action).catch(() => undefined);
  };
  const insert = async (hit: SearchHit, kind: 'link' | 'snippet') => {
    const link = articleLink(hit);
    const value = kind === 'link' ? `${hit.title} ${link}` : `${hit.title}\n${snippetText(hit.snippet)}\n${link}`;
    record(hit, kind === 'link' ? 'inserted_link' : 'inserted_snippet');
    if (props.onInsert) {
      props.onInsert(value, kind, hit);
      return;
    }
    try {
      await navigator.clipboard.writeText(value);
      void message.success(t('common.copied'));
    } catch {
      void message.error(t('common.copyFailed'));
    }
  };

  return (
    <Flex vertical gap={8} data-testid="knowledge-panel">
      <Input
        allowClear
        prefix={<SearchOutlined />}
        placeholder={t('kb.panel.placeholder')}
        aria-label={t('kb.panel.placeholder')}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      {q === '' && (suggestions.data?.terms.length ?? 0) > 0 && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('kb.panel.fromConversation')} {suggestions.data!.terms.map((term) => <Tag key={term}>{term}</Tag>)}
        </Typography.Text>
      )}
      {active.isError ? (
        <Typography.Text type="danger">{errorText(active.error, t)}</Typography.Text>
      ) : active.isFetching && hits.length === 0 ? (
        <Spin style={{ margin: 24 }} />
      ) : hits.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={q !== '' ? t('kb.panel.noResults') : t('kb.panel.typeOrTalk')} />
      ) : (
        <List<SearchHit>
          size="small"
          dataSource={hits}
          renderItem={(hit) => (
            <List.Item data-testid="kb-hit" style={{ display: 'block', paddingInline: 0 }}>
              <Flex justify="space-between" align="flex-start" gap={8}>
                {/* titleHtml and snippet are escaped by the server; the only markup is <mark>. */}
                <Typography.Link strong onClick={() => { record(hit, 'viewed'); props.onOpen?.(hit); }}>
                  <span dangerouslySetInnerHTML={{ __html: hit.titleHtml }} />
                </Typography.Link>
                <Space size={0}>
                  <Tooltip title={t('kb.panel.insertLink')}>
                    <Button size="small" type="text" icon={<LinkOutlined />} aria-label={t('kb.panel.insertLink')} onClick={() => void insert(hit, 'link')} />
                  </Tooltip>
                  <Tooltip title={t('kb.panel.insertSnippet')}>
                    <Button size="small" type="text" icon={<SnippetsOutlined />} aria-label={t('kb.panel.insertSnippet')} onClick={() => void insert(hit, 'snippet')} />
                  </Tooltip>
                </Space>
              </Flex>
              <Typography.Paragraph type="secondary" style={{ fontSize: 13, margin: '2px 0 4px' }}>
                <span dangerouslySetInnerHTML={{ __html: hit.snippet }} />
              </Typography.Paragraph>
              <Space size={4} wrap>
                <Tag bordered={false}>{t(`kb.language.${hit.language}`)}</Tag>
                {hit.audience === 'public' && <Tag bordered={false} color="blue">{t('kb.visibility.public')}</Tag>}
                {hit.matchedBy === 'similar' && <Tag bordered={false} color="orange">{t('kb.panel.similar')}</Tag>}
                {hit.tags.slice(0, 4).map((tag) => <Tag key={tag} bordered={false}>{tag}</Tag>)}
              </Space>
            </List.Item>
          )}
        />
      )}
    </Flex>
  );
}
