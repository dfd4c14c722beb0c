// The tenant's HTTP allow-list: internal hosts and networks the HTTP request node may reach (one per line). The
// server checks every entry; a bad one is named in the error shown here.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Input, Modal, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { flowsApi } from './flows-api.ts';

export function HttpAllowListModal(props: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const current = useQuery({ queryKey: ['flows', 'http-allowlist'], queryFn: flowsApi.allowList });
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setText((current.data?.entries ?? []).join('\n')), [current.data]);
  const save = async () => {
    try {
      await flowsApi.saveAllowList(text.split('\n').map((l) => l.trim()).filter(Boolean));
      await queryClient.invalidateQueries({ queryKey: ['flows', 'http-allowlist'] });
      void message.success(t('flows.allowListSaved'));
      props.onClose();
    } catch (error) {
      setProblem(errorText(error, t));
    }
  };
  return (
    <Modal open title={t('flows.allowList')} onCancel={props.onClose} onOk={() => void save()} okText={t('flows.save')}>
      <Typography.Paragraph type="secondary">{t('flows.allowListHelp')}</Typography.Paragraph>
      <Input.TextArea aria-label={t('flows.allowList')} autoSize={{ minRows: 4, maxRows: 12 }} value={text} placeholder={'crm.corp.example\n*.corp.example\n10.20.0.0/16'} onChange={(e) => { setText(e.target.value); setProblem(null); }} />
      {problem && <Alert type="error" style={{ marginTop: 8 }} message={problem} />}
    </Modal>
  );
}
