import { SoundOutlined } from '@ant-design/icons';
import type { FlowOutput } from '@kefu/contracts';
import { App, Button, Drawer, Flex, Input, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { flowsApi, promptAudioUrl, ttsPreviewUrl, type SimulationTurn } from './flows-api.ts';

type Line = { from: 'flow'; output: FlowOutput } | { from: 'you'; text: string } | { from: 'end'; text: string };

/** The draft as a text conversation: prompts as text (playable), keys or words typed back. */
export function SimulatorPanel(props: { flowId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [lines, setLines] = useState<Line[]>([]);
  const [turn, setTurn] = useState<SimulationTurn | null>(null);
  const [text, setText] = useState('');
  const show = (r: SimulationTurn, sent?: Line) => {
    setTurn(r);
    setLines((old) => [...old, ...(sent ? [sent] : []), ...r.outputs.map((output) => ({ from: 'flow' as const, output })),
      ...(r.status === 'ended' ? [{ from: 'end' as const, text: t('flows.ended', { outcome: `${r.outcome?.kind ?? ''}${r.outcome?.queueId ? ` ${r.outcome.queueId}` : ''}` }) }] : [])]);
  };
  const start = async () => {
    setLines([]);
    try {
      show(await flowsApi.simulate(props.flowId));
    } catch (error) {
      void message.error(errorText(error, t));
    }
  };
  const send = async (body: { text?: string; timeout?: boolean }) => {
    if (!turn) return;
    try {
      show(await flowsApi.input(turn.id, body), { from: 'you', text: body.timeout ? t('flows.noAnswer') : body.text! });
      setText('');
    } catch (error) {
      void message.error(errorText(error, t));
    }
  };
  const waiting = turn?.status === 'waiting' ? turn.waiting : null;
  return (
    <Drawer open title={t('flows.simulator')} onClose={props.onClose} width={440}>
      <Typography.Paragraph type="secondary">{t('flows.simulatorHelp')}</Typography.Paragraph>
      <Button type="primary" onClick={() => void start()}>{turn ? t('flows.restart') : t('flows.simulate')}</Button>
      <div role="log" aria-label={t('flows.simulator')} style={{ marginTop: 12 }}>
        {lines.map((l, i) => (
          <div key={i} style={{ margin: '6px 0', textAlign: l.from === 'you' ? 'right' : 'left' }}>
            {l.from === 'you' && <Tag color="blue">{t('flows.you')}: {l.text}</Tag>}
            {l.from === 'end' && <Tag color="green">{l.text}</Tag>}
            {l.from === 'flow' && (l.output.kind === 'say' || l.output.kind === 'text' || l.output.kind === 'buttons') && (
              <Space align="start">
                <Typography.Text>{l.output.text}</Typography.Text>
                {l.output.kind === 'say' && <Button size="small" icon={<SoundOutlined />} aria-label={t('flows.listen')} onClick={() => void new Audio(ttsPreviewUrl((l.output as { text: string }).text)).play()} />}
              </Space>
            )}
            {l.from === 'flow' && l.output.kind === 'play' && (l.output.promptId
              ? <Space><Typography.Text code>{t('flows.prompt')}</Typography.Text><Button size="small" icon={<SoundOutlined />} aria-label={t('flows.preview')} onClick={() => void new Audio(promptAudioUrl((l.output as { promptId: string }).promptId)).play()} /></Space>
              : <Typography.Text code>{l.output.file}</Typography.Text>)}
          </div>
        ))}
      </div>
      {waiting && (
        <>
          <Typography.Text type="secondary">{waiting.kind === 'digits' ? t('flows.waitingDigits') : waiting.kind === 'speech' ? t('flows.waitingSpeech') : t('flows.waitingText')}</Typography.Text>
          {waiting.buttons && <Flex gap={4} wrap style={{ margin: '6px 0' }}>{waiting.buttons.map((b) => <Button key={b.id} size="small" onClick={() => void send({ text: b.id })}>{b.label}</Button>)}</Flex>}
          <Space.Compact style={{ width: '100%', marginTop: 6 }}>
            <Input aria-label={t('flows.inputPlaceholder')} placeholder={t('flows.inputPlaceholder')} value={text} onChange={(e) => setText(e.target.value)} onPressEnter={() => text && void send({ text })} />
            <Button type="primary" disabled={!text} onClick={() => void send({ text })}>{t('flows.send')}</Button>
            <Button onClick={() => void send({ timeout: true })}>{t('flows.noAnswer')}</Button>
          </Space.Compact>
        </>
      )}
    </Drawer>
  );
}
