import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Card, Col, Descriptions, Empty, List, Row, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useRealtime, type RealtimeEvent } from '../../realtime/realtime.tsx';
import { KnowledgePanel } from '../kb/KnowledgePanel.tsx';
import { agentApi, type AgentView, type DeskTask, type Offer } from './agent-api.ts';
import { CallControls } from './CallControls.tsx';
import { ChatConversation } from '../channels/ChatConversation.tsx';
import { ContactCard } from './ContactCard.tsx';
import { notify, ring } from './ring.ts';
import { OfferCard } from './OfferCard.tsx';
import { SoftphonePanel } from './SoftphonePanel.tsx';
import { StatusBar } from './StatusBar.tsx';
import { useSoftphone } from './use-softphone.ts';
import { WrapupForm } from './WrapupForm.tsx';

const SHOWN_ATTRIBUTES = ['from', 'to', 'subject', 'ivrPath', 'digits', 'page', 'language'] as const;

/**
 * The agent desktop: state, offers with their screen pop, the work on the agent's desk with its wrap-up, and the
 * knowledge panel beside it. Offers and state changes arrive on the realtime WebSocket; the desk is read from the
 * server so that a reload or a second tab shows the same thing.
 */
export default function AgentDesktopPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [offers, setOffers] = useState<Offer[]>([]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [answering, setAnswering] = useState<string | null>(null);
  const me = useQuery({ queryKey: ['desktop', 'me'], queryFn: agentApi.me, refetchInterval: 30_000 });
  const work = useQuery({ queryKey: ['desktop', 'work'], queryFn: agentApi.work, refetchInterval: 30_000 });

  const onEvent = useCallback(
    (event: RealtimeEvent) => {
      if (event.name === 'offer') {
        const offer = event.data as Offer;
        setOffers((list) => (list.some((o) => o.offerId === offer.offerId) ? list : [...list, offer]));
        ring();
        notify(t('desktop.offers'), t('desktop.offerFrom', { queue: offer.queueName }));
      } else if (event.name === 'offer.revoked') {
        const { offerId } = event.data as { offerId: string };
        setOffers((list) => list.filter((o) => o.offerId !== offerId));
        void queryClient.invalidateQueries({ queryKey: ['desktop', 'work'] });
      } else if (event.name === 'agent.state') {
        const data = event.data as { state: AgentView['state']; since: string; acwEndsAt: string | null; reason: string | null };
        queryClient.setQueryData<AgentView>(['desktop', 'me'], (view) => (view ? { ...view, state: data.state, since: data.since, acwEndsAt: data.acwEndsAt } : view));
        void queryClient.invalidateQueries({ queryKey: ['desktop', 'me'] });
        void queryClient.invalidateQueries({ queryKey: ['desktop', 'work'] });
      }
    },
    [queryClient, t],
  );
  const realtime = useRealtime(onEvent);
  const softphone = useSoftphone(realtime);

  // After a (re)connect, offers that were made while the page was away are read back from the router.
  useEffect(() => {
    if (!realtime.connected) return;
    void (async () => {
      const view = await agentApi.me();
      queryClient.setQueryData(['desktop', 'me'], view);
      const open = await Promise.all(
        view.offers.map(async (o) => {
          const task = await agentApi.task(o.taskId).catch(() => null);
          return task ? { offerId: o.offerId, taskId: o.taskId, expiresAt: o.expiresAt, queueId: task.queueId, queueName: task.queueName, channel: task.channel, attributes: task.attributes, contactId: task.contactId } : null;
        }),
      );
      setOffers((list) => [...list, ...open.filter((o): o is Offer => o !== null && !list.some((l) => l.offerId === o.offerId))]);
    })().catch(() => undefined);
  }, [realtime.connected, queryClient]);

  // Offers withdraw themselves at their deadline even if the revocation is late.
  useEffect(() => {
    const timer = window.setInterval(() => setOffers((list) => list.filter((o) => o.expiresAt > Date.now() - 1000)), 1000);
    return () => window.clearInterval(timer);
  }, []);

  const setState = async (state: 'available' | 'away' | 'offline', awayReasonId?: string) => {
    const view = (await realtime.request('agent.set_state', { state, ...(awayReasonId ? { awayReasonId } : {}) })) as AgentView;
    queryClient.setQueryData(['desktop', 'me'], view);
  };

  const answer = async (offer: Offer, accept: boolean) => {
    setAnswering(offer.offerId);
    try {
      // A call ringing in the browser is answered there: the voice service then takes the offer for this agent.
      if (offer.channel === 'voice' && softphone.state === 'ringing') {
        if (accept) await softphone.answer();
        else {
          await softphone.reject();
          await realtime.request('offer.reject', { offerId: offer.offerId });
        }
      } else await realtime.request(accept ? 'offer.accept' : 'offer.reject', { offerId: offer.offerId });
      if (accept) setSelectedId(offer.taskId);
    } catch (e) {
      void message.error(errorText(e, t));
    } finally {
      setAnswering(null);
      setOffers((list) => list.filter((o) => o.offerId !== offer.offerId));
      void queryClient.invalidateQueries({ queryKey: ['desktop', 'work'] });
      void queryClient.invalidateQueries({ queryKey: ['desktop', 'me'] });
    }
  };

  // Keyboard: Alt+A accepts the oldest offer, Alt+R rejects it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || openOffers.length === 0 || answering) return;
      const key = e.key.toLowerCase();
      if (key === 'a' || key === 'r') {
        e.preventDefault();
        void answer(openOffers[0]!, key === 'a');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const items = work.data?.items ?? [];
  const selected = items.find((i) => i.id === selectedId) ?? items[0];
  // An offer answered elsewhere (the agent's desk phone picked up) is on the desk now, not an offer any more.
  const openOffers = offers.filter((o) => !items.some((i) => i.id === o.taskId));

  return (
    <>
      <PageHeader title={t('agent.title')} subtitle={t('desktop.subtitle')} />
      <StatusBar view={me.data} connected={realtime.connected} setState={setState}>
        <SoftphonePanel phone={softphone} />
      </StatusBar>
      <Row gutter={16}>
        <Col xs={24} lg={7}>
          <Space direction="vertical" style={{ width: '100%' }}>
            {openOffers.map((offer) => (
              <OfferCard key={offer.offerId} offer={offer} busy={answering === offer.offerId} onAccept={() => void answer(offer, true)} onReject={() => void answer(offer, false)} />
            ))}
            <Card size="small" title={t('desktop.work')}>
              {items.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('desktop.noWork')} />
              ) : (
                <List
                  size="small"
                  dataSource={items}
                  renderItem={(task) => (
                    <List.Item
                      data-testid="desk-item"
                      onClick={() => setSelectedId(task.id)}
                      style={{ cursor: 'pointer', background: task.id === selected?.id ? 'rgba(22,119,255,.08)' : undefined, paddingInline: 8 }}
                    >
                      <Space direction="vertical" size={0}>
                        <Space>
                          <Tag>{t(`desktop.channel.${task.channel}`, { defaultValue: task.channel })}</Tag>
                          <Typography.Text strong>{task.queueName}</Typography.Text>
                        </Space>
                        <Typography.Text type="secondary">{formatDateTime(task.assignedAt)}</Typography.Text>
                      </Space>
                      <Tag color={task.status === 'assigned' ? 'processing' : 'warning'}>
                        {task.status === 'assigned' ? t('desktop.inProgress') : t('desktop.waitingWrapup')}
                      </Tag>
                    </List.Item>
                  )}
                />
              )}
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={10}>
          {selected ? <TaskPanel task={selected} /> : <Card><Empty description={t('desktop.noWork')} /></Card>}
        </Col>
        <Col xs={24} lg={7}>
          <Card size="small" title={t('desktop.knowledge')}>
            <KnowledgePanel {...(selected?.interactionId ? { interactionId: selected.interactionId } : {})} context={contextOf(selected)} />
          </Card>
        </Col>
      </Row>
    </>
  );
}

/** What the knowledge panel suggests from before anything is typed: the task's subject, as the customer put it. */
function contextOf(task: DeskTask | undefined): { from: 'customer'; text: string }[] {
  const subject = task?.attributes.subject;
  return typeof subject === 'string' && subject.trim() !== '' ? [{ from: 'customer', text: subject }] : [];
}

function TaskPanel(props: { task: DeskTask }) {
  const { t } = useTranslation();
  const shown = SHOWN_ATTRIBUTES.filter((key) => props.task.attributes[key] !== undefined && props.task.attributes[key] !== '');
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {props.task.channel === 'voice' && props.task.status === 'assigned' && props.task.interactionId && (
        <Card size="small" title={t('desktop.call.title')}>
          <CallControls interactionId={props.task.interactionId} />
        </Card>
      )}
      {props.task.channel === 'chat' && props.task.status === 'assigned' && props.task.interactionId && (
        <Card size="small" title={t('desktop.conversation')} data-testid="desk-chat">
          <ChatConversation interactionId={props.task.interactionId} />
        </Card>
      )}
      <Card size="small" title={t('desktop.contact')}>
        <ContactCard contactId={props.task.contactId} attributes={props.task.attributes} customerAddress={props.task.customerAddress} />
      </Card>
      {shown.length > 0 && (
        <Card size="small" title={t('desktop.details')}>
          <Descriptions column={1} size="small">
            {shown.map((key) => {
              const value = props.task.attributes[key];
              return (
                <Descriptions.Item key={key} label={t(`desktop.attributes.${key}`)}>
                  {Array.isArray(value) ? value.join(' → ') : String(value)}
                </Descriptions.Item>
              );
            })}
          </Descriptions>
        </Card>
      )}
      <Card size="small" title={t('desktop.wrapup.title')}>
        <WrapupForm key={props.task.id} task={props.task} />
      </Card>
    </Space>
  );
}
