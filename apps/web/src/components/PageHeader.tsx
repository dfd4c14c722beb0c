import { Flex, Typography } from 'antd';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** Title, one line of explanation and the page's main actions, the same on every admin page. */
export function PageHeader(props: { title: string; subtitle?: string; extra?: ReactNode }) {
  const { t } = useTranslation();
  const product = t('product.name');
  useEffect(() => {
    document.title = `${props.title} · ${product}`;
  }, [props.title, product]);
  return (
    <Flex justify="space-between" align="flex-start" gap={16} style={{ marginBottom: 16 }}>
      <div>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {props.title}
        </Typography.Title>
        {props.subtitle !== undefined && (
          <Typography.Text type="secondary">{props.subtitle}</Typography.Text>
        )}
      </div>
      {props.extra !== undefined && <Flex gap={8}>{props.extra}</Flex>}
    </Flex>
  );
}
