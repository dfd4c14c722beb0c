import { nodeSpecs } from '@kefu/contracts';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { FlowNode } from '@kefu/contracts';
import { exitsOf, isNodeType } from './flow-graph.ts';

/** One node on the canvas: its type and id, an entry on top and one handle per exit below. */
export function FlowNodeView({ data, selected }: NodeProps) {
  const { t, i18n } = useTranslation();
  const { node, start, problem, stats } = data as { node: FlowNode; start: boolean; problem: boolean; stats?: { entered: number; dropped: number } };
  const exits = exitsOf(node);
  const all = [...exits.required, ...exits.optional];
  const label = isNodeType(node.type) ? nodeSpecs[node.type].label[i18n.language === 'zh-CN' ? 'zh' : 'en'] : node.type;
  return (
    <div
      data-testid={`flow-node-${node.id}`}
      style={{
        minWidth: Math.max(160, all.length * 56), background: '#fff', borderRadius: 6, padding: '6px 10px 18px',
        border: `2px solid ${problem ? '#cf1322' : selected ? '#1677ff' : '#d9d9d9'}`, fontSize: 12,
      }}
    >
      <Handle type="target" position={Position.Top} />
      <div style={{ fontWeight: 600 }}>{node.label || label} {start && <Tag color="green">start</Tag>}</div>
      <div style={{ color: '#888' }}>{node.id}</div>
      {stats && <div style={{ color: '#555', fontSize: 10 }}>{t('flows.statsLine', { entered: stats.entered, dropped: stats.dropped })}</div>}
      {all.map((port, i) => (
        <Handle key={port} id={port} type="source" position={Position.Bottom} style={{ left: `${((i + 0.5) / all.length) * 100}%`, background: port === 'error' ? '#cf1322' : exits.required.includes(port) ? '#1677ff' : '#999' }}>
          <span style={{ position: 'absolute', top: 6, left: -20, width: 40, textAlign: 'center', fontSize: 9, color: '#555', pointerEvents: 'none' }}>{port}</span>
        </Handle>
      ))}
    </div>
  );
}
