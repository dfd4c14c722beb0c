// The tenant's prompt library: upload, preview, rename, delete (the server refuses while a published flow plays
// the prompt and says which flow; the message shows that).
import { DeleteOutlined, EditOutlined, SoundOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Drawer, Input, List, Popconfirm, Space, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { flowsApi, promptAudioUrl, type FlowPrompt } from './flows-api.ts';
import { promptsKey, usePromptUpload } from './PromptPicker.tsx';

export function PromptLibraryDrawer(props: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const prompts = useQuery({ queryKey: promptsKey, queryFn: flowsApi.prompts });
  const { upload, busy } = usePromptUpload();
  const [playing, setPlaying] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const act = async (work: () => Promise<unknown>, done: string) => {
    try {
      await work();
      await queryClient.invalidateQueries({ queryKey: promptsKey });
      void message.success(done);
    } catch (error) {
      void message.error(errorText(error, t));
    }
  };
  const row = (p: FlowPrompt) => (
    <List.Item aria-label={p.name}
      actions={[
        <Button key="play" size="small" icon={<SoundOutlined />} aria-label={`${t('flows.preview')} ${p.name}`} onClick={() => setPlaying(p.id)} />,
        <Button key="rename" size="small" icon={<EditOutlined />} aria-label={`${t('flows.rename')} ${p.name}`} onClick={() => setEditing({ id: p.id, name: p.name })} />,
        <Popconfirm key="delete" title={t('flows.deletePromptConfirm', { name: p.name })} onConfirm={() => act(() => flowsApi.deletePrompt(p.id), t('flows.promptDeleted'))}>
          <Button size="small" danger icon={<DeleteOutlined />} aria-label={`${t('flows.deletePrompt')} ${p.name}`} />
        </Popconfirm>,
      ]}>
      {editing?.id === p.id
        ? <Input aria-label={t('flows.promptName')} size="small" autoFocus value={editing.name} onChange={(e) => setEditing({ ...editing, name: e.target.value })}
            onPressEnter={() => void act(() => flowsApi.renamePrompt(p.id, editing.name), t('flows.renamed')).then(() => setEditing(null))} onBlur={() => setEditing(null)} />
        : <List.Item.Meta title={p.name} description={`${t('flows.promptDuration')} ${(p.durationMs / 1000).toFixed(1)} s · ${t('flows.promptFormat')} ${p.sourceFormat}`} />}
      {playing === p.id && <audio aria-label={t('flows.promptPreview')} controls autoPlay src={promptAudioUrl(p.id)} style={{ width: 200 }} />}
    </List.Item>
  );
  return (
    <Drawer open title={t('flows.prompts')} onClose={props.onClose} width={520}>
      <Typography.Paragraph type="secondary">{t('flows.promptsHelp')}</Typography.Paragraph>
      <Space style={{ marginBottom: 8 }}>
        <Upload accept="audio/wav,audio/x-wav,audio/mpeg,.wav,.mp3" showUploadList={false} disabled={busy} beforeUpload={(file) => { void upload(file); return false; }}>
          <Button icon={<UploadOutlined />} loading={busy}>{t('flows.uploadPrompt')}</Button>
        </Upload>
      </Space>
      <List aria-label={t('flows.prompts')} loading={prompts.isLoading} dataSource={prompts.data ?? []} renderItem={row} />
    </Drawer>
  );
}
