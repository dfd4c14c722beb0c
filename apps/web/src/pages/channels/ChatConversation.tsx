import type { ChatCallState, ChatMessage } from '@kefu/contracts';
import { useQuery } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Input, Space, Tag } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { useRealtime, type RealtimeEvent } from '../../realtime/realtime.tsx';
import { useSession } from '../../auth/session.tsx';
import { voiceApi } from '../voice/voice-api.ts';
import { channelsApi } from './channels-api.ts';

/**
 * One web chat as its agent works it: what the visitor told before the chat, the messages with receipts and
 * attachments, typing, a reply box and "end". It loads its own data and listens on the app's realtime socket
 * (topic `chat:<id>`), so the agent desktop can place it beside the customer's record. Everything the visitor
 * wrote is rendered as text (React escapes it).
 */
export function ChatConversation(props: { interactionId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { interactionId } = props;
  const chat = useQuery({ queryKey: ['webchat', 'chat', interactionId], queryFn: () => channelsApi.chat(interactionId) });
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [receipts, setReceipts] = useState({ delivered: 0, read: 0 });
  const [typing, setTyping] = useState(false);
  const [ended, setEnded] = useState(false);
  // The chat's voice call as the chat topic reports it (the call itself rings the agent's browser phone).
  const [call, setCall] = useState<'idle' | Exclude<ChatCallState, 'declined' | 'ended'>>('idle');
  const [callsEnded, setCallsEnded] = useState(0);
  // The chat's call recordings, for people who may listen (supervisors, QA); read again after each call.
  const mayListen = useSession().can('recordings.listen');
  const recordings = useQuery({ queryKey: ['webchat', 'recordings', interactionId, callsEnded], queryFn: () => voiceApi.recordings(interactionId), enabled: mayListen });
  const [text, setText] = useState('');
  const logRef = useRef<HTMLDivElement>(null);
  const typingSent = useRef(false);

  const load = useCallback(async () => {
    const { items } = await channelsApi.messages(interactionId);
    setMessages(items);
    setReceipts({
      delivered: Math.max(0, ...items.filter((m) => m.sender === 'agent' && m.deliveredAt).map((m) => m.seq)),
      read: Math.max(0, ...items.filter((m) => m.sender === 'agent' && m.readAt).map((m) => m.seq)),
    });
  }, [interactionId]);

  const onEvent = useCallback(
    (event: RealtimeEvent) => {
      const data = event.data as Record<string, unknown>;
      if (data?.interactionId !== interactionId) return;
      if (event.name === 'chat.message') {
        const m = data as unknown as ChatMessage;
        setMessages((list) => {
          if (list.some((x) => x.seq === m.seq)) return list;
          if (m.seq !== (list.at(-1)?.seq ?? 0) + 1) void load(); // a gap: read the conversation again
          return [...list, m].sort((a, b) => a.seq - b.seq);
        });
      } else if (event.name === 'chat.receipt' && data.by === 'customer') {
        const seq = data.seq as number;
        setReceipts((r) => ({ delivered: Math.max(r.delivered, seq), read: data.kind === 'read' ? Math.max(r.read, seq) : r.read }));
      } else if (event.name === 'chat.typing' && data.by === 'customer') setTyping(data.on as boolean);
      // `bot` after the agent's part: the visitor is answering the post-chat survey; for the agent the chat is over.
      else if (event.name === 'chat.status' && (data.status === 'ended' || data.status === 'bot')) {
        setEnded(true);
        setCall('idle');
      } else if (event.name === 'chat.call') {
        const state = data.state as ChatCallState;
        if (state === 'declined') void message.info(t('webchat.agent.callDeclined'));
        setCall(state === 'declined' || state === 'ended' ? 'idle' : state);
        if (state === 'ended') window.setTimeout(() => setCallsEnded((n) => n + 1), 1500); // stored a moment after the hang-up
      }
    },
    [interactionId, load, message, t],
  );
  const realtime = useRealtime(onEvent);

  useEffect(() => {
    realtime.subscribe(`chat:${interactionId}`);
  }, [realtime, interactionId]);
  // Read again whenever the socket (re)connects: what was pushed while it was down is in the database.
  useEffect(() => {
    if (realtime.connected) void load().catch(() => undefined);
  }, [realtime.connected, load]);
  useEffect(() => {
    if (chat.data?.status === 'ended') setEnded(true);
  }, [chat.data?.status]);
  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [messages.length]);

  // What the agent sees is read: tell the visitor.
  const lastCustomer = messages.filter((m) => m.sender === 'customer').at(-1)?.seq ?? 0;
  useEffect(() => {
    if (lastCustomer && !ended) void channelsApi.read(interactionId, lastCustomer).catch(() => undefined);
  }, [interactionId, lastCustomer, ended]);

  const send = async () => {
    if (!text.trim()) return;
    const body = text;
    setText('');
    typingSent.current = false;
    try {
      await channelsApi.send(interactionId, crypto.randomUUID(), body);
    } catch (err) {
      setText(body);
      void message.error(errorText(err, t));
    }
  };
  const receiptOf = (m: ChatMessage) => (m.seq <= receipts.read ? t('webchat.agent.read') : m.seq <= receipts.delivered ? t('webchat.agent.delivered') : t('webchat.agent.sent'));
  const info = chat.data;

  return (
    <Card
      title={
        <Space>
          <span>{info?.visitorName ?? ''}</span>
          {info?.verifiedUserId && <Tag color="blue">{t('webchat.agent.verified')}</Tag>}
          {ended && <Tag>{t('webchat.agent.ended')}</Tag>}
        </Space>
      }
      extra={
        <Space>
          {call !== 'idle' && (
            <Tag color={call === 'connected' ? 'green' : 'processing'} data-testid="chat-call-state" data-state={call}>
              {t(call === 'invited' ? 'webchat.agent.callInvited' : call === 'connected' ? 'webchat.agent.callConnected' : 'webchat.agent.callRinging')}
            </Tag>
          )}
          {call === 'idle' ? (
            <Button disabled={ended} onClick={() => void channelsApi.call(interactionId).then(() => setCall((c) => (c === 'idle' ? 'invited' : c)), (err: unknown) => message.error(errorText(err, t)))}>
              {t('webchat.agent.call')}
            </Button>
          ) : (
            <Button danger onClick={() => void channelsApi.hangupCall(interactionId).then(() => setCall('idle'), (err: unknown) => message.error(errorText(err, t)))}>
              {t('webchat.agent.callHangup')}
            </Button>
          )}
          <Button danger disabled={ended} onClick={() => void channelsApi.end(interactionId).catch((err: unknown) => message.error(errorText(err, t)))}>
            {t('webchat.agent.end')}
          </Button>
        </Space>
      }
    >
      {info && (
        <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
          {info.pageUrl && <Descriptions.Item label={t('webchat.agent.page')}>{info.pageUrl}</Descriptions.Item>}
          {info.referrer && <Descriptions.Item label={t('webchat.agent.referrer')}>{info.referrer}</Descriptions.Item>}
          {info.prechat.question && <Descriptions.Item label={t('webchat.agent.question')}>{info.prechat.question}</Descriptions.Item>}
          {Object.entries(info.prechat.context ?? {}).map(([k, v]) => (
            <Descriptions.Item key={k} label={k}>
              {v}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      <div ref={logRef} role="log" aria-label={info?.visitorName ?? ''} style={{ height: 360, overflowY: 'auto', background: '#f5f6f8', padding: 12, borderRadius: 8 }}>
        {messages.map((m) => (
          <div key={m.seq} data-seq={m.seq} className={`chat-msg chat-msg-${m.sender}`} style={{ display: 'flex', justifyContent: m.sender === 'agent' ? 'flex-end' : m.sender === 'system' ? 'center' : 'flex-start', marginBottom: 8 }}>
            <div style={{ maxWidth: '75%', background: m.sender === 'agent' ? '#1677ff' : m.sender === 'system' ? 'transparent' : '#fff', color: m.sender === 'agent' ? '#fff' : m.sender === 'system' ? '#888' : undefined, padding: '6px 10px', borderRadius: 8 }}>
              {m.body && <div style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{m.body}</div>}
              {m.attachment &&
                (m.attachment.contentType.startsWith('image/') ? (
                  <a href={channelsApi.attachmentUrl(interactionId, m.attachment.id)} target="_blank" rel="noopener noreferrer">
                    <img src={channelsApi.attachmentUrl(interactionId, m.attachment.id)} alt={m.attachment.fileName} style={{ maxWidth: 240, maxHeight: 240, display: 'block' }} />
                  </a>
                ) : (
                  <a href={channelsApi.attachmentUrl(interactionId, m.attachment.id)} download={m.attachment.fileName}>
                    {m.attachment.fileName}
                  </a>
                ))}
              {m.sender === 'agent' && <div style={{ fontSize: 11, opacity: 0.85, textAlign: 'right' }}>{receiptOf(m)}</div>}
            </div>
          </div>
        ))}
      </div>
      {!!recordings.data?.length && (
        <div data-testid="chat-recordings" style={{ marginTop: 8 }}>
          <span style={{ color: '#888', fontSize: 12, marginRight: 8 }}>{t('webchat.agent.recordings')}</span>
          {recordings.data.map((r) => (
            <audio key={r.id} controls preload="none" src={voiceApi.audioUrl(r.id)} aria-label={t('webchat.agent.recordings')} style={{ height: 32, verticalAlign: 'middle' }} />
          ))}
        </div>
      )}
      <div style={{ minHeight: 22, color: '#888', fontSize: 12 }}>{typing ? t('webchat.agent.typing') : ''}</div>
      <Space.Compact style={{ width: '100%' }}>
        <Input.TextArea
          value={text}
          disabled={ended}
          autoSize={{ minRows: 1, maxRows: 4 }}
          placeholder={t('webchat.agent.placeholder')}
          aria-label={t('webchat.agent.placeholder')}
          onChange={(e) => {
            setText(e.target.value);
            if (!typingSent.current) {
              typingSent.current = true;
              void realtime.request('chat.typing', { interactionId, on: true }).catch(() => undefined);
            }
          }}
          onPressEnter={(e) => {
            if (!e.shiftKey) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <Button type="primary" disabled={ended} onClick={() => void send()}>
          {t('webchat.agent.send')}
        </Button>
      </Space.Compact>
    </Card>
  );
}
