import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Table, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { voiceApi, type Call, type Extension, type Registration, type Trunk, type VoiceNumber } from './voice-api.ts';

/** A call's recordings as audio players (streamed with range requests; every playback is audited). */
function CallRecordings({ call }: { call: Call }) {
  const { t } = useTranslation();
  const recordings = useQuery({ queryKey: ['voice', 'recordings', call.id], queryFn: () => voiceApi.recordings(call.id) });
  if (recordings.isLoading) return null;
  if (!recordings.data?.length) return <Typography.Text type="secondary">{t('voice.noRecording')}</Typography.Text>;
  return (
    <>
      {recordings.data.map((r) => (
        <div key={r.id} style={{ marginBottom: 8 }}>
          <Tag>{t(`voice.recordingState.${r.state}` as 'voice.recordingState.stored', { defaultValue: r.state })}</Tag>
          <audio controls preload="none" src={voiceApi.audioUrl(r.id)} aria-label={t('voice.recording')} />
        </div>
      ))}
    </>
  );
}

/** Telephony: recent calls with their recordings, extensions with their SIP passwords, numbers, trunks, phones online. */
export default function TelephonyPage() {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: ['voice', 'settings'], queryFn: voiceApi.settings });
  const calls = useQuery({ queryKey: ['voice', 'calls'], queryFn: voiceApi.calls, refetchInterval: 5000 });
  const extensions = useQuery({ queryKey: ['voice', 'extensions'], queryFn: voiceApi.extensions });
  const numbers = useQuery({ queryKey: ['voice', 'numbers'], queryFn: voiceApi.numbers });
  const trunks = useQuery({ queryKey: ['voice', 'trunks'], queryFn: voiceApi.trunks });
  const registrations = useQuery({ queryKey: ['voice', 'registrations'], queryFn: voiceApi.registrations, refetchInterval: 5000 });
  const online = new Set((registrations.data ?? []).map((r) => r.extension));

  const callColumns: ColumnsType<Call> = [
    { title: t('voice.arrived'), dataIndex: 'arrivedAt', render: (v: string) => new Date(v).toLocaleString() },
    { title: t('voice.from'), dataIndex: 'from' },
    { title: t('voice.to'), dataIndex: 'to' },
    { title: t('voice.state'), dataIndex: 'state', render: (v: Call['state']) => <Tag color={v === 'live' ? 'green' : undefined}>{t(`voice.states.${v}`)}</Tag> },
    { title: t('voice.talk'), dataIndex: 'talkMs', render: (v: number | null) => (v === null ? '—' : `${Math.round(v / 1000)} s`) },
    { title: t('voice.hangupBy'), dataIndex: 'hangupBy', render: (v: string | null) => v ?? '—' },
    { title: t('voice.endReason'), dataIndex: 'endReason', render: (v: string | null) => v ?? '—' },
    { title: 'MOS', key: 'mos', render: (_, c) => (c.quality.mos === null ? '—' : c.quality.mos.toFixed(2)) },
  ];
  const extensionColumns: ColumnsType<Extension> = [
    { title: t('voice.extension'), dataIndex: 'extension', render: (v: string) => <strong>{v}</strong> },
    { title: t('voice.password'), dataIndex: 'password', render: (v: string) => <Typography.Text code copyable>{v}</Typography.Text> },
    { title: t('voice.phone'), key: 'online', render: (_, e) => (online.has(e.extension) ? <Tag color="green">{t('voice.online')}</Tag> : <Tag>{t('voice.offline')}</Tag>) },
    { title: t('voice.enabled'), dataIndex: 'enabled', render: (v: boolean) => (v ? '✓' : '—') },
  ];
  const numberColumns: ColumnsType<VoiceNumber> = [
    { title: t('voice.number'), dataIndex: 'number', render: (v: string) => <strong>{v}</strong> },
    { title: t('voice.name'), dataIndex: 'name' },
  ];
  const trunkColumns: ColumnsType<Trunk> = [
    { title: t('voice.name'), dataIndex: 'name' },
    { title: t('voice.kind'), dataIndex: 'kind', render: (v: Trunk['kind']) => t(`voice.kinds.${v}`) },
    { title: t('voice.addresses'), key: 'addr', render: (_, tr) => (tr.kind === 'register' ? `${tr.host}:${tr.port}` : tr.inboundAddresses.join(', ')) },
    { title: t('voice.enabled'), dataIndex: 'enabled', render: (v: boolean) => (v ? '✓' : '—') },
  ];
  const registrationColumns: ColumnsType<Registration> = [
    { title: t('voice.extension'), dataIndex: 'extension' },
    { title: t('voice.contact'), dataIndex: 'contact' },
    { title: t('voice.transport'), dataIndex: 'transport' },
    { title: t('voice.expires'), dataIndex: 'expiresAt', render: (v: string) => new Date(v).toLocaleTimeString() },
  ];
  const table = <T extends object>(rowKey: string, columns: ColumnsType<T>, q: { data?: T[]; isLoading: boolean; isError: boolean; error: unknown }) => (
    <Card styles={{ body: { padding: 0 } }}>
      <Table<T> rowKey={rowKey} size="middle" columns={columns} dataSource={q.data ?? []} loading={q.isLoading} scroll={{ x: 700 }}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: q.isError ? errorText(q.error, t) : t('voice.empty') }} />
    </Card>
  );

  return (
    <>
      <PageHeader title={t('voice.title')} subtitle={t('voice.subtitle')} />
      <Descriptions size="small" style={{ marginBottom: 16 }} items={[
        { key: 'domain', label: t('voice.sipDomain'), children: settings.data?.sipDomain ?? '—' },
        { key: 'port', label: t('voice.sipPort'), children: settings.data?.sipPort ?? t('voice.sipDown') },
      ]} />
      <Tabs items={[
        {
          key: 'calls', label: t('voice.calls'),
          children: (
            <Card styles={{ body: { padding: 0 } }}>
              <Table<Call> rowKey="id" size="middle" columns={callColumns} dataSource={calls.data?.items ?? []} loading={calls.isLoading} scroll={{ x: 900 }}
                expandable={{ expandedRowRender: (c) => <CallRecordings call={c} /> }}
                pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
                locale={{ emptyText: calls.isError ? errorText(calls.error, t) : t('voice.noCalls') }} />
            </Card>
          ),
        },
        { key: 'extensions', label: t('voice.extensions'), children: table('id', extensionColumns, extensions) },
        { key: 'numbers', label: t('voice.numbers'), children: table('id', numberColumns, numbers) },
        { key: 'trunks', label: t('voice.trunks'), children: table('id', trunkColumns, trunks) },
        { key: 'phones', label: t('voice.phones'), children: table('contact', registrationColumns, registrations) },
      ]} />
    </>
  );
}
