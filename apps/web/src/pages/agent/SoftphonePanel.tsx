import { PhoneOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Progress, Space, Switch, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Softphone } from './use-softphone.ts';

const stateColor = { unregistered: 'default', idle: 'success', ringing: 'gold', in_call: 'processing' } as const;

/** The caller's loudness (RMS of the last 100 ms, 0–1), read from the remote stream with a WebAudio analyser. */
function useLevel(stream: () => MediaStream | undefined, active: boolean): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!active) {
      setLevel(0);
      return;
    }
    let ctx: AudioContext | undefined;
    let analyser: AnalyserNode | undefined;
    let attached: MediaStream | undefined;
    const samples = new Float32Array(2048);
    const timer = window.setInterval(() => {
      const s = stream();
      if (s && s !== attached) {
        ctx ??= new AudioContext();
        analyser = ctx.createAnalyser();
        analyser.fftSize = 2048;
        ctx.createMediaStreamSource(s).connect(analyser);
        attached = s;
      }
      if (!analyser) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      setLevel(Math.sqrt(sum / samples.length));
    }, 250);
    return () => {
      window.clearInterval(timer);
      void ctx?.close();
    };
  }, [stream, active]);
  return level;
}

/**
 * The browser phone: on/off (remembered), its state, and while ringing the caller with answer and reject. In a call
 * a meter shows that the caller is heard, and a hang-up for calls that are on no task of the desk (a colleague's
 * consultation); hold, mute, transfer and the rest are the call controls of the desk.
 */
export function SoftphonePanel(props: { phone: Softphone }) {
  const { t } = useTranslation();
  const p = props.phone;
  const level = useLevel(p.remoteStream, p.state === 'in_call');
  return (
    <Flex align="center" gap={12} wrap data-testid="softphone" data-state={p.state}>
      <Space>
        <PhoneOutlined />
        <Typography.Text>{t('desktop.softphone.title')}</Typography.Text>
        <Switch size="small" checked={p.enabled} onChange={p.setEnabled} aria-label={t('desktop.softphone.title')} />
        <Tag color={stateColor[p.state]}>{t(`desktop.softphone.state.${p.state}`)}</Tag>
      </Space>
      {p.state === 'ringing' && (
        <Space>
          <Typography.Text strong>{t('desktop.softphone.ringing', { from: p.call?.from ?? '' })}</Typography.Text>
          <Button type="primary" size="small" onClick={() => void p.answer().catch(() => undefined)}>
            {t('desktop.accept')}
          </Button>
          <Button danger size="small" onClick={() => void p.reject()}>
            {t('desktop.reject')}
          </Button>
        </Space>
      )}
      {p.state === 'in_call' && (
        <Space>
          <Typography.Text type="secondary">{t('desktop.softphone.hearing')}</Typography.Text>
          <Progress
            data-testid="softphone-level"
            data-level={level.toFixed(3)}
            percent={Math.min(100, Math.round(level * 300))}
            showInfo={false}
            size="small"
            style={{ width: 120 }}
          />
          <Button danger size="small" onClick={() => void p.hangup()}>
            {t('desktop.call.hangup')}
          </Button>
        </Space>
      )}
      {p.error && <Alert type="error" showIcon message={t('desktop.softphone.error', { message: p.error })} style={{ padding: '0 8px' }} />}
    </Flex>
  );
}
