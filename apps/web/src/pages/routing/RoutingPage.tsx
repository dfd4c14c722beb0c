import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session.tsx';
import { errorText, showFieldError } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useDivisions } from '../admin/admin-data.ts';
import { channelNames, routingApi, strategyNames, type NamedItem, type Queue } from './routing-api.ts';

/** Routing administration: queues (strategy, service level, after-call work, callbacks), skills and away reasons. */
export default function RoutingPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('routing.title')} subtitle={t('routing.subtitle')} />
      <Tabs
        items={[
          { key: 'queues', label: t('routing.queues'), children: <QueuesTab /> },
          { key: 'skills', label: t('routing.skills'), children: <NamedList kind="skills" /> },
          { key: 'away', label: t('routing.awayReasons'), children: <NamedList kind="away-reasons" /> },
        ]}
      />
    </>
  );
}

function QueuesTab() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const queues = useQuery({ queryKey: ['routing', 'queues'], queryFn: routingApi.queues });
  const [editing, setEditing] = useState<Queue | 'new' | null>(null);
  const manage = can('routing.manage');
  const remove = useMutation({
    mutationFn: (queue: Queue) => routingApi.removeQueue(queue.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['routing', 'queues'] }),
    onError: (error) => void message.error(errorText(error, t)),
  });
  const columns: ColumnsType<Queue> = [
    { title: t('common.name'), dataIndex: 'name', render: (name: string) => <strong>{name}</strong> },
    { title: t('routing.channels'), dataIndex: 'channels', render: (channels: string[]) => channels.map((c) => <Tag key={c}>{t(`routing.channel.${c}` as 'routing.channel.voice')}</Tag>) },
    { title: t('routing.strategy'), dataIndex: 'strategy', render: (s: string) => t(`routing.strategyName.${s}` as 'routing.strategyName.longest_idle') },
    { title: t('routing.serviceLevel'), key: 'sl', render: (_, q) => t('routing.serviceLevelValue', { percent: Math.round(q.serviceLevelTarget * 100), seconds: q.serviceLevelSeconds }) },
    { title: t('routing.acw'), dataIndex: 'acwSeconds', width: 130, render: (s: number) => `${s} s` },
  ];
  if (manage) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 170,
      render: (_, queue) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(queue)}>
            {t('common.edit')}
          </Button>
          <Popconfirm title={t('common.confirmDelete', { name: queue.name })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(queue).catch(() => undefined)}>
            <Button type="link" size="small" danger icon={<DeleteOutlined />}>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    });
  }
  return (
    <Card styles={{ body: { padding: 0 } }} extra={manage && <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>{t('routing.createQueue')}</Button>} title={t('routing.queues')}>
      <Table<Queue> rowKey="id" size="middle" columns={columns} dataSource={queues.data ?? []} loading={queues.isLoading} scroll={{ x: 800 }} pagination={{ pageSize: 50, hideOnSinglePage: true }} locale={{ emptyText: queues.isError ? errorText(queues.error, t) : t('routing.empty') }} />
      {editing !== null && (
        <QueueFormModal
          queue={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: ['routing', 'queues'] });
          }}
        />
      )}
    </Card>
  );
}

interface QueueForm {
  name: string;
  divisionId: string;
  channels: string[];
  strategy: Queue['strategy'];
  serviceLevelSeconds: number;
  serviceLevelPercent: number;
  acwSeconds: number;
  offerTimeoutSeconds: number;
  callbacksOffered: boolean;
}

function QueueFormModal(props: { queue: Queue | null; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const divisions = useDivisions();
  const [form] = Form.useForm<QueueForm>();
  const [busy, setBusy] = useState(false);
  const q = props.queue;
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const input = {
        name: v.name.trim(),
        channels: v.channels,
        strategy: v.strategy,
        serviceLevelSeconds: v.serviceLevelSeconds,
        serviceLevelTarget: v.serviceLevelPercent / 100,
        acwSeconds: v.acwSeconds,
        offerTimeoutSeconds: v.offerTimeoutSeconds,
        callbacksOffered: v.callbacksOffered,
      };
      if (q === null) await routingApi.createQueue({ ...input, divisionId: v.divisionId });
      else await routingApi.updateQueue(q.id, input);
      void message.success(t('common.saved'));
      props.onSaved();
    } catch (error) {
      if (!showFieldError(form, error, ['name', 'divisionId', 'channels', 'strategy'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={q === null ? t('routing.createQueue') : t('routing.editQueue')} okText={q === null ? t('common.create') : t('common.save')} cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => void submit().catch(() => undefined)} onCancel={props.onClose} destroyOnHidden>
      <Form
        form={form}
        name="queue"
        layout="vertical"
        initialValues={{
          name: q?.name ?? '',
          divisionId: q?.divisionId ?? divisions.data?.[0]?.id,
          channels: q?.channels ?? ['voice'],
          strategy: q?.strategy ?? 'longest_idle',
          serviceLevelSeconds: q?.serviceLevelSeconds ?? 20,
          serviceLevelPercent: Math.round((q?.serviceLevelTarget ?? 0.8) * 100),
          acwSeconds: q?.acwSeconds ?? 30,
          offerTimeoutSeconds: q?.offerTimeoutSeconds ?? 20,
          callbacksOffered: q?.callbacksOffered ?? false,
        }}
      >
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        {q === null && (
          <Form.Item name="divisionId" label={t('routing.division')} rules={[{ required: true, message: t('common.required') }]}>
            <Select options={(divisions.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
          </Form.Item>
        )}
        <Form.Item name="channels" label={t('routing.channels')} rules={[{ required: true, message: t('common.required') }]}>
          <Select mode="multiple" options={channelNames.map((c) => ({ value: c, label: t(`routing.channel.${c}`) }))} />
        </Form.Item>
        <Form.Item name="strategy" label={t('routing.strategy')}>
          <Select options={strategyNames.map((s) => ({ value: s, label: t(`routing.strategyName.${s}`) }))} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="serviceLevelPercent" label={t('routing.slPercent')}>
            <InputNumber min={0} max={100} addonAfter="%" />
          </Form.Item>
          <Form.Item name="serviceLevelSeconds" label={t('routing.slSeconds')}>
            <InputNumber min={1} max={3600} addonAfter="s" />
          </Form.Item>
          <Form.Item name="acwSeconds" label={t('routing.acw')}>
            <InputNumber min={0} max={3600} addonAfter="s" />
          </Form.Item>
          <Form.Item name="offerTimeoutSeconds" label={t('routing.offerTimeout')}>
            <InputNumber min={1} max={300} addonAfter="s" />
          </Form.Item>
        </Space>
        <Form.Item name="callbacksOffered" label={t('routing.callbacks')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function NamedList(props: { kind: 'skills' | 'away-reasons' }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const key = ['routing', props.kind];
  const items = useQuery({ queryKey: key, queryFn: () => routingApi.list(props.kind) });
  const [name, setName] = useState('');
  const manage = can('routing.manage');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key });
  const add = useMutation({ mutationFn: () => routingApi.add(props.kind, name.trim()), onSuccess: () => (setName(''), refresh()), onError: (e) => void message.error(errorText(e, t)) });
  const remove = useMutation({ mutationFn: (item: NamedItem) => routingApi.remove(props.kind, item.id), onSuccess: refresh, onError: (e) => void message.error(errorText(e, t)) });
  return (
    <Card
      title={props.kind === 'skills' ? t('routing.skills') : t('routing.awayReasons')}
      extra={
        manage && (
          <Space.Compact>
            <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('common.name')} aria-label={t('common.name')} onPressEnter={() => name.trim() && add.mutate()} />
            <Button type="primary" icon={<PlusOutlined />} disabled={!name.trim()} loading={add.isPending} onClick={() => add.mutate()}>
              {t('routing.add')}
            </Button>
          </Space.Compact>
        )
      }
      styles={{ body: { padding: 0 } }}
    >
      <Table<NamedItem>
        rowKey="id"
        size="middle"
        dataSource={items.data ?? []}
        loading={items.isLoading}
        pagination={false}
        locale={{ emptyText: items.isError ? errorText(items.error, t) : t('routing.empty') }}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          ...(manage
            ? [{ title: t('common.actions'), key: 'actions', width: 120, render: (_: unknown, item: NamedItem) => (
                <Popconfirm title={t('common.confirmDelete', { name: item.name })} okText={t('common.delete')} cancelText={t('common.cancel')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutateAsync(item).catch(() => undefined)}>
                  <Button type="link" size="small" danger icon={<DeleteOutlined />}>{t('common.delete')}</Button>
                </Popconfirm>
              ) }]
            : []),
        ]}
      />
    </Card>
  );
}
