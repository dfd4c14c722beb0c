import { AudioOutlined, EyeOutlined, SoundOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Space, Table, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client.ts';
import { errorText } from '../../components/errors.ts';
import { formatDateTime } from '../../components/format.ts';

interface LiveCall {
  id: string;
  from: string;
  to: string;
  agentId: string | null;
  answeredAt: string | null;
}

type Mode = 'listen' | 'whisper' | 'barge';

/**
 * Live calls with an agent, and the supervisor's ways in: listen (heard by nobody), whisper (heard by the agent
 * only) and barge (heard by both). The supervisor's browser phone (or desk phone) rings and joins; asking again
 * switches the mode; hanging up the browser phone leaves.
 */
export function LiveCalls(props: { agentNames: Map<string, string>; phoneReady: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const calls = useQuery({
    queryKey: ['supervisor', 'live-calls'],
    queryFn: () => http.get<{ items: LiveCall[] }>('/api/v1/interactions', { state: 'live', channel: 'voice', limit: 100 }),
    refetchInterval: 3000,
  });
  const monitor = useMutation({
    mutationFn: (v: { id: string; mode: Mode }) => http.post<{ monitoring?: { userId: string; mode: Mode }[] }>(`/api/v1/interactions/${encodeURIComponent(v.id)}/voice/monitor`, { mode: v.mode }),
    onSuccess: (_r, v) => void message.success(t(`board.monitor.joined.${v.mode}`)),
    onError: (e) => void message.error(errorText(e, t)),
  });
  const items = (calls.data?.items ?? []).filter((c) => c.agentId && c.answeredAt);
  const button = (id: string, mode: Mode, icon: React.ReactNode) => (
    <Tooltip title={t(`board.monitor.hint.${mode}`)}>
      <Button size="small" icon={icon} loading={monitor.isPending && monitor.variables?.id === id && monitor.variables.mode === mode} onClick={() => monitor.mutate({ id, mode })}>
        {t(`board.monitor.${mode}`)}
      </Button>
    </Tooltip>
  );
  return (
    <Card size="small" title={t('board.monitor.title')} style={{ marginBottom: 16 }} extra={!props.phoneReady && <Tag color="warning">{t('board.monitor.noPhone')}</Tag>}>
      <Table<LiveCall>
        rowKey="id"
        size="small"
        pagination={false}
        loading={calls.isLoading}
        dataSource={items}
        data-testid="live-calls"
        locale={{ emptyText: t('board.monitor.none') }}
        columns={[
          { title: t('board.monitor.caller'), dataIndex: 'from' },
          { title: t('board.monitor.number'), dataIndex: 'to' },
          { title: t('board.agent'), render: (_, c) => props.agentNames.get(c.agentId!) ?? '—' },
          { title: t('board.monitor.since'), render: (_, c) => formatDateTime(c.answeredAt) },
          {
            title: '',
            render: (_, c) => (
              <Space>
                {button(c.id, 'listen', <EyeOutlined />)}
                {button(c.id, 'whisper', <AudioOutlined />)}
                {button(c.id, 'barge', <SoundOutlined />)}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}
