import {
  AudioMutedOutlined, AudioOutlined, NumberOutlined, PauseCircleOutlined, PhoneOutlined, PlayCircleOutlined,
  SwapOutlined, TeamOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Flex, Input, Modal, Popover, Radio, Select, Space, Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { useRealtime } from '../../realtime/realtime.tsx';
import { callApi, type CallAction, type CallState, type TransferTarget } from './call-api.ts';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/**
 * Controls of the agent's live call, whatever the agent talks on (browser or desk phone): hold with music, mute,
 * recording pause for card data, keypad, blind transfer, consultation (then complete or cancel) and hang-up.
 * Alt+H holds or resumes, Alt+M mutes, Alt+X hangs up.
 */
export function CallControls(props: { interactionId: string }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const key = ['desktop', 'call', props.interactionId];
  // Changes made from any desk (this one, a supervisor's) are pushed on `call:<id>`; the slow poll catches what
  // happens at the far end (a consulted colleague hanging up) and covers a socket that is down.
  const realtime = useRealtime((event) => {
    if (event.name === 'call.state' && event.topic === `call:${props.interactionId}`) queryClient.setQueryData(key, event.data as CallState);
  });
  useEffect(() => realtime.subscribe(`call:${props.interactionId}`), [realtime, props.interactionId]);
  const state = useQuery({ queryKey: key, queryFn: () => callApi.state(props.interactionId), refetchInterval: realtime.connected ? 10_000 : 3000, retry: false });
  const [dialog, setDialog] = useState<'transfer' | 'consult' | null>(null);
  const run = useMutation({
    mutationFn: (fn: () => Promise<CallState>) => fn(),
    onSuccess: (s) => queryClient.setQueryData(key, s),
    onError: (e) => void message.error(errorText(e, t)),
  });
  const act = (action: CallAction) => run.mutate(() => callApi.act(props.interactionId, action));
  const call = state.data;

  useEffect(() => {
    if (!call) return;
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const k = e.key.toLowerCase();
      if (k === 'h') act(call.onHold ? 'unhold' : 'hold');
      else if (k === 'm') act(call.muted ? 'unmute' : 'mute');
      else if (k === 'x') confirmHangup();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const confirmHangup = () =>
    void modal.confirm({ title: t('desktop.call.hangupConfirm'), okButtonProps: { danger: true }, okText: t('desktop.call.hangup'), onOk: () => act('hangup') });

  if (state.isError) return <Tag>{t('desktop.call.notLive')}</Tag>;
  if (!call) return null;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="call-controls">
      <Space wrap>
        {call.onHold && <Tag color="orange">{t('desktop.call.onHold')}</Tag>}
        {call.muted && <Tag color="red">{t('desktop.call.muted')}</Tag>}
        {call.recording && <Tag color="green">{t('desktop.call.recording')}</Tag>}
        {call.consulting && <Tag color="blue">{t('desktop.call.consulting')}</Tag>}
      </Space>
      <Flex wrap gap={8}>
        <Tooltip title="Alt+H">
          <Button icon={call.onHold ? <PlayCircleOutlined /> : <PauseCircleOutlined />} onClick={() => act(call.onHold ? 'unhold' : 'hold')}>
            {call.onHold ? t('desktop.call.resume') : t('desktop.call.hold')}
          </Button>
        </Tooltip>
        <Tooltip title="Alt+M">
          <Button icon={call.muted ? <AudioOutlined /> : <AudioMutedOutlined />} onClick={() => act(call.muted ? 'unmute' : 'mute')}>
            {call.muted ? t('desktop.call.unmute') : t('desktop.call.mute')}
          </Button>
        </Tooltip>
        {call.recording && (
          <Button onClick={() => act('recording/pause')}>{t('desktop.call.pauseRecording')}</Button>
        )}
        {!call.recording && <Button onClick={() => act('recording/resume')}>{t('desktop.call.resumeRecording')}</Button>}
        <Popover trigger="click" content={<Keypad onKey={(d) => run.mutate(() => callApi.dtmf(props.interactionId, d))} />}>
          <Button icon={<NumberOutlined />}>{t('desktop.call.keypad')}</Button>
        </Popover>
        {call.consulting ? (
          <>
            <Button type="primary" onClick={() => run.mutate(() => callApi.finishConsult(props.interactionId, 'complete'))}>{t('desktop.call.completeTransfer')}</Button>
            <Button onClick={() => run.mutate(() => callApi.finishConsult(props.interactionId, 'cancel'))}>{t('desktop.call.cancelConsult')}</Button>
          </>
        ) : (
          <>
            <Button icon={<SwapOutlined />} onClick={() => setDialog('transfer')}>{t('desktop.call.transfer')}</Button>
            <Button icon={<TeamOutlined />} onClick={() => setDialog('consult')}>{t('desktop.call.consult')}</Button>
          </>
        )}
        <Tooltip title="Alt+X">
          <Button danger type="primary" icon={<PhoneOutlined rotate={135} />} onClick={confirmHangup}>
            {t('desktop.call.hangup')}
          </Button>
        </Tooltip>
      </Flex>
      {dialog && (
        <TargetDialog
          mode={dialog}
          onCancel={() => setDialog(null)}
          onPick={(target) => {
            setDialog(null);
            run.mutate(() =>
              dialog === 'transfer' || target.kind === 'queue'
                ? callApi.transfer(props.interactionId, target)
                : callApi.consult(props.interactionId, target),
            );
          }}
        />
      )}
    </Space>
  );
}

function Keypad(props: { onKey(digit: string): void }) {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 48px)', gap: 6 }}>
      {KEYS.map((k) => (
        <Button key={k} onClick={() => props.onKey(k)} aria-label={`DTMF ${k}`}>
          {k}
        </Button>
      ))}
    </div>
  );
}

/** Picks a colleague (any department), a queue (transfer only) or an outside number. */
function TargetDialog(props: { mode: 'transfer' | 'consult'; onCancel(): void; onPick(target: TransferTarget): void }) {
  const { t } = useTranslation();
  const directory = useQuery({ queryKey: ['desktop', 'directory'], queryFn: callApi.directory });
  const [kind, setKind] = useState<TransferTarget['kind']>('agent');
  const [value, setValue] = useState<string>('');
  const target: TransferTarget | null =
    value === '' ? null : kind === 'agent' ? { kind, userId: value } : kind === 'queue' ? { kind, queueId: value } : { kind, number: value.replace(/[\s-]/g, '') };
  return (
    <Modal
      open
      title={props.mode === 'transfer' ? t('desktop.call.transfer') : t('desktop.call.consult')}
      onCancel={props.onCancel}
      okButtonProps={{ disabled: target === null }}
      onOk={() => target && props.onPick(target)}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Radio.Group value={kind} onChange={(e) => { setKind(e.target.value as TransferTarget['kind']); setValue(''); }}>
          <Radio.Button value="agent">{t('desktop.call.colleague')}</Radio.Button>
          {props.mode === 'transfer' && <Radio.Button value="queue">{t('desktop.call.queue')}</Radio.Button>}
          <Radio.Button value="number">{t('desktop.call.number')}</Radio.Button>
        </Radio.Group>
        {kind === 'number' ? (
          <Input aria-label={t('desktop.call.number')} value={value} onChange={(e) => setValue(e.target.value)} placeholder="13800138000" maxLength={32} />
        ) : (
          <Select
            showSearch
            aria-label={kind === 'agent' ? t('desktop.call.colleague') : t('desktop.call.queue')}
            style={{ width: '100%' }}
            value={value || undefined}
            onChange={setValue}
            loading={directory.isLoading}
            optionFilterProp="label"
            options={
              kind === 'agent'
                ? (directory.data?.people ?? []).map((p) => ({ value: p.userId, label: `${p.name} · ${p.departments || '—'} · ${t(`desktop.state.${p.state}`, { defaultValue: p.state })}` }))
                : (directory.data?.queues ?? []).map((q) => ({ value: q.id, label: `${q.name} · ${q.department}` }))
            }
          />
        )}
      </Space>
    </Modal>
  );
}
