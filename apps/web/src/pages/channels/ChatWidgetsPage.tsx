import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, ColorPicker, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, showFieldError } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useDivisions, useFirstDivisionDefault } from '../admin/admin-data.ts';
import { channelsApi, snippetFor, type Widget, type WidgetInput } from './channels-api.ts';

const AUTO_REPLY_ZH = '感谢您的耐心等待，客服会尽快回复您。';
const AUTO_REPLY_EN = 'Thanks for waiting — an agent will reply as soon as possible.';

/** Web chat administration: widgets with their allowed origins, appearance and hours; the snippet and the identity secret. */
export default function ChatWidgetsPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const widgets = useQuery({ queryKey: ['webchat', 'widgets'], queryFn: channelsApi.widgets });
  const [editing, setEditing] = useState<Widget | 'new' | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const columns: ColumnsType<Widget> = [
    { title: t('webchat.widgets.name'), dataIndex: 'name', render: (name: string) => <strong>{name}</strong> },
    { title: t('webchat.widgets.origins'), dataIndex: 'allowedOrigins', render: (origins: string[]) => origins.map((o) => <Tag key={o}>{o}</Tag>) },
    { title: t('webchat.widgets.enabled'), dataIndex: 'enabled', width: 90, render: (on: boolean) => (on ? t('common.yes') : t('common.no')) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 200,
      render: (_, widget) => (
        <Space size={0}>
          <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(widget)}>
            {t('common.edit')}
          </Button>
          <Button type="link" size="small" onClick={() => setShown(widget.id)}>
            {t('webchat.widgets.snippet')}
          </Button>
        </Space>
      ),
    },
  ];
  return (
    <>
      <PageHeader title={t('webchat.widgets.title')} subtitle={t('webchat.widgets.subtitle')} />
      <Card styles={{ body: { padding: 0 } }} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>{t('webchat.widgets.add')}</Button>}>
        <Table<Widget> rowKey="id" columns={columns} dataSource={widgets.data ?? []} loading={widgets.isLoading} pagination={false} locale={{ emptyText: widgets.isError ? errorText(widgets.error, t) : t('webchat.widgets.none') }} />
      </Card>
      {shown && <SnippetCard widgetId={shown} />}
      {editing !== null && (
        <WidgetFormModal
          widget={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setShown(saved.id);
            void queryClient.invalidateQueries({ queryKey: ['webchat', 'widgets'] });
          }}
        />
      )}
    </>
  );
}

function SnippetCard(props: { widgetId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const widget = useQuery({ queryKey: ['webchat', 'widget', props.widgetId], queryFn: () => channelsApi.widget(props.widgetId) });
  if (!widget.data) return null;
  const snippet = snippetFor(location.origin, widget.data.id);
  const copy = (text: string) =>
    void navigator.clipboard.writeText(text).then(
      () => message.success(t('common.copied')),
      () => message.error(t('common.copyFailed')),
    );
  return (
    <Card title={`${widget.data.name} · ${t('webchat.widgets.snippet')}`} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">{t('webchat.widgets.snippetHelp')}</Typography.Paragraph>
      <Space.Compact style={{ width: '100%' }}>
        <Input readOnly value={snippet} aria-label={t('webchat.widgets.snippet')} data-testid="widget-snippet" />
        <Button onClick={() => copy(snippet)}>{t('webchat.widgets.copy')}</Button>
      </Space.Compact>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('webchat.widgets.origins')}
      </Typography.Title>
      <div>{widget.data.allowedOrigins.map((o) => <Tag key={o}>{o}</Tag>)}</div>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('webchat.widgets.secret')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('webchat.widgets.secretHelp')}</Typography.Paragraph>
      <Space.Compact style={{ width: '100%' }}>
        <Input.Password readOnly value={widget.data.identitySecret ?? ''} aria-label={t('webchat.widgets.secret')} />
        <Button onClick={() => copy(widget.data.identitySecret ?? '')}>{t('webchat.widgets.copy')}</Button>
        <Button
          danger
          onClick={() =>
            void channelsApi.rotateSecret(props.widgetId).then(
              () => queryClient.invalidateQueries({ queryKey: ['webchat', 'widget', props.widgetId] }),
              (err: unknown) => message.error(errorText(err, t)),
            )
          }
        >
          {t('webchat.widgets.rotate')}
        </Button>
      </Space.Compact>
    </Card>
  );
}

interface WidgetForm {
  name: string;
  divisionId: string;
  allowedOrigins: string[];
  color: string;
  position: 'right' | 'left';
  titleZh: string;
  titleEn: string;
  greetingZh: string;
  greetingEn: string;
  timezone: string;
  weekdays: string;
  enabled: boolean;
  voiceCall: 'off' | 'agent' | 'agent_and_visitor';
  offlineWhenNoAgents: boolean;
  /** Empty: no auto-reply. */
  autoReplySeconds: number | null;
  autoReplyZh: string;
  autoReplyEn: string;
}

function WidgetFormModal(props: { widget: Widget | null; onClose(): void; onSaved(widget: Widget): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const divisions = useDivisions();
  const [form] = Form.useForm<WidgetForm>();
  const [busy, setBusy] = useState(false);
  const w = props.widget;
  useFirstDivisionDefault(form, w === null);
  const weekdayHours = w?.settings.businessHours?.days.mon?.[0];
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const [from, to] = v.weekdays?.trim() ? v.weekdays.trim().split('-').map((s) => s.trim()) : [];
      const days: Record<string, [string, string][]> | null = from && to ? Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [[from, to]]])) : null;
      const input: WidgetInput = {
        name: v.name.trim(),
        allowedOrigins: v.allowedOrigins ?? [],
        enabled: v.enabled,
        settings: {
          color: typeof v.color === 'string' ? v.color : (v.color as { toHexString(): string }).toHexString(),
          position: v.position,
          title: { 'zh-CN': v.titleZh, en: v.titleEn },
          greeting: { 'zh-CN': v.greetingZh, en: v.greetingEn },
          businessHours: days ? { timezone: v.timezone || 'Asia/Shanghai', days } : null,
          voiceCall: v.voiceCall,
          offlineWhenNoAgents: v.offlineWhenNoAgents,
          autoReply: v.autoReplySeconds ? { afterSeconds: v.autoReplySeconds, text: { 'zh-CN': v.autoReplyZh?.trim() || AUTO_REPLY_ZH, en: v.autoReplyEn?.trim() || AUTO_REPLY_EN } } : null,
        },
      };
      const saved = w === null ? await channelsApi.createWidget({ ...input, divisionId: v.divisionId }) : await channelsApi.updateWidget(w.id, input);
      void message.success(t('common.saved'));
      props.onSaved(saved);
    } catch (error) {
      if (!showFieldError(form, error, ['name', 'divisionId', 'allowedOrigins'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={w === null ? t('webchat.widgets.add') : t('common.edit')} okText={w === null ? t('common.create') : t('common.save')} cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => void submit().catch(() => undefined)} onCancel={props.onClose} destroyOnHidden>
      <Form<WidgetForm>
        form={form}
        layout="vertical"
        initialValues={{
          name: w?.name ?? '',
          divisionId: w?.divisionId ?? divisions.data?.[0]?.id,
          allowedOrigins: w?.allowedOrigins ?? [],
          color: w?.settings.color ?? '#1677ff',
          position: w?.settings.position ?? 'right',
          titleZh: w?.settings.title['zh-CN'] ?? '在线客服',
          titleEn: w?.settings.title.en ?? 'Chat with us',
          greetingZh: w?.settings.greeting['zh-CN'] ?? '您好！有什么可以帮您？',
          greetingEn: w?.settings.greeting.en ?? 'Hello! How can we help?',
          timezone: w?.settings.businessHours?.timezone ?? 'Asia/Shanghai',
          weekdays: weekdayHours ? `${weekdayHours[0]}-${weekdayHours[1]}` : '',
          enabled: w?.enabled ?? true,
          voiceCall: w?.settings.voiceCall ?? 'agent',
          offlineWhenNoAgents: w?.settings.offlineWhenNoAgents ?? false,
          autoReplySeconds: w === null ? 60 : (w.settings.autoReply?.afterSeconds ?? null),
          autoReplyZh: w?.settings.autoReply?.text['zh-CN'] ?? AUTO_REPLY_ZH,
          autoReplyEn: w?.settings.autoReply?.text.en ?? AUTO_REPLY_EN,
        }}
      >
        <Form.Item name="name" label={t('webchat.widgets.name')} rules={[{ required: true, message: t('common.required') }]}>
          <Input maxLength={120} />
        </Form.Item>
        {w === null && (
          <Form.Item name="divisionId" label={t('webchat.widgets.division')} rules={[{ required: true, message: t('common.required') }]}>
            <Select options={(divisions.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
          </Form.Item>
        )}
        <Form.Item name="allowedOrigins" label={t('webchat.widgets.origins')} extra={t('webchat.widgets.originsHelp')}>
          <Select mode="tags" open={false} placeholder={t('webchat.widgets.originsPlaceholder')} tokenSeparators={[' ', ',']} aria-label={t('webchat.widgets.origins')} />
        </Form.Item>
        <Space size="large">
          <Form.Item name="color" label={t('webchat.widgets.color')}>
            <ColorPicker disabledAlpha />
          </Form.Item>
          <Form.Item name="position" label={t('webchat.widgets.position')}>
            <Select style={{ width: 140 }} options={[{ value: 'right', label: t('webchat.widgets.positionRight') }, { value: 'left', label: t('webchat.widgets.positionLeft') }]} />
          </Form.Item>
          <Form.Item name="enabled" label={t('webchat.widgets.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Form.Item name="voiceCall" label={t('webchat.widgets.voiceCall')} extra={t('webchat.widgets.voiceCallHelp')}>
          <Select
            aria-label={t('webchat.widgets.voiceCall')}
            options={[
              { value: 'off', label: t('webchat.widgets.voiceCallOff') },
              { value: 'agent', label: t('webchat.widgets.voiceCallAgent') },
              { value: 'agent_and_visitor', label: t('webchat.widgets.voiceCallBoth') },
            ]}
          />
        </Form.Item>
        <Form.Item name="titleZh" label={t('webchat.widgets.titleZh')}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="titleEn" label={t('webchat.widgets.titleEn')}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="greetingZh" label={t('webchat.widgets.greetingZh')}>
          <Input.TextArea maxLength={500} autoSize />
        </Form.Item>
        <Form.Item name="greetingEn" label={t('webchat.widgets.greetingEn')}>
          <Input.TextArea maxLength={500} autoSize />
        </Form.Item>
        <Form.Item name="offlineWhenNoAgents" label={t('webchat.widgets.offlineWhenNoAgents')} extra={t('webchat.widgets.offlineWhenNoAgentsHelp')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="autoReplySeconds" label={t('webchat.widgets.autoReplySeconds')} extra={t('webchat.widgets.autoReplyHelp')}>
          <InputNumber min={5} max={3600} style={{ width: 140 }} aria-label={t('webchat.widgets.autoReplySeconds')} />
        </Form.Item>
        <Form.Item name="autoReplyZh" label={t('webchat.widgets.autoReplyZh')}>
          <Input.TextArea maxLength={500} autoSize />
        </Form.Item>
        <Form.Item name="autoReplyEn" label={t('webchat.widgets.autoReplyEn')}>
          <Input.TextArea maxLength={500} autoSize />
        </Form.Item>
        <Typography.Text type="secondary">{t('webchat.widgets.hoursHelp')}</Typography.Text>
        <Space>
          <Form.Item name="timezone" label={t('webchat.widgets.timezone')}>
            <Input style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="weekdays" label={t('webchat.widgets.weekdays')} rules={[{ pattern: /^(\s*|\d{2}:\d{2}-\d{2}:\d{2})$/, message: '09:00-18:00' }]}>
            <Input placeholder="09:00-18:00" style={{ width: 180 }} />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}
