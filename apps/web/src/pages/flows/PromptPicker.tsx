// The play node's prompt: picked from the tenant's library by name, a new one uploaded on the spot (and picked),
// and a preview that plays the chosen prompt in the browser (16 kHz WAV from the server).
import { SoundOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Select, Space, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { flowsApi, promptAudioUrl, promptNameOf } from './flows-api.ts';

export const promptsKey = ['flows', 'prompts'];

/** Uploads a file to the library (its name without the extension); returns the stored prompt or undefined. */
export function usePromptUpload() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const upload = async (file: File) => {
    setBusy(true);
    try {
      const stored = await flowsApi.uploadPrompt(file, promptNameOf(file.name), me?.csrfToken ?? '');
      await queryClient.invalidateQueries({ queryKey: promptsKey });
      void message.success(t('flows.promptUploaded', { name: stored.name }));
      return stored;
    } catch (error) {
      void message.error(errorText(error, t));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { upload, busy };
}

export function PromptPicker(props: { value: string | undefined; onChange: (id: string | undefined) => void }) {
  const { t } = useTranslation();
  const prompts = useQuery({ queryKey: promptsKey, queryFn: flowsApi.prompts });
  const { upload, busy } = usePromptUpload();
  const [previewing, setPreviewing] = useState<string | null>(null);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Select aria-label={t('flows.choosePrompt')} placeholder={t('flows.choosePrompt')} value={props.value} allowClear showSearch optionFilterProp="label" style={{ width: '100%' }}
        onChange={(id?: string) => { setPreviewing(null); props.onChange(id); }}
        options={(prompts.data ?? []).map((p) => ({ value: p.id, label: `${p.name} (${(p.durationMs / 1000).toFixed(1)} s)` }))} />
      <Space>
        <Upload accept="audio/wav,audio/x-wav,audio/mpeg,.wav,.mp3" showUploadList={false} disabled={busy}
          beforeUpload={(file) => { void upload(file).then((p) => { if (p) props.onChange(p.id); }); return false; }}>
          <Button size="small" icon={<UploadOutlined />} loading={busy}>{t('flows.uploadPrompt')}</Button>
        </Upload>
        <Button size="small" icon={<SoundOutlined />} disabled={!props.value} onClick={() => setPreviewing(props.value ?? null)}>{t('flows.preview')}</Button>
      </Space>
      {previewing && <audio aria-label={t('flows.promptPreview')} controls autoPlay src={promptAudioUrl(previewing)} style={{ width: '100%' }} />}
    </Space>
  );
}
