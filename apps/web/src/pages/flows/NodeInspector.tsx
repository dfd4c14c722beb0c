// The settings of the selected node, generated from its zod spec (JSON Schema of the config): text, numbers,
// switches and choices as fields, prompts as text with a language and a TTS preview, lists and objects as JSON;
// queues are picked by name. Problems of the spec show under their field as the admin types.
import { DeleteOutlined, SoundOutlined } from '@ant-design/icons';
import { nodeConfigs, type FlowGraph, type FlowNode } from '@kefu/contracts';
import { Button, Form, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { exitsOf, isNodeType } from './flow-graph.ts';
import { ttsPreviewUrl } from './flows-api.ts';
import { PromptPicker } from './PromptPicker.tsx';

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
}

const schemaCache = new Map<string, JsonSchema>();
function schemaOf(type: string): JsonSchema | undefined {
  if (!isNodeType(type)) return undefined;
  if (!schemaCache.has(type)) schemaCache.set(type, z.toJSONSchema(nodeConfigs[type], { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  return schemaCache.get(type);
}

function JsonField(props: { value: unknown; onChange: (v: unknown) => void; label: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState(JSON.stringify(props.value ?? null, null, 1));
  const [bad, setBad] = useState(false);
  useEffect(() => setText(JSON.stringify(props.value ?? null, null, 1)), [props.value]);
  return (
    <Input.TextArea
      aria-label={props.label}
      autoSize={{ minRows: 2, maxRows: 10 }}
      value={text}
      status={bad ? 'error' : undefined}
      placeholder={t('flows.jsonHelp')}
      onChange={(e) => {
        setText(e.target.value);
        try {
          props.onChange(JSON.parse(e.target.value));
          setBad(false);
        } catch {
          setBad(true);
        }
      }}
    />
  );
}

function Field(props: { name: string; schema: JsonSchema; value: unknown; onChange: (v: unknown) => void; queues: { id: string; name: string }[]; surveyFlows?: { id: string; name: string }[] }) {
  const { t } = useTranslation();
  const { name, schema, value, onChange } = props;
  // A play node's prompt: picked from the library (with upload and preview).
  if (name === 'promptId') return <PromptPicker value={value as string | undefined} onChange={onChange} />;
  // A survey node's flow: the published flows of this flow's channel, by name (publishing checks it again).
  if (name === 'surveyFlowId') {
    return <Select aria-label={name} value={value as string | undefined} onChange={onChange} options={(props.surveyFlows ?? []).map((f) => ({ value: f.id, label: f.name }))} style={{ width: '100%' }} />;
  }
  if (name === 'queueId') {
    return <Select aria-label={name} value={value as string | undefined} onChange={onChange} options={props.queues.map((q) => ({ value: q.id, label: q.name }))} style={{ width: '100%' }} />;
  }
  if (schema.enum) return <Select aria-label={name} value={(value ?? schema.default) as string} onChange={onChange} options={schema.enum.map((e) => ({ value: e as string, label: String(e) }))} />;
  if (schema.type === 'string') return <Input aria-label={name} value={(value as string | undefined) ?? ''} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />;
  if (schema.type === 'integer' || schema.type === 'number') return <InputNumber aria-label={name} value={(value ?? schema.default) as number | undefined} onChange={(v) => onChange(v ?? undefined)} style={{ width: '100%' }} />;
  if (schema.type === 'boolean') return <Switch aria-label={name} checked={Boolean(value ?? schema.default)} onChange={onChange} />;
  // A prompt: the text, its language, and a preview of how it sounds.
  if (schema.type === 'object' && schema.properties?.text && schema.properties.language) {
    const prompt = (value ?? {}) as { text?: string; language?: string };
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea aria-label={`${name} text`} autoSize value={prompt.text ?? ''} onChange={(e) => onChange({ ...prompt, text: e.target.value })} />
        <Space>
          <Select aria-label={`${name} language`} value={prompt.language ?? 'auto'} style={{ width: 100 }} onChange={(language) => onChange({ ...prompt, language })} options={['auto', 'zh', 'en', 'yue'].map((l) => ({ value: l, label: l }))} />
          <Button icon={<SoundOutlined />} disabled={!prompt.text} onClick={() => void new Audio(ttsPreviewUrl(prompt.text!, prompt.language)).play()}>{t('flows.listen')}</Button>
        </Space>
      </Space>
    );
  }
  return <JsonField label={name} value={value} onChange={onChange} />;
}

/** The play node's `file` (a prompt directory file, from before the library) shows only on nodes that use it. */
const hiddenUnlessSet = (node: FlowNode, key: string) => node.type === 'play' && key === 'file' && node.config.file === undefined;
const labelOf = (node: FlowNode, key: string, t: (k: 'flows.prompt' | 'flows.legacyFile') => string) =>
  node.type === 'play' && key === 'promptId' ? t('flows.prompt') : node.type === 'play' && key === 'file' ? t('flows.legacyFile') : key;

export function NodeInspector(props: {
  graph: FlowGraph;
  node: FlowNode;
  queues: { id: string; name: string }[];
  /** Flows a survey node may hand customers to: published, of this flow's channel. */
  surveyFlows?: { id: string; name: string }[];
  onChange: (node: FlowNode) => void;
  onDelete: () => void;
  onGraph: (graph: FlowGraph) => void;
}) {
  const { t } = useTranslation();
  const { node, graph } = props;
  const schema = schemaOf(node.type);
  const parsed = isNodeType(node.type) ? nodeConfigs[node.type].safeParse(node.config) : undefined;
  const issues = new Map<string, string>();
  if (parsed && !parsed.success) for (const issue of parsed.error.issues) issues.set(String(issue.path[0] ?? ''), issue.message);
  const exits = exitsOf(node);
  const others = graph.nodes.filter((n) => n.id !== node.id).map((n) => ({ value: n.id, label: n.id }));
  const setConfig = (key: string, v: unknown) => {
    const config = { ...node.config };
    if (v === undefined) delete config[key];
    else config[key] = v;
    props.onChange({ ...node, config });
  };
  return (
    <Form layout="vertical" size="small" aria-label={t('flows.inspector')}>
      <Typography.Title level={5} style={{ marginTop: 0 }}>{node.id} · {node.type}</Typography.Title>
      <Form.Item label={t('flows.label')}>
        <Input aria-label={t('flows.label')} value={node.label} onChange={(e) => props.onChange({ ...node, label: e.target.value })} />
      </Form.Item>
      {Object.entries(schema?.properties ?? {}).filter(([key]) => !hiddenUnlessSet(node, key)).map(([key, s]) => (
        <Form.Item key={key} label={labelOf(node, key, t)} required={schema?.required?.includes(key) && s.default === undefined} validateStatus={issues.has(key) ? 'error' : undefined} help={issues.get(key)}>
          <Field name={key} schema={s} value={node.config[key]} onChange={(v) => setConfig(key, v)} queues={props.queues} surveyFlows={props.surveyFlows} />
        </Form.Item>
      ))}
      {issues.has('') && <Typography.Text type="danger">{issues.get('')}</Typography.Text>}
      <Typography.Title level={5}>{t('flows.exits')}</Typography.Title>
      {[...exits.required, ...exits.optional].map((port) => (
        <Form.Item key={port} label={port} required={exits.required.includes(port)}>
          <Select
            aria-label={`exit ${port}`}
            allowClear
            placeholder={t('flows.exitNone')}
            value={node.next[port]}
            options={others}
            onChange={(target?: string) => {
              const next = { ...node.next };
              if (target) next[port] = target;
              else delete next[port];
              props.onChange({ ...node, next });
            }}
          />
        </Form.Item>
      ))}
      <Space>
        <Button size="small" onClick={() => props.onGraph({ ...graph, start: node.id })} disabled={graph.start === node.id}>{t('flows.startNode')}</Button>
        <Button size="small" danger icon={<DeleteOutlined />} onClick={props.onDelete}>{t('flows.deleteNode')}</Button>
      </Space>
    </Form>
  );
}
