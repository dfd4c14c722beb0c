// The difference between two versions of a flow, node by node: added, removed, and changed nodes with the
// top-level fields that changed (config, exits, type, label), plus changes of the start and error node.
import type { FlowGraph, FlowNode } from '@kefu/contracts';

export interface GraphDiff {
  added: string[];
  removed: string[];
  changed: { nodeId: string; fields: string[] }[];
  start?: { from: string; to: string };
  onError?: { from: string | null; to: string | null };
}

/** Stable JSON (sorted keys), so that key order never counts as a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function diffGraphs(before: FlowGraph, after: FlowGraph): GraphDiff {
  const a = new Map(before.nodes.map((n) => [n.id, n]));
  const b = new Map(after.nodes.map((n) => [n.id, n]));
  const diff: GraphDiff = { added: [], removed: [], changed: [] };
  for (const id of b.keys()) if (!a.has(id)) diff.added.push(id);
  for (const id of a.keys()) if (!b.has(id)) diff.removed.push(id);
  for (const [id, nb] of b) {
    const na = a.get(id);
    if (!na) continue;
    const fields = (['type', 'label', 'config', 'next'] as const satisfies readonly (keyof FlowNode)[]).flatMap((f) => {
      if (f === 'config') {
        const keys = new Set([...Object.keys(na.config), ...Object.keys(nb.config)]);
        return [...keys].filter((k) => canonical(na.config[k]) !== canonical(nb.config[k])).map((k) => `config.${k}`);
      }
      return canonical(na[f]) === canonical(nb[f]) ? [] : [f];
    });
    if (fields.length) diff.changed.push({ nodeId: id, fields });
  }
  if (before.start !== after.start) diff.start = { from: before.start, to: after.start };
  if ((before.onError ?? null) !== (after.onError ?? null)) diff.onError = { from: before.onError ?? null, to: after.onError ?? null };
  return diff;
}
