import { Button, Flex, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';

export function FullPageSpinner() {
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Spin size="large" />
    </Flex>
  );
}

export function ServerUnreachable(props: { onRetry(): void }) {
  const { t } = useTranslation();
  return (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Result
        status="warning"
        title={t('errors.network')}
        extra={
          <Button type="primary" onClick={props.onRetry}>
            {t('common.refresh')}
          </Button>
        }
      />
    </Flex>
  );
}
