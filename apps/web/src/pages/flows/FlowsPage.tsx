// The flow editor: pick or create a flow, add nodes from the palette (click or drag), set them in the inspector
// generated from their specs, connect exits on the canvas or in the inspector, save, and publish — blocked with
// the list of problems while there are any. Versions with diff and rollback, and a simulator that runs the draft
// as a text conversation with the prompts playable.
import '@xyflow/react/dist/style.css';
import { BranchesOutlined, CloudUploadOutlined, HistoryOutlined, PlusOutlined, SafetyOutlined, SaveOutlined, SoundOutlined } from '@ant-design/icons';
import { nodeSpecs, nodeTypes, type FlowGraph, type FlowNode, type FlowProblem, type NodeType } from '@kefu/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type Connection, type NodeChange } from '@xyflow/react';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useCallback, useMemo, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../components/errors.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useDivisions, useFirstDivisionDefault } from '../admin/admin-data.ts';
import { FlowNodeView } from './FlowNodeView.tsx';
import { newNode, toCanvas } from './flow-graph.ts';
import { flowsApi, type FlowDetail } from './flows-api.ts';
import { NodeInspector } from './NodeInspector.tsx';
import { SimulatorPanel } from './SimulatorPanel.tsx';
import { VersionsDrawer } from './VersionsDrawer.tsx';
import { HttpAllowListModal } from './HttpAllowListModal.tsx';
import { PromptLibraryDrawer } from './PromptLibraryDrawer.tsx';

const nodeViews = { flowNode: FlowNodeView };

export default function FlowsPage() {
  const { t } = useTranslation();
  const flows = useQuery({ queryKey: ['flows'], queryFn: flowsApi.list });
  const [flowId, setFlowId] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const [library, setLibrary] = useState<'prompts' | 'allowList' | null>(null);
  const current = flowId ?? flows.data?.[0]?.id;
  return (
    <>
      <PageHeader
        title={t('flows.title')}
        subtitle={t('flows.subtitle')}
        extra={
          <>
            <Select aria-label={t('flows.chooseFlow')} placeholder={t('flows.chooseFlow')} style={{ width: 260 }} value={current} onChange={setFlowId}
              options={(flows.data ?? []).map((f) => ({ value: f.id, label: `${f.name} (${f.channel === 'voice' ? t('flows.channelVoice') : t('flows.channelChat')})` }))} />
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('flows.newFlow')}</Button>
            <Button icon={<SoundOutlined />} onClick={() => setLibrary('prompts')}>{t('flows.prompts')}</Button>
            <Button icon={<SafetyOutlined />} onClick={() => setLibrary('allowList')}>{t('flows.allowList')}</Button>
          </>
        }
      />
      {current ? <ReactFlowProvider key={current}><FlowEditor flowId={current} /></ReactFlowProvider> : <Empty />}
      {library === 'prompts' && <PromptLibraryDrawer onClose={() => setLibrary(null)} />}
      {library === 'allowList' && <HttpAllowListModal onClose={() => setLibrary(null)} />}
      {creating && <NewFlowModal onClose={(id) => { setCreating(false); if (id) setFlowId(id); }} />}
    </>
  );
}

function NewFlowModal(props: { onClose: (id?: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const divisions = useDivisions();
  const [form] = Form.useForm<{ name: string; channel: 'voice' | 'chat'; divisionId: string }>();
  useFirstDivisionDefault(form, true);
  return (
    <Modal open title={t('flows.newFlow')} onCancel={() => props.onClose()} onOk={() => form.submit()} okText={t('flows.newFlow')}>
      <Form form={form} layout="vertical" initialValues={{ channel: 'voice', divisionId: divisions.data?.[0]?.id }} onFinish={async (values) => {
        try {
          const created = await flowsApi.create({ ...values, divisionId: values.divisionId ?? divisions.data![0]!.id });
          await queryClient.invalidateQueries({ queryKey: ['flows'] });
          props.onClose(created.id);
        } catch (error) {
          void message.error(errorText(error, t));
        }
      }}>
        <Form.Item name="name" label={t('flows.name')} rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item name="channel" label={t('flows.channel')}>
          <Select options={[{ value: 'voice', label: t('flows.channelVoice') }, { value: 'chat', label: t('flows.channelChat') }]} />
        </Form.Item>
        <Form.Item name="divisionId" label={t('flows.division')}>
          <Select options={(divisions.data ?? []).map((d) => ({ value: d.id, label: d.name }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function FlowEditor(props: { flowId: string }) {
  const flow = useQuery({ queryKey: ['flows', props.flowId], queryFn: () => flowsApi.get(props.flowId) });
  if (!flow.data) return null;
  return <Editor key={flow.data.versions[0]?.id ?? 'draft'} flow={flow.data} />;
}

function Editor(props: { flow: FlowDetail }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const { screenToFlowPosition } = useReactFlow();
  const [graph, setGraph] = useState<FlowGraph>(props.flow.draft);
  const [selected, setSelected] = useState<string | null>(null);
  const [problems, setProblems] = useState<FlowProblem[] | null>(null);
  const [dirty, setDirty] = useState(false);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [simOpen, setSimOpen] = useState(false);
  const queues = useQuery({ queryKey: ['flows', 'queues'], queryFn: flowsApi.queues });
  // Where runs went and where callers hung up (the path log), shown on each node.
  const pathStats = useQuery({ queryKey: ['flows', props.flow.id, 'path-stats'], queryFn: () => flowsApi.pathStats(props.flow.id) });
  const stats = useMemo(() => new Map((pathStats.data ?? []).map((n) => [n.nodeId, n])), [pathStats.data]);
  const divisionQueues = (queues.data ?? []).filter((q) => q.divisionId === props.flow.divisionId);
  // Survey nodes pick a published flow of the same channel (not this one).
  const allFlows = useQuery({ queryKey: ['flows'], queryFn: flowsApi.list });
  const surveyFlows = (allFlows.data ?? []).filter((f) => f.channel === props.flow.channel && f.publishedVersion !== null && f.id !== props.flow.id);
  const update = useCallback((g: FlowGraph) => {
    setGraph(g);
    setDirty(true);
  }, []);
  const problemNodes = useMemo(() => new Set((problems ?? []).map((p) => p.nodeId).filter((x): x is string => !!x)), [problems]);
  const canvas = useMemo(() => toCanvas(graph, selected, problemNodes, stats), [graph, selected, problemNodes, stats]);
  const palette = nodeTypes.filter((type) => (nodeSpecs[type].channels as readonly string[]).includes(props.flow.channel));
  const lang = i18n.language === 'zh-CN' ? 'zh' : 'en';

  const add = (type: NodeType, position?: { x: number; y: number }) => {
    const node = newNode(type, graph.nodes, position ?? { x: 40 + graph.nodes.length * 30, y: 60 + graph.nodes.length * 40 });
    update({ ...graph, nodes: [...graph.nodes, node] });
    setSelected(node.id);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const type = e.dataTransfer.getData('application/kefu-node') as NodeType;
    if (type) add(type, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
  };
  const onNodesChange = (changes: NodeChange[]) => {
    let moved = false;
    const nodes = graph.nodes.map((n) => {
      const c = changes.find((x) => 'id' in x && x.id === n.id && x.type === 'position' && x.position);
      if (c && c.type === 'position' && c.position) {
        moved = true;
        return { ...n, position: { x: Math.round(c.position.x), y: Math.round(c.position.y) } };
      }
      return n;
    });
    if (moved) update({ ...graph, nodes });
    const sel = changes.find((c) => c.type === 'select' && c.selected);
    if (sel && 'id' in sel) setSelected(sel.id);
  };
  const onConnect = (c: Connection) => {
    if (!c.sourceHandle) return;
    update({ ...graph, nodes: graph.nodes.map((n) => (n.id === c.source ? { ...n, next: { ...n.next, [c.sourceHandle!]: c.target } } : n)) });
  };
  const save = async (): Promise<FlowProblem[] | undefined> => {
    try {
      const saved = await flowsApi.save(props.flow.id, graph);
      setProblems(saved.problems);
      setDirty(false);
      return saved.problems;
    } catch (error) {
      void message.error(errorText(error, t));
      return undefined;
    }
  };
  const publish = async () => {
    const found = await save();
    if (!found || found.length) return; // the list shows above the canvas
    try {
      const v = await flowsApi.publish(props.flow.id);
      void message.success(t('flows.published', { version: v.version }));
      await queryClient.invalidateQueries({ queryKey: ['flows'] });
    } catch (error) {
      void message.error(errorText(error, t));
    }
  };
  const node = graph.nodes.find((n) => n.id === selected);

  return (
    <>
      <Flex gap={8} align="center" style={{ marginBottom: 8 }}>
        <Button icon={<SaveOutlined />} onClick={async () => { if (await save()) void message.success(t('flows.saved')); }}>{t('flows.save')}{dirty ? ' *' : ''}</Button>
        <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => void publish()}>{t('flows.publish')}</Button>
        <Button icon={<HistoryOutlined />} onClick={() => setVersionsOpen(true)}>{t('flows.versions')}</Button>
        <Button icon={<BranchesOutlined />} onClick={async () => { await save(); setSimOpen(true); }}>{t('flows.simulator')}</Button>
        <Typography.Text type="secondary">
          {props.flow.publishedVersion ? t('flows.published_', { version: props.flow.publishedVersion }) : t('flows.unpublished')}
        </Typography.Text>
        <Space style={{ marginLeft: 'auto' }}>
          <Typography.Text>{t('flows.errorNode')}</Typography.Text>
          <Select aria-label={t('flows.errorNode')} allowClear style={{ width: 160 }} value={graph.onError} placeholder={t('flows.exitNone')}
            options={graph.nodes.map((n) => ({ value: n.id, label: n.id }))}
            onChange={(v?: string) => update(v ? { ...graph, onError: v } : (({ onError: _, ...rest }) => rest)(graph))} />
        </Space>
      </Flex>
      {problems && (
        problems.length
          ? <Alert type="error" style={{ marginBottom: 8 }} message={t('flows.problems')} description={<ul style={{ margin: 0 }} aria-label={t('flows.problems')}>{problems.map((p, i) => <li key={i}>{p.message}</li>)}</ul>} />
          : <Alert type="success" style={{ marginBottom: 8 }} message={t('flows.noProblems')} />
      )}
      <Flex gap={8} style={{ height: 'calc(100vh - 290px)', minHeight: 480 }}>
        <Card size="small" title={t('flows.palette')} style={{ width: 170, overflow: 'auto' }} extra={null}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('flows.paletteHelp')}</Typography.Text>
          <Flex vertical gap={4} style={{ marginTop: 8 }}>
            {palette.map((type) => (
              <Button key={type} size="small" draggable aria-label={`add ${type}`}
                onDragStart={(e) => e.dataTransfer.setData('application/kefu-node', type)}
                onClick={() => add(type)}>
                {nodeSpecs[type].label[lang]}
              </Button>
            ))}
          </Flex>
        </Card>
        <div style={{ flex: 1, border: '1px solid #f0f0f0', borderRadius: 6 }} onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
          <ReactFlow nodes={canvas.nodes} edges={canvas.edges} nodeTypes={nodeViews} onNodesChange={onNodesChange} onConnect={onConnect}
            onNodeClick={(_, n) => setSelected(n.id)} onPaneClick={() => setSelected(null)} fitView deleteKeyCode={null}>
            <Background />
            <Controls />
          </ReactFlow>
        </div>
        <Card size="small" title={t('flows.inspector')} style={{ width: 340, overflow: 'auto' }}>
          {node
            ? <NodeInspector graph={graph} node={node} queues={divisionQueues} surveyFlows={surveyFlows}
                onChange={(changed: FlowNode) => update({ ...graph, nodes: graph.nodes.map((n) => (n.id === node.id ? changed : n)) })}
                onGraph={update}
                onDelete={() => {
                  update({ ...graph, nodes: graph.nodes.filter((n) => n.id !== node.id).map((n) => ({ ...n, next: Object.fromEntries(Object.entries(n.next).filter(([, v]) => v !== node.id)) })) });
                  setSelected(null);
                }} />
            : <Typography.Text type="secondary">{t('flows.noSelection')}</Typography.Text>}
        </Card>
      </Flex>
      {versionsOpen && <VersionsDrawer flow={props.flow} onClose={() => setVersionsOpen(false)} />}
      {simOpen && <SimulatorPanel flowId={props.flow.id} onClose={() => setSimOpen(false)} />}
    </>
  );
}
