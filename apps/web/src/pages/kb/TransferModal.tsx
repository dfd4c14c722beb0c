import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, List, Modal, Progress, Radio, Select, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { kbApi, type ImportReport } from './kb-api.ts';
import { kbKeys, useSpaces } from './kb-data.ts';

/** Import a Markdown zip or CSV into a space (as drafts), or export a space in either format. */
export function TransferModal(props: { mode: 'import' | 'export'; onClose(): void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const spaces = useSpaces();
  const [spaceId, setSpaceId] = useState<string>();
  const [format, setFormat] = useState<'zip' | 'csv'>('zip');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const run = async () => {
    if (!spaceId) return;
    if (props.mode === 'export') {
      window.location.assign(kbApi.exportUrl(spaceId, format));
      props.onClose();
      return;
    }
    if (!file) return;
    setBusy(true);
    try {
      setProgress({ done: 0, total: 0 });
      setReport(await kbApi.importFile(spaceId, format, file, me?.csrfToken ?? '', (done, total) => setProgress({ done, total })));
      void queryClient.invalidateQueries({ queryKey: kbKeys.articles });
    } catch (error) {
      void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={props.mode === 'import' ? t('kb.transfer.importTitle') : t('kb.transfer.exportTitle')}
      okText={props.mode === 'import' ? t('kb.transfer.import') : t('kb.transfer.export')}
      okButtonProps={{ disabled: !spaceId || (props.mode === 'import' && !file), icon: props.mode === 'import' ? <UploadOutlined /> : <DownloadOutlined /> }}
      cancelText={t('common.close')}
      confirmLoading={busy}
      onOk={() => void run()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('kb.article.space')} required>
          <Select value={spaceId} onChange={setSpaceId} options={(spaces.data ?? []).map((s) => ({ value: s.id, label: s.name }))} />
        </Form.Item>
        <Form.Item label={t('kb.transfer.format')}>
          <Radio.Group value={format} onChange={(e) => setFormat(e.target.value as 'zip' | 'csv')} options={[{ value: 'zip', label: t('kb.transfer.zip') }, { value: 'csv', label: 'CSV' }]} />
        </Form.Item>
        {props.mode === 'import' && (
          <Form.Item label={t('kb.transfer.file')} extra={t('kb.transfer.importHint')}>
            <Upload maxCount={1} accept={format === 'zip' ? '.zip' : '.csv'} beforeUpload={(f) => (setFile(f), setReport(null), false)} onRemove={() => setFile(null)}>
              <Button icon={<UploadOutlined />}>{t('kb.transfer.choose')}</Button>
            </Upload>
          </Form.Item>
        )}
      </Form>
      {busy && progress && progress.total > 0 && <Progress percent={Math.round((progress.done / progress.total) * 100)} format={() => `${progress.done}/${progress.total}`} />}
      {report && (
        <Alert
          type={report.errors.length ? 'warning' : 'success'}
          showIcon
          message={t('kb.transfer.report', { created: report.created, categories: report.categoriesCreated, files: report.files, errors: report.errors.length })}
          description={report.errors.length > 0 && <List size="small" dataSource={report.errors} renderItem={(e) => <List.Item>{`${e.source}: ${e.message}`}</List.Item>} />}
        />
      )}
    </Modal>
  );
}
