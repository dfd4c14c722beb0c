import { CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Input, Modal, Space } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * Shows a secret exactly once (API key, webhook signing secret) with a copy button. Callers mount it only while
 * they hold the secret and drop it on close, so that it leaves the page.
 */
export function SecretModal(props: { title: string; warning: string; secret: string; onClose(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      void message.success(t('common.copied'));
    } catch {
      void message.warning(t('common.copyFailed'));
    }
  };
  return (
    <Modal
      open
      title={props.title}
      onCancel={props.onClose}
      maskClosable={false}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={props.onClose}>
          {t('common.close')}
        </Button>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }} size="middle">
        <Alert type="warning" showIcon message={props.warning} />
        <Space.Compact style={{ width: '100%' }}>
          <Input readOnly value={props.secret} aria-label={props.title} style={{ fontFamily: 'monospace' }} onFocus={(e) => e.target.select()} />
          <Button icon={<CopyOutlined />} onClick={() => void copy()}>
            {t('common.copy')}
          </Button>
        </Space.Compact>
      </Space>
    </Modal>
  );
}
