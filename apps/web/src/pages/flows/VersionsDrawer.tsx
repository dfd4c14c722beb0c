import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Drawer, List, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { flowsApi, type FlowDetail, type GraphDiff } from './flows-api.ts';

/** Published versions, newest first: each compared with the draft, and any of them published again. */
export function VersionsDrawer(props: { flow: FlowDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [diff, setDiff] = useState<{ version: number; diff: GraphDiff } | null>(null);
  return (
    <Drawer open title={t('flows.versions')} onClose={props.onClose} width={420}>
      <List
        dataSource={props.flow.versions}
        renderItem={(v) => (
          <List.Item>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Typography.Text strong>{t('flows.version', { version: v.version })}</Typography.Text>
              <Typography.Text type="secondary">{new Date(v.publishedAt).toLocaleString()} {v.comment}</Typography.Text>
              <Space>
                <Button size="small" onClick={async () => setDiff({ version: v.version, diff: await flowsApi.diff(props.flow.id, v.version) })}>{t('flows.diffWithDraft')}</Button>
                <Button size="small" onClick={async () => {
                  try {
                    const r = await flowsApi.rollback(props.flow.id, v.version);
                    void message.success(t('flows.rolledBack', { version: r.version }));
                    await queryClient.invalidateQueries({ queryKey: ['flows'] });
                    props.onClose();
                  } catch (error) {
                    void message.error(errorText(error, t));
                  }
                }}>{t('flows.rollback')}</Button>
              </Space>
              {diff?.version === v.version && (
                diff.diff.added.length + diff.diff.removed.length + diff.diff.changed.length === 0
                  ? <Typography.Text>{t('flows.diffNone')}</Typography.Text>
                  : <div>
                      {diff.diff.added.length > 0 && <div>{t('flows.diffAdded')}: {diff.diff.added.join(', ')}</div>}
                      {diff.diff.removed.length > 0 && <div>{t('flows.diffRemoved')}: {diff.diff.removed.join(', ')}</div>}
                      {diff.diff.changed.map((c) => <div key={c.nodeId}>{t('flows.diffChanged')}: {c.nodeId} ({c.fields.join(', ')})</div>)}
                    </div>
              )}
            </Space>
          </List.Item>
        )}
      />
    </Drawer>
  );
}
