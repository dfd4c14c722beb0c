import { useQuery } from '@tanstack/react-query';
import { Button, DatePicker, Flex, Form, Input, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usersApi } from '../../../api/endpoints.ts';
import { useSession } from '../../../auth/session.tsx';

export interface AuditFilter {
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
}

interface Values {
  action?: string;
  actorId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

/** Filter bar of the audit log: action, actor (searched among users) and a date range. */
export function AuditFilters(props: { onApply(filter: AuditFilter): void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [form] = Form.useForm<Values>();
  const [actorSearch, setActorSearch] = useState('');
  const actors = useQuery({
    queryKey: ['users', 'actor-search', actorSearch],
    queryFn: () => usersApi.list({ q: actorSearch, limit: 20 }),
    enabled: can('users.read'),
  });

  const apply = (values: Values) => {
    const filter: AuditFilter = {};
    const action = values.action?.trim();
    if (action !== undefined && action !== '') filter.action = action;
    if (values.actorId !== undefined) filter.actorId = values.actorId;
    const [from, to] = values.range ?? [null, null];
    if (from !== null) filter.from = from.startOf('day').toISOString();
    if (to !== null) filter.to = to.endOf('day').toISOString();
    props.onApply(filter);
  };

  return (
    <Form<Values> form={form} name="audit" layout="inline" onFinish={apply} style={{ padding: 16, rowGap: 8 }}>
      <Form.Item name="action">
        <Input allowClear placeholder={t('audit.filterAction')} aria-label={t('audit.action')} style={{ width: 240 }} />
      </Form.Item>
      <Form.Item name="actorId">
        <Select
          allowClear
          showSearch
          filterOption={false}
          onSearch={setActorSearch}
          placeholder={t('audit.filterActor')}
          aria-label={t('audit.actor')}
          style={{ width: 260 }}
          loading={actors.isFetching}
          options={(actors.data?.items ?? []).map((user) => ({ value: user.id, label: `${user.name} <${user.email}>` }))}
        />
      </Form.Item>
      <Form.Item name="range">
        <DatePicker.RangePicker aria-label={t('audit.dateRange')} />
      </Form.Item>
      <Flex gap={8}>
        <Button type="primary" htmlType="submit">
          {t('audit.apply')}
        </Button>
        <Button
          onClick={() => {
            form.resetFields();
            props.onApply({});
          }}
        >
          {t('audit.reset')}
        </Button>
      </Flex>
    </Form>
  );
}
