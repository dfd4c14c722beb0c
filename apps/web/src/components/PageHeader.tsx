import { Flex, Typography } from 'antd';
import type { ReactNode } from 'react';

/** Title, one line of explanation and the page's main actions, the same on every admin page. */
export function PageHeader(props: { title: string; subtitle?: string; extra?: ReactNode }) {
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
