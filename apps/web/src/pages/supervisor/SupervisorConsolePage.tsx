import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Card, Progress, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import type { AgentState } from '../agent/agent-api.ts';
import { agentApi } from '../agent/agent-api.ts';
import { useRealtime, type RealtimeEvent } from '../../realtime/realtime.tsx';
import { SoftphonePanel } from '../agent/SoftphonePanel.tsx';
import { useSoftphone } from '../agent/use-softphone.ts';
import { LiveCalls } from './LiveCalls.tsx';
import { supervisorApi, type AgentRow, type QueueStats, type QueueSummary } from './supervisor-api.ts';

const stateColor: Record<AgentState, string> = { offline: 'default', available: 'success', away: 'warning', busy: 'processing', acw: 'purple', missed: 'error' };

/** 0:42 or 1:02:03. */
export function clock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The live board: every queue's statistics pushed by routing each second (waiting, longest wait, service level,
 * offered/answered/abandoned, handle time, agents by state) and every agent's state with time in state; a supervisor
 * changes an agent's state from here.
 */
export default function SupervisorConsolePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [stats, setStats] = useState<Record<string, QueueStats>>({});
  const queues = useQuery({ queryKey: ['supervisor', 'queues'], queryFn: supervisorApi.queues });
  const agents = useQuery({ queryKey: ['supervisor', 'agents'], queryFn: supervisorApi.agents, refetchInterval: 5000 });
  const reasons = useQuery({ queryKey: ['desktop', 'away-reasons'], queryFn: agentApi.awayReasons });
  const [now, setNow] = useState(Date.now());

  const onEvent = useCallback(
    (event: RealtimeEvent) => {
      if (event.name === 'queue.stats') {
        const s = event.data as QueueStats;
        setStats((all) => ({ ...all, [s.queueId]: s }));
      } else if (event.name === 'agent.state') {
        void queryClient.invalidateQueries({ queryKey: ['supervisor', 'agents'] });
      }
    },
    [queryClient],
  );
  const realtime = useRealtime(onEvent);
  // The supervisor's browser phone answers by itself: it rings only when the supervisor asked to monitor a call.
  const softphone = useSoftphone(realtime, { autoAnswer: true });

  // Subscribe to every queue's statistics (re-subscribed by the socket after a reconnect); the first figures are
  // read at once so that the board is not empty for a second.
  useEffect(() => {
    for (const q of queues.data ?? []) {
      realtime.subscribe(`queue-stats:${q.id}`);
      void supervisorApi.queueStats(q.id).then((s) => setStats((all) => (all[q.id] ? all : { ...all, [q.id]: s }))).catch(() => undefined);
    }
    realtime.subscribe('agent-stats:*');
  }, [queues.data, realtime]);

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);

  const change = useMutation({
    mutationFn: (v: { userId: string; choice: string }) => {
      const [state, reason] = v.choice.split(':') as ['available' | 'away' | 'offline', string | undefined];
      return supervisorApi.setAgentState(v.userId, state, reason);
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['supervisor', 'agents'] }),
    onError: (e) => void message.error(errorText(e, t)),
  });

  const queueRows = (queues.data ?? []).map((q) => ({ queue: q, stats: stats[q.id] }));
  return (
    <>
      <PageHeader
        title={t('supervisor.title')}
        subtitle={t('board.subtitle')}
        extra={<Badge status={realtime.connected ? 'success' : 'error'} text={realtime.connected ? t('board.live') : t('board.reconnecting')} />}
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <SoftphonePanel phone={softphone} />
      </Card>
      <LiveCalls agentNames={new Map((agents.data ?? []).map((a) => [a.userId, a.name]))} phoneReady={softphone.state !== 'unregistered'} />
      <Card size="small" title={t('board.queues')} style={{ marginBottom: 16 }}>
        <Table<{ queue: QueueSummary; stats: QueueStats | undefined }>
          rowKey={(r) => r.queue.id}
          size="small"
          pagination={false}
          loading={queues.isLoading}
          dataSource={queueRows}
          data-testid="queue-board"
          columns={[
            { title: t('board.queue'), render: (_, r) => <Typography.Text strong>{r.queue.name}</Typography.Text> },
            { title: t('board.waiting'), align: 'right', render: (_, r) => <span data-testid={`waiting-${r.queue.name}`}>{r.stats?.waiting ?? '—'}</span> },
            {
              title: t('board.longestWait'),
              align: 'right',
              render: (_, r) => {
                const s = r.stats?.longestWaitSeconds;
                const late = s !== undefined && s > r.queue.serviceLevelSeconds;
                return <Typography.Text type={late ? 'danger' : undefined}>{clock(s)}</Typography.Text>;
              },
            },
            {
              title: t('board.serviceLevel'),
              render: (_, r) => {
                const sl = r.stats?.serviceLevelToday;
                const target = t('board.target', { percent: Math.round(r.queue.serviceLevelTarget * 100), seconds: r.queue.serviceLevelSeconds });
                if (sl === null || sl === undefined) return <Typography.Text type="secondary">{target}</Typography.Text>;
                const ok = sl >= r.queue.serviceLevelTarget;
                return (
                  <Tooltip title={target}>
                    <Progress percent={Math.round(sl * 100)} size="small" status={ok ? 'success' : 'exception'} style={{ minWidth: 110 }} />
                  </Tooltip>
                );
              },
            },
            { title: t('board.offered'), align: 'right', render: (_, r) => r.stats?.offeredToday ?? '—' },
            { title: t('board.answered'), align: 'right', render: (_, r) => r.stats?.answeredToday ?? '—' },
            { title: t('board.abandoned'), align: 'right', render: (_, r) => r.stats?.abandonedToday ?? '—' },
            { title: t('board.aht'), align: 'right', render: (_, r) => clock(r.stats?.averageHandleSeconds) },
            { title: t('board.ewt'), align: 'right', render: (_, r) => clock(r.stats?.estimatedWaitSeconds) },
            {
              title: t('board.agents'),
              render: (_, r) => (
                <Space size={4} wrap>
                  {(['available', 'busy', 'acw', 'away'] as const).map((s) =>
                    r.stats?.agentsByState[s] ? (
                      <Tag key={s} color={stateColor[s]}>
                        {t(`desktop.state.${s}`)} {r.stats.agentsByState[s]}
                      </Tag>
                    ) : null,
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('board.agentsTitle')}>
        <Table<AgentRow>
          rowKey="userId"
          size="small"
          pagination={false}
          loading={agents.isLoading}
          dataSource={agents.data ?? []}
          data-testid="agent-board"
          columns={[
            { title: t('board.agent'), dataIndex: 'name' },
            {
              title: t('board.state'),
              render: (_, a) => (
                <Tag color={stateColor[a.state]} data-testid={`state-${a.name}`}>
                  {t(`desktop.state.${a.state}`)} · {clock((now - new Date(a.since).getTime()) / 1000)}
                </Tag>
              ),
            },
            { title: t('board.work'), align: 'right', render: (_, a) => a.tasks.length },
            { title: t('board.queuesOf'), align: 'right', render: (_, a) => a.queues.length },
            {
              title: t('board.changeState'),
              render: (_, a) => (
                <Select
                  size="small"
                  style={{ minWidth: 160 }}
                  aria-label={t('board.changeStateOf', { name: a.name })}
                  placeholder={t('board.changeState')}
                  value={null}
                  onChange={(choice: string) => change.mutate({ userId: a.userId, choice })}
                  options={[
                    { value: 'available', label: t('desktop.state.available') },
                    ...(reasons.data ?? []).map((r) => ({ value: `away:${r.id}`, label: `${t('desktop.state.away')} · ${r.name}` })),
                    { value: 'away', label: t('desktop.state.away') },
                    { value: 'offline', label: t('desktop.state.offline') },
                  ]}
                />
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}

