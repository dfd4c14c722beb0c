import { UploadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Checkbox, Modal, Progress, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { crmApi } from './crm-api.ts';

function toBase64(buffer: ArrayBuffer): string {
  let binary = '';
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Upload a CSV or Excel file, try it as a dry run first, watch the job's progress and read the row report. */
export function ImportModal(props: { onClose(): void; onImported(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [importId, setImportId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const state = useQuery({
    queryKey: ['crm', 'import', importId],
    queryFn: () => crmApi.importState(importId!),
    enabled: importId !== null,
    refetchInterval: (query) => (query.state.data && ['done', 'failed'].includes(query.state.data.status) ? false : 1000),
  });
  const finished = state.data && ['done', 'failed'].includes(state.data.status);
  const errors = useQuery({ queryKey: ['crm', 'import-errors', importId], queryFn: () => crmApi.importErrors(importId!), enabled: !!finished && (state.data?.errors ?? 0) > 0 });

  const start = async () => {
    if (!file) return;
    setBusy(true);
    try {
      const xlsx = file.name.toLowerCase().endsWith('.xlsx');
      const started = xlsx
        ? await crmApi.startImport({ fileName: file.name, dryRun, format: 'xlsx', contentBase64: toBase64(await file.arrayBuffer()) })
        : await crmApi.startImport({ fileName: file.name, dryRun, content: await file.text() });
      setImportId(started.id);
    } catch (error) {
      void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  const s = state.data;
  return (
    <Modal open width={720} title={t('crm.importTitle')} onCancel={props.onClose} footer={null}>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary">{t('crm.importHelp')}</Typography.Paragraph>
        <Space>
          <input
            aria-label={t('crm.chooseFile')}
            type="file"
            accept=".csv,.xlsx,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setImportId(null);
            }}
          />
          <Checkbox checked={dryRun} onChange={(e) => setDryRun(e.target.checked)}>
            {t('crm.dryRun')}
          </Checkbox>
          <Button type="primary" icon={<UploadOutlined />} disabled={!file || (importId !== null && !finished)} loading={busy} onClick={() => void start()}>
            {t('crm.startImport')}
          </Button>
        </Space>
        {s && (
          <>
            <Progress percent={s.totalRows ? Math.round((100 * s.processedRows) / s.totalRows) : 0} status={s.status === 'failed' ? 'exception' : finished ? 'success' : 'active'} />
            <Alert
              type={s.status === 'failed' ? 'error' : s.errors ? 'warning' : 'success'}
              message={s.failure ?? t(s.dryRun ? 'crm.dryRunResult' : 'crm.importResult', { created: s.created, updated: s.updated, errors: s.errors, total: s.totalRows })}
            />
            {finished && !s.dryRun && s.status === 'done' && (
              <Button onClick={props.onImported}>{t('crm.showContacts')}</Button>
            )}
          </>
        )}
        {errors.data && errors.data.items.length > 0 && (
          <Table
            rowKey={(e) => `${e.line}:${e.field}`}
            size="small"
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            dataSource={errors.data.items}
            columns={[
              { title: t('crm.line'), dataIndex: 'line', width: 80 },
              { title: t('crm.column'), dataIndex: 'field', width: 140 },
              { title: t('crm.problem'), dataIndex: 'message' },
            ]}
          />
        )}
      </Space>
    </Modal>
  );
}
