import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { divisionsApi } from '../../../api/endpoints.ts';
import type { Division } from '../../../api/types.ts';
import { useSession } from '../../../auth/session.tsx';
import { errorText, showFieldError } from '../../../components/errors.ts';
import { formatDateTime } from '../../../components/format.ts';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { RowActions } from '../../../components/RowActions.tsx';
import { queryKeys, useDivisions } from '../admin-data.ts';

export default function DivisionsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const divisions = useDivisions();
  const [editing, setEditing] = useState<Division | 'new' | null>(null);
  const manage = can('divisions.manage');

  const remove = useMutation({
    mutationFn: (division: Division) => divisionsApi.remove(division.id),
    onSuccess: () => {
      void message.success(t('common.deleted'));
      void queryClient.invalidateQueries({ queryKey: queryKeys.divisions });
    },
    onError: (error) => void message.error(errorText(error, t)),
  });

  const columns: ColumnsType<Division> = [
    { title: t('common.name'), dataIndex: 'name', render: (name: string) => <strong>{name}</strong> },
    { title: t('common.description'), dataIndex: 'description', render: (text: string | null) => text ?? '—' },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 190, render: (at: string) => formatDateTime(at) },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 170,
      render: (_, division) => (
        <RowActions name={division.name} onEdit={() => setEditing(division)} onDelete={() => remove.mutateAsync(division)} />
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t('divisions.title')}
        subtitle={t('divisions.subtitle')}
        extra={
          manage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('divisions.create')}
            </Button>
          )
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Division>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={divisions.data ?? []}
          loading={divisions.isLoading}
          scroll={{ x: 700 }}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: divisions.isError ? errorText(divisions.error, t) : t('divisions.empty') }}
        />
      </Card>
      {editing !== null && (
        <DivisionFormModal
          division={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: queryKeys.divisions });
          }}
        />
      )}
    </>
  );
}

function DivisionFormModal(props: { division: Division | null; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; description: string }>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const values = await form.validateFields();
    setBusy(true);
    try {
      const input = { name: values.name.trim(), description: values.description.trim() };
      if (props.division === null) await divisionsApi.create(input);
      else await divisionsApi.update(props.division.id, input);
      void message.success(props.division === null ? t('divisions.created') : t('common.saved'));
      props.onSaved();
    } catch (error) {
      if (!showFieldError(form, error, ['name', 'description'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={props.division === null ? t('divisions.createTitle') : t('divisions.editTitle')}
      okText={props.division === null ? t('common.create') : t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Form
        form={form}
        name="division"
        layout="vertical"
       
        initialValues={{ name: props.division?.name ?? '', description: props.division?.description ?? '' }}
      >
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t('common.description')}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
