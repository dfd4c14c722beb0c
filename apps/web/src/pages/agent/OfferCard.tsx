import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Progress, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { agentApi, type Offer } from './agent-api.ts';
import { ContactCard } from './ContactCard.tsx';
import { useCountdown } from './StatusBar.tsx';

/** An offer with its screen pop, shown before the agent answers; it withdraws itself when its time is up. */
export function OfferCard(props: { offer: Offer; onAccept(): void; onReject(): void; busy: boolean }) {
  const { t } = useTranslation();
  const left = useCountdown(props.offer.expiresAt) ?? 0;
  const total = Math.max(1, Math.round((props.offer.expiresAt - Date.now()) / 1000) + 1);
  // The offer event carries the routing attributes; the task read adds who the customer is on the channel (a
  // caller's number lives on the voice interaction).
  const task = useQuery({ queryKey: ['desktop', 'task', props.offer.taskId], queryFn: () => agentApi.task(props.offer.taskId), retry: false });
  return (
    <Card
      size="small"
      data-testid="offer"
      data-offer-id={props.offer.offerId}
      style={{ borderColor: '#1677ff', boxShadow: '0 0 0 2px rgba(22,119,255,.15)' }}
      title={
        <Space>
          <Tag color="blue">{t(`desktop.channel.${props.offer.channel}`, { defaultValue: props.offer.channel })}</Tag>
          <span>{t('desktop.offerFrom', { queue: props.offer.queueName })}</span>
        </Space>
      }
    >
      {task.isLoading ? null : (
        <ContactCard contactId={props.offer.contactId ?? task.data?.contactId ?? null} attributes={props.offer.attributes} customerAddress={task.data?.customerAddress ?? null} compact />
      )}
      <Progress percent={Math.min(100, (left / total) * 100)} showInfo={false} size="small" />
      <Typography.Text type="secondary">{t('desktop.expiresIn', { seconds: left })}</Typography.Text>
      <Flex gap={8} style={{ marginTop: 8 }}>
        <Button type="primary" icon={<CheckOutlined />} onClick={props.onAccept} loading={props.busy} title={t('desktop.acceptHint')}>
          {t('desktop.accept')}
        </Button>
        <Button danger icon={<CloseOutlined />} onClick={props.onReject} disabled={props.busy}>
          {t('desktop.reject')}
        </Button>
      </Flex>
    </Card>
  );
}
