import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Card, Flex, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { agentApi, type AgentState, type AgentView } from './agent-api.ts';

const stateColor: Record<AgentState, string> = { offline: 'default', available: 'success', away: 'warning', busy: 'processing', acw: 'purple', missed: 'error' };

/** mm:ss (or h:mm:ss) since an instant, ticking every second. */
function useElapsed(since: string | null): string {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  if (!since) return '0:00';
  const s = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The agent's state: a selector (available, away with a reason, offline), time in state, the after-call-work
 * countdown with its extension, and whether the realtime connection is up (offers only reach a connected desk).
 */
export function StatusBar(props: { view: AgentView | undefined; connected: boolean; setState(state: 'available' | 'away' | 'offline', awayReasonId?: string): Promise<void>; children?: ReactNode }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const reasons = useQuery({ queryKey: ['desktop', 'away-reasons'], queryFn: agentApi.awayReasons });
  const elapsed = useElapsed(props.view?.since ?? null);
  const acwLeft = useCountdown(props.view?.acwEndsAt ?? null);
  const extend = useMutation({
    mutationFn: () => agentApi.extendAcw(60),
    onSuccess: (view) => queryClient.setQueryData(['desktop', 'me'], view),
    onError: (e) => void message.error(errorText(e, t)),
  });
  const state = props.view?.state ?? 'offline';
  const value = state === 'away' && props.view?.awayReasonId ? `away:${props.view.awayReasonId}` : state === 'away' || state === 'offline' || state === 'available' ? state : undefined;
  const choose = (v: string) => {
    const [next, reason] = v.split(':') as ['available' | 'away' | 'offline', string | undefined];
    props.setState(next, reason).catch((e: unknown) => void message.error(errorText(e, t)));
  };

  return (
    <Card size="small" style={{ marginBottom: 16 }}>
      <Flex align="center" gap={16} wrap>
        <Tag color={stateColor[state]} style={{ fontSize: 14, padding: '4px 10px' }} data-testid="agent-state">
          {t('desktop.stateFor', { state: t(`desktop.state.${state}`), time: elapsed })}
        </Tag>
        <Select
          style={{ minWidth: 200 }}
          value={value}
          placeholder={t(`desktop.state.${state}`)}
          onChange={choose}
          aria-label={t('desktop.stateSelect')}
          options={[
            { value: 'available', label: t('desktop.state.available') },
            ...(reasons.data ?? []).map((r) => ({ value: `away:${r.id}`, label: `${t('desktop.state.away')} · ${r.name}` })),
            { value: 'away', label: t('desktop.state.away') },
            { value: 'offline', label: t('desktop.state.offline') },
          ]}
        />
        {state === 'acw' && acwLeft !== null && (
          <Space>
            <Typography.Text>{t('desktop.acwLeft', { seconds: acwLeft })}</Typography.Text>
            <Button size="small" onClick={() => extend.mutate()} loading={extend.isPending}>
              {t('desktop.extendAcw')}
            </Button>
          </Space>
        )}
        <span style={{ marginLeft: 'auto' }}>
          <Badge status={props.connected ? 'success' : 'error'} text={props.connected ? t('desktop.connected') : t('desktop.reconnecting')} />
        </span>
      </Flex>
      {props.children && <div style={{ marginTop: 8 }}>{props.children}</div>}
    </Card>
  );
}

/** Whole seconds until an instant (null when there is none), ticking every second. */
export function useCountdown(until: string | number | null): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (until === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, [until]);
  if (until === null) return null;
  const end = typeof until === 'number' ? until : new Date(until).getTime();
  return Math.max(0, Math.ceil((end - now) / 1000));
}
