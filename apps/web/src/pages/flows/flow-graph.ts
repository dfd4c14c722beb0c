// Pure helpers of the editor: a node's exits from its spec, new nodes with their spec's defaults, and the
// conversion between the stored graph and the canvas' nodes and edges.
import { nodeConfigs, nodeSpecs, nodeTypes, type FlowGraph, type FlowNode, type NodeType } from '@kefu/contracts';
import type { Edge, Node } from '@xyflow/react';

export const isNodeType = (t: string): t is NodeType => (nodeTypes as string[]).includes(t);

/** The node's exits (required first), and `error`, from its spec and current config. */
export function exitsOf(node: FlowNode): { required: string[]; optional: string[] } {
  if (!isNodeType(node.type)) return { required: [], optional: Object.keys(node.next) };
  const parsed = nodeConfigs[node.type].safeParse(node.config);
  const fromSpec = parsed.success ? (nodeSpecs[node.type].ports as (c: unknown) => { required: string[]; optional: string[] })(parsed.data) : { required: Object.keys(node.next).filter((p) => p !== 'error'), optional: [] };
  return { required: fromSpec.required, optional: [...fromSpec.optional, 'error'] };
}

/** Defaults a new node needs to be valid enough to edit (the rest comes from the spec's defaults). */
const starters: Partial<Record<NodeType, Record<string, unknown>>> = {
  say: { prompt: { text: '您好 Hello', language: 'auto' } },
  menu: { prompt: { text: '请按1 Press 1', language: 'auto' }, options: [{ digit: '1', label: '' }] },
  collect_digits: { prompt: { text: '请输入号码 Enter the number', language: 'auto' }, variable: 'number' },
  ask: { prompt: { text: 'How can I help?', language: 'en' }, choices: [{ value: 'sales', phrases: ['sales'] }] },
  http_request: { url: 'https://example.com/api' },
  switch: { cases: [{ port: 'yes', variable: 'x', op: 'eq', value: '1' }] },
  set_variable: { assignments: [{ variable: 'x', value: '1' }] },
  business_hours: { timezone: 'Asia/Shanghai', weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })) },
  language_select: { prompt: { text: '普通话请按1，For English press 2', language: 'auto' }, options: [{ digit: '1', language: 'zh' }, { digit: '2', language: 'en' }] },
  play: {},
  transfer: { target: { kind: 'extension', extension: '1001' } },
  message: { text: '您好 Hello' },
  buttons: { text: '请选择 Please choose', buttons: [{ id: 'a', label: 'A' }] },
  collect: { text: '请输入 Please enter', variable: 'value' },
};

export function newNode(type: NodeType, existing: FlowNode[], position: { x: number; y: number }): FlowNode {
  let n = 1;
  while (existing.some((e) => e.id === `${type}_${n}`)) n++;
  return { id: `${type}_${n}`, type, label: '', config: structuredClone(starters[type] ?? {}), next: {}, position };
}

export function toCanvas(graph: FlowGraph, selected: string | null, problemNodes: Set<string>, stats: Map<string, { entered: number; dropped: number }> = new Map()): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = graph.nodes.map((n, i) => ({
    id: n.id,
    type: 'flowNode',
    position: n.position ?? { x: (i % 4) * 240, y: Math.floor(i / 4) * 180 },
    selected: n.id === selected,
    data: { node: n, start: graph.start === n.id, problem: problemNodes.has(n.id), stats: stats.get(n.id) },
  }));
  const edges: Edge[] = graph.nodes.flatMap((n) => Object.entries(n.next).map(([port, target]) => ({
    id: `${n.id}:${port}`, source: n.id, sourceHandle: port, target, label: port, style: port === 'error' ? { stroke: '#cf1322' } : undefined,
  })));
  return { nodes, edges };
}
