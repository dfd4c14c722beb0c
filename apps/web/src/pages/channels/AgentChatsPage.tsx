import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Empty, Flex, List, Space, Switch, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRealtime, type RealtimeEvent } from '../../realtime/realtime.tsx';
import { channelsApi } from './channels-api.ts';
import { ChatConversation } from './ChatConversation.tsx';

interface Offer {
  offerId: string;
  channel: string;
  queueName: string;
  attributes: Record<string, unknown>;
}

/**
 * The agent's minimal chat panel (the agent desktop embeds ChatConversation itself): go available, accept chats
 * offered by routing, and work the chats one holds.
 */
export default function AgentChatsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [available, setAvailable] = useState(false);
  const [offers, setOffers] = useState<Offer[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const chats = useQuery({ queryKey: ['webchat', 'mine'], queryFn: channelsApi.myChats });

  const onEvent = useCallback(
    (event: RealtimeEvent) => {
      const data = event.data as Record<string, unknown>;
      if (event.name === 'offer' && data.channel === 'chat') setOffers((list) => [...list.filter((o) => o.offerId !== data.offerId), data as unknown as Offer]);
      else if (event.name === 'offer.revoked') setOffers((list) => list.filter((o) => o.offerId !== data.offerId));
      else if (event.name === 'chat.assigned') {
        void queryClient.invalidateQueries({ queryKey: ['webchat', 'mine'] });
        setSelected(data.interactionId as string);
      } else if (event.name === 'agent.state') setAvailable(data.state === 'available');
    },
    [queryClient],
  );
  const realtime = useRealtime(onEvent);

  useEffect(() => {
    if (!selected && chats.data?.[0]) setSelected(chats.data[0].interactionId);
  }, [chats.data, selected]);

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
                </List.Item>
              )}
            />
          </Card>
        </Space>
        <div style={{ flex: 1, minWidth: 0 }}>
          {selected ? (
            <ChatConversation key={selected} interactionId={selected} />
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
