// The queue editor: channels, strategy, service level, maximum wait, overflow chain, priority rules and aging,
// after-call work, offer timeout, callbacks and wrap-up codes.
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Divider, Form, Input, InputNumber, Modal, Select, Space, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, showFieldError } from '../../components/errors.ts';
import { useDivisions, useFirstDivisionDefault } from '../admin/admin-data.ts';
import { channelNames, routingApi, strategyNames, type OverflowRule, type PriorityRule, type Queue, type WrapupCode } from './routing-api.ts';

interface OverflowRow { afterSeconds: number; action: 'queue' | 'relax_skills'; queueId?: string; by?: number }
interface PriorityRow { attribute: string; equals: string; boost: number }
interface QueueForm {
  name: string;
  divisionId: string;
  channels: string[];
  strategy: Queue['strategy'];
  serviceLevelSeconds: number;
  serviceLevelPercent: number;
  maxWaitSeconds: number | null;
  agingPerMinute: number;
  acwSeconds: number;
  offerTimeoutSeconds: number;
  callbacksOffered: boolean;
  positionEverySeconds: number;
  announceEstimatedWait: boolean;
  overflow: OverflowRow[];
  priorityRules: PriorityRow[];
  wrapupCodes: WrapupCode[];
}

/** A rule's value typed in a text box: true/false and numbers mean themselves (attributes are JSON values). */
const parseEquals = (text: string): PriorityRule['equals'] => {
  const s = text.trim();
  if (s === 'true' || s === 'false') return s === 'true';
  return s !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
};

export function QueueFormModal(props: { queue: Queue | null; queues: Queue[]; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const divisions = useDivisions();
  const [form] = Form.useForm<QueueForm>();
  const [busy, setBusy] = useState(false);
  const q = props.queue;
  const otherQueues = props.queues.filter((x) => x.id !== q?.id).map((x) => ({ value: x.id, label: x.name }));
  useFirstDivisionDefault(form, q === null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const overflow: OverflowRule[] = (v.overflow ?? []).map((r) =>
        r.action === 'queue' ? { afterSeconds: r.afterSeconds, action: 'queue', queueId: r.queueId! } : { afterSeconds: r.afterSeconds, action: 'relax_skills', by: r.by ?? 1 },
      );
      const input = {
        name: v.name.trim(),
        channels: v.channels,
        strategy: v.strategy,
        serviceLevelSeconds: v.serviceLevelSeconds,
        serviceLevelTarget: v.serviceLevelPercent / 100,
        maxWaitSeconds: v.maxWaitSeconds ?? null,
        agingPerMinute: v.agingPerMinute ?? 0,
        acwSeconds: v.acwSeconds,
        offerTimeoutSeconds: v.offerTimeoutSeconds,
        callbacksOffered: v.callbacksOffered,
        announcements: { positionEverySeconds: v.positionEverySeconds ?? 0, estimatedWait: v.announceEstimatedWait },
        overflow,
        priorityRules: (v.priorityRules ?? []).map((r) => ({ attribute: r.attribute.trim(), equals: parseEquals(r.equals), boost: r.boost })),
        wrapupCodes: (v.wrapupCodes ?? []).map((c) => ({ code: c.code.trim(), label: c.label.trim() })),
      };
      if (q === null) await routingApi.createQueue({ ...input, divisionId: v.divisionId });
      else await routingApi.updateQueue(q.id, input);
      void message.success(t('common.saved'));
      props.onSaved();
    } catch (error) {
      if (!showFieldError(form, error, ['name', 'divisionId', 'channels', 'strategy', 'maxWaitSeconds', 'overflow', 'priorityRules', 'wrapupCodes'])) void message.error(errorText(error, t));
    } finally {
      setBusy(false);
    }
  };
  const required = [{ required: true, message: t('common.required') }];
  return (
    <Modal open width={760} title={q === null ? t('routing.createQueue') : t('routing.editQueue')} okText={q === null ? t('common.create') : t('common.save')} cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => void submit().catch(() => undefined)} onCancel={props.onClose} destroyOnHidden>
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
          maxWaitSeconds: q?.maxWaitSeconds ?? null,
          agingPerMinute: q?.agingPerMinute ?? 0,
          acwSeconds: q?.acwSeconds ?? 30,
          offerTimeoutSeconds: q?.offerTimeoutSeconds ?? 20,
          callbacksOffered: q?.callbacksOffered ?? false,
          positionEverySeconds: q?.announcements?.positionEverySeconds ?? 0,
          announceEstimatedWait: q?.announcements?.estimatedWait ?? false,
          overflow: (q?.overflow ?? []).map((r) => ({ ...r })),
          priorityRules: (q?.priorityRules ?? []).map((r) => ({ ...r, equals: String(r.equals) })),
          wrapupCodes: q?.wrapupCodes ?? [],
        }}
      >
        <Form.Item name="name" label={t('common.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        {q === null && (
          <Form.Item name="divisionId" label={t('routing.division')} rules={required}>
            <Select options={(divisions.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
          </Form.Item>
        )}
        <Form.Item name="channels" label={t('routing.channels')} rules={required}>
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
          <Form.Item name="maxWaitSeconds" label={t('routing.maxWait')}>
            <InputNumber min={1} max={86400} addonAfter="s" placeholder={t('routing.noLimit')} />
          </Form.Item>
          <Form.Item name="acwSeconds" label={t('routing.acw')}>
            <InputNumber min={0} max={3600} addonAfter="s" />
          </Form.Item>
          <Form.Item name="offerTimeoutSeconds" label={t('routing.offerTimeout')}>
            <InputNumber min={1} max={300} addonAfter="s" />
          </Form.Item>
          <Form.Item name="agingPerMinute" label={t('routing.aging')}>
            <InputNumber min={0} max={100} step={0.5} />
          </Form.Item>
        </Space>
        <Space wrap size="large">
          <Form.Item name="callbacksOffered" label={t('routing.callbacks')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="positionEverySeconds" label={t('routing.announcePosition')} tooltip={t('routing.announcePositionHelp')}>
            <InputNumber min={0} max={3600} addonAfter="s" />
          </Form.Item>
          <Form.Item name="announceEstimatedWait" label={t('routing.announceWait')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>

        <Divider orientation="left" plain>{t('routing.overflow')}</Divider>
        <Form.List name="overflow">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, i) => (
                <Space key={field.key} align="baseline" wrap>
                  <Form.Item name={[field.name, 'afterSeconds']} rules={required} label={i === 0 ? t('routing.afterSeconds') : undefined}>
                    <InputNumber min={1} max={86400} addonAfter="s" aria-label={t('routing.afterSeconds')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'action']} rules={required} label={i === 0 ? t('routing.overflowAction') : undefined}>
                    <Select style={{ width: 170 }} aria-label={t('routing.overflowAction')} options={[{ value: 'queue', label: t('routing.toQueue') }, { value: 'relax_skills', label: t('routing.relaxSkills') }]} />
                  </Form.Item>
                  <Form.Item noStyle shouldUpdate>
                    {() =>
                      form.getFieldValue(['overflow', field.name, 'action']) === 'queue' ? (
                        <Form.Item name={[field.name, 'queueId']} rules={required} label={i === 0 ? t('routing.targetQueue') : undefined}>
                          <Select style={{ width: 200 }} aria-label={t('routing.targetQueue')} options={otherQueues} />
                        </Form.Item>
                      ) : (
                        <Form.Item name={[field.name, 'by']} initialValue={1} label={i === 0 ? t('routing.relaxBy') : undefined}>
                          <InputNumber min={1} max={4} aria-label={t('routing.relaxBy')} />
                        </Form.Item>
                      )
                    }
                  </Form.Item>
                  <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} onClick={() => remove(field.name)} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ afterSeconds: 60, action: 'relax_skills', by: 1 })}>{t('routing.addOverflow')}</Button>
            </>
          )}
        </Form.List>

        <Divider orientation="left" plain>{t('routing.priorityRules')}</Divider>
        <Form.List name="priorityRules">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, i) => (
                <Space key={field.key} align="baseline" wrap>
                  <Form.Item name={[field.name, 'attribute']} rules={required} label={i === 0 ? t('routing.attribute') : undefined}>
                    <Input placeholder="vip" aria-label={t('routing.attribute')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'equals']} rules={required} label={i === 0 ? t('routing.equals') : undefined}>
                    <Input placeholder="true" aria-label={t('routing.equals')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'boost']} rules={required} label={i === 0 ? t('routing.boost') : undefined}>
                    <InputNumber min={-1000} max={1000} aria-label={t('routing.boost')} />
                  </Form.Item>
                  <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} onClick={() => remove(field.name)} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ attribute: 'vip', equals: 'true', boost: 10 })}>{t('routing.addPriorityRule')}</Button>
            </>
          )}
        </Form.List>

        <Divider orientation="left" plain>{t('routing.wrapupCodes')}</Divider>
        <Form.List name="wrapupCodes">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, i) => (
                <Space key={field.key} align="baseline" wrap>
                  <Form.Item name={[field.name, 'code']} rules={[{ required: true, whitespace: true, message: t('common.required') }]} label={i === 0 ? t('routing.wrapupCode') : undefined}>
                    <Input aria-label={t('routing.wrapupCode')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'label']} rules={[{ required: true, whitespace: true, message: t('common.required') }]} label={i === 0 ? t('routing.wrapupLabel') : undefined}>
                    <Input aria-label={t('routing.wrapupLabel')} />
                  </Form.Item>
                  <Button type="text" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} onClick={() => remove(field.name)} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ code: '', label: '' })}>{t('routing.addWrapupCode')}</Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
