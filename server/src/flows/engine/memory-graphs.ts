// A GraphSource over graphs held in memory: node tests, the benchmark, and drafts the simulator runs unsaved.
import type { FlowChannel, FlowGraph } from '@kefu/contracts';
import type { GraphSource } from './flow-runner.ts';
import type { LoadedGraph } from './flow-types.ts';

export function loaded(flowId: string, version: number | 'draft', channel: FlowChannel, graph: FlowGraph): LoadedGraph {
  return { flowId, version, channel, graph, nodes: new Map(graph.nodes.map((n) => [n.id, n])) };
}

export class MemoryGraphs implements GraphSource {
  private readonly flows = new Map<string, LoadedGraph>();

  put(flowId: string, channel: FlowChannel, graph: FlowGraph, version = 1): void {
    this.flows.set(flowId, loaded(flowId, version, channel, graph));
  }

  async load(_tenantId: string, flowId: string): Promise<LoadedGraph> {
    const g = this.flows.get(flowId);
    if (!g) throw new Error(`flow ${flowId} is not published`);
    return g;
  }
}
