import type { ChatMessage } from '@kefu/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Descriptions, Empty, Flex, Input, List, Space, Switch, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { channelsApi, type AgentChat } from './channels-api.ts';
import { useRealtime, type RealtimeEvent } from './use-realtime.ts';

interface Offer {
  offerId: string;
  channel: string;
  queueName: string;
  attributes: Record<string, unknown>;
}

/**
 * The agent's minimal chat panel (the full agent desktop comes with its own issue): go available, accept chats
 * offered by routing, read and answer them with receipts, see images and files, end them. Everything a visitor
 * wrote is rendered as text (React escapes it).
 */
export default function AgentChatsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [available, setAvailable] = useState(false);
  const [offers, setOffers] = useState<Offer[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [messages, setMessages] = useState<Record<string, ChatMessage[]>>({});
  const [receipts, setReceipts] = useState<Record<string, { delivered: number; read: number }>>({});
  const [typing, setTyping] = useState<Record<string, boolean>>({});
  const [ended, setEnded] = useState<Record<string, boolean>>({});
  const chats = useQuery({ queryKey: ['webchat', 'mine'], queryFn: channelsApi.myChats });

  const load = useCallback(async (id: string) => {
    const { items } = await channelsApi.messages(id);
    setMessages((all) => ({ ...all, [id]: items }));
    const customer = items.filter((m) => m.sender !== 'agent');
    setReceipts((all) => ({
      ...all,
      [id]: {
        delivered: Math.max(0, ...items.filter((m) => m.sender === 'agent' && m.deliveredAt).map((m) => m.seq)),
        read: Math.max(0, ...items.filter((m) => m.sender === 'agent' && m.readAt).map((m) => m.seq)),
      },
    }));
    return customer;
  }, []);

  const onEvent = useCallback(
    (event: RealtimeEvent) => {
      const data = event.data as Record<string, unknown>;
      if (event.name === 'offer' && data.channel === 'chat') setOffers((list) => [...list.filter((o) => o.offerId !== data.offerId), data as unknown as Offer]);
      else if (event.name === 'offer.revoked') setOffers((list) => list.filter((o) => o.offerId !== data.offerId));
      else if (event.name === 'chat.assigned') {
        void queryClient.invalidateQueries({ queryKey: ['webchat', 'mine'] });
        setSelected(data.interactionId as string);
      } else if (event.name === 'chat.message') {
        const m = data as unknown as ChatMessage;
        setMessages((all) => {
          const list = all[m.interactionId] ?? [];
          if (list.some((x) => x.seq === m.seq)) return all;
          const last = list.at(-1)?.seq ?? 0;
          if (m.seq !== last + 1) void load(m.interactionId); // a gap: read the conversation again
          return { ...all, [m.interactionId]: [...list, m].sort((a, b) => a.seq - b.seq) };
        });
      } else if (event.name === 'chat.receipt' && data.by === 'customer') {
        const id = data.interactionId as string;
        setReceipts((all) => {
          const now = all[id] ?? { delivered: 0, read: 0 };
          const seq = data.seq as number;
          return { ...all, [id]: { delivered: Math.max(now.delivered, seq), read: data.kind === 'read' ? Math.max(now.read, seq) : now.read } };
        });
      } else if (event.name === 'chat.typing' && data.by === 'customer') setTyping((all) => ({ ...all, [data.interactionId as string]: data.on as boolean }));
      else if (event.name === 'chat.status' && data.status === 'ended') setEnded((all) => ({ ...all, [data.interactionId as string]: true }));
    },
    [load, queryClient],
  );
  const realtime = useRealtime(onEvent);

  // Watch every chat the agent holds (after a reload too) and load its messages.
  useEffect(() => {
    for (const chat of chats.data ?? []) {
      realtime.subscribe(`chat:${chat.interactionId}`);
      if (!messages[chat.interactionId]) void load(chat.interactionId);
    }
    if (!selected && chats.data?.[0]) setSelected(chats.data[0].interactionId);
  }, [chats.data, realtime, load, messages, selected]);

  // What the agent sees is read: tell the visitor.
  const current = selected ? messages[selected] ?? [] : [];
  const lastCustomer = current.filter((m) => m.sender === 'customer').at(-1)?.seq ?? 0;
  useEffect(() => {
    if (selected && lastCustomer && !ended[selected]) void channelsApi.read(selected, lastCustomer).catch(() => undefined);
  }, [selected, lastCustomer, ended]);

  const goAvailable = async (on: boolean) => {
    try {
      await realtime.request('agent.set_state', { state: on ? 'available' : 'offline' });
      setAvailable(on);
    } catch (err) {
      void message.error((err as Error).message);
    }
  };
  const accept = async (offer: Offer) => {
    try {
      await realtime.request('offer.accept', { offerId: offer.offerId });
    } catch (err) {
      void message.error((err as Error).message);
    }
    setOffers((list) => list.filter((o) => o.offerId !== offer.offerId));
  };

  const chat = chats.data?.find((c) => c.interactionId === selected);
  return (
    <>
      <PageHeader
        title={t('webchat.agent.title')}
        subtitle={t('webchat.agent.subtitle')}
        extra={
          <Space>
            <Tag color={realtime.connected ? 'green' : 'red'}>{realtime.connected ? t('webchat.agent.connected') : t('webchat.agent.disconnected')}</Tag>
            <Switch checked={available} disabled={!realtime.connected} onChange={(on) => void goAvailable(on)} checkedChildren={t('webchat.agent.available')} unCheckedChildren={t('webchat.agent.offline')} aria-label={t('webchat.agent.available')} />
          </Space>
        }
      />
      <Flex gap={16} align="flex-start">
        <Space direction="vertical" style={{ width: 280 }}>
          <Card size="small" title={<Badge count={offers.length} offset={[12, 0]}>{t('webchat.agent.offers')}</Badge>}>
            <List
              dataSource={offers}
              locale={{ emptyText: ' ' }}
              renderItem={(offer) => (
                <List.Item actions={[<Button key="a" type="primary" size="small" onClick={() => void accept(offer)}>{t('webchat.agent.accept')}</Button>]}>
                  <List.Item.Meta title={String(offer.attributes.visitorName ?? '')} description={String(offer.attributes.question ?? offer.queueName)} />
                </List.Item>
              )}
            />
          </Card>
          <Card size="small" title={t('webchat.agent.myChats')}>
            <List
              dataSource={chats.data ?? []}
              locale={{ emptyText: t('webchat.agent.noChats') }}
              renderItem={(c) => (
                <List.Item onClick={() => setSelected(c.interactionId)} style={{ cursor: 'pointer', background: c.interactionId === selected ? '#e6f4ff' : undefined, paddingInline: 8 }}>
                  <Typography.Text strong>{c.visitorName}</Typography.Text>
                  {ended[c.interactionId] && <Tag>{t('webchat.agent.ended')}</Tag>}
                </List.Item>
              )}
            />
          </Card>
        </Space>
        <div style={{ flex: 1, minWidth: 0 }}>
          {chat ? (
            <ChatView
              chat={chat}
              messages={current}
              receipts={receipts[chat.interactionId] ?? { delivered: 0, read: 0 }}
              typing={typing[chat.interactionId] ?? false}
              ended={ended[chat.interactionId] ?? false}
              onError={(err) => void message.error(errorText(err, t))}
            />
          ) : (
            <Card>
              <Empty description={t('webchat.agent.pick')} />
            </Card>
          )}
        </div>
      </Flex>
    </>
  );
}

function ChatView(props: { chat: AgentChat; messages: ChatMessage[]; receipts: { delivered: number; read: number }; typing: boolean; ended: boolean; onError(err: unknown): void }) {
  const { t } = useTranslation();
  const { chat } = props;
  const [text, setText] = useState('');
  const logRef = useRef<HTMLDivElement>(null);
  const typingSent = useRef(false);
  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [props.messages.length]);

  const send = async () => {
    if (!text.trim()) return;
    const body = text;
    setText('');
    typingSent.current = false;
    try {
      await channelsApi.send(chat.interactionId, crypto.randomUUID(), body);
    } catch (err) {
      setText(body);
      props.onError(err);
    }
  };
  const receiptOf = (m: ChatMessage) => (m.seq <= props.receipts.read ? t('webchat.agent.read') : m.seq <= props.receipts.delivered ? t('webchat.agent.delivered') : t('webchat.agent.sent'));

  return (
    <Card
      title={
        <Space>
          <span>{chat.visitorName}</span>
          {chat.verifiedUserId && <Tag color="blue">{t('webchat.agent.verified')}</Tag>}
        </Space>
      }
      extra={
        <Button danger disabled={props.ended} onClick={() => void channelsApi.end(chat.interactionId).catch(props.onError)}>
          {t('webchat.agent.end')}
        </Button>
      }
    >
      <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
        {chat.pageUrl && <Descriptions.Item label={t('webchat.agent.page')}>{chat.pageUrl}</Descriptions.Item>}
        {chat.referrer && <Descriptions.Item label={t('webchat.agent.referrer')}>{chat.referrer}</Descriptions.Item>}
        {chat.prechat.question && <Descriptions.Item label={t('webchat.agent.question')}>{chat.prechat.question}</Descriptions.Item>}
        {Object.entries(chat.prechat.context ?? {}).map(([k, v]) => (
          <Descriptions.Item key={k} label={k}>{v}</Descriptions.Item>
        ))}
      </Descriptions>
      <div ref={logRef} role="log" aria-label={chat.visitorName} style={{ height: 360, overflowY: 'auto', background: '#f5f6f8', padding: 12, borderRadius: 8 }}>
        {props.messages.map((m) => (
          <div key={m.seq} data-seq={m.seq} className={`chat-msg chat-msg-${m.sender}`} style={{ display: 'flex', justifyContent: m.sender === 'agent' ? 'flex-end' : m.sender === 'system' ? 'center' : 'flex-start', marginBottom: 8 }}>
            <div style={{ maxWidth: '75%', background: m.sender === 'agent' ? '#1677ff' : m.sender === 'system' ? 'transparent' : '#fff', color: m.sender === 'agent' ? '#fff' : m.sender === 'system' ? '#888' : undefined, padding: '6px 10px', borderRadius: 8 }}>
              {m.body && <div style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{m.body}</div>}
              {m.attachment &&
                (m.attachment.contentType.startsWith('image/') ? (
                  <a href={channelsApi.attachmentUrl(chat.interactionId, m.attachment.id)} target="_blank" rel="noopener noreferrer">
                    <img src={channelsApi.attachmentUrl(chat.interactionId, m.attachment.id)} alt={m.attachment.fileName} style={{ maxWidth: 240, maxHeight: 240, display: 'block' }} />
                  </a>
                ) : (
                  <a href={channelsApi.attachmentUrl(chat.interactionId, m.attachment.id)} download={m.attachment.fileName}>
                    {m.attachment.fileName}
                  </a>
                ))}
              {m.sender === 'agent' && <div style={{ fontSize: 11, opacity: 0.85, textAlign: 'right' }}>{receiptOf(m)}</div>}
            </div>
          </div>
        ))}
      </div>
      <div style={{ minHeight: 22, color: '#888', fontSize: 12 }}>{props.typing ? t('webchat.agent.typing') : ''}</div>
      <Space.Compact style={{ width: '100%' }}>
        <Input.TextArea
          value={text}
          disabled={props.ended}
          autoSize={{ minRows: 1, maxRows: 4 }}
          placeholder={t('webchat.agent.placeholder')}
          aria-label={t('webchat.agent.placeholder')}
          onChange={(e) => {
            setText(e.target.value);
            if (!typingSent.current) {
              typingSent.current = true;
              void channelsApi.typing(chat.interactionId, true).catch(() => undefined);
            }
          }}
          onPressEnter={(e) => {
            if (!e.shiftKey) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <Button type="primary" disabled={props.ended} onClick={() => void send()}>
          {t('webchat.agent.send')}
        </Button>
      </Space.Compact>
    </Card>
  );
}
