import { DeleteOutlined, PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, List, Popconfirm, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText } from '../../components/errors.ts';
import { kbApi, type Attachment } from './kb-api.ts';

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/** An article's files and images: upload (the Markdown reference goes into the body), open, delete. */
export function AttachmentsCard(props: { articleId: string; onInsert(markdown: string): void }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const key = ['kb', 'attachments', props.articleId];
  const list = useQuery({ queryKey: key, queryFn: () => kbApi.attachments(props.articleId) });
  const [busy, setBusy] = useState(false);
  const upload = async (file: File) => {
    setBusy(true);
    try {
      const stored = await kbApi.upload(props.articleId, file, me?.csrfToken ?? '');
      props.onInsert(stored.markdown);
      void queryClient.invalidateQueries({ queryKey: key });
      void message.success(t('kb.attachments.uploaded', { name: stored.fileName }));
    } catch (error) {
      void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      size="small"
      title={t('kb.attachments.title')}
      style={{ marginBottom: 16 }}
      extra={
        <Upload showUploadList={false} beforeUpload={(file) => (void upload(file), false)}>
          <Button size="small" icon={<UploadOutlined />} loading={busy}>
            {t('kb.attachments.upload')}
          </Button>
        </Upload>
      }
    >
      <List<Attachment>
        size="small"
        loading={list.isLoading}
        dataSource={list.data ?? []}
        locale={{ emptyText: t('kb.attachments.empty') }}
        renderItem={(a) => (
          <List.Item
            actions={[
              <Button key="insert" type="link" size="small" onClick={() => props.onInsert(a.markdown)}>
                {t('kb.attachments.insert')}
              </Button>,
              <Popconfirm key="delete" title={t('common.confirmDelete', { name: a.fileName })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => kbApi.removeAttachment(a.id).then(() => queryClient.invalidateQueries({ queryKey: key }), (e: unknown) => void message.error(errorText(e, t)))}>
                <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
              </Popconfirm>,
            ]}
          >
            <Typography.Link href={`/api/v1/kb/attachments/${a.id}`} target="_blank">
              <PaperClipOutlined /> {a.fileName}
            </Typography.Link>
            <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
              {sizeText(a.size)}
            </Typography.Text>
          </List.Item>
        )}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('kb.attachments.hint')}
      </Typography.Text>
    </Card>
  );
}
