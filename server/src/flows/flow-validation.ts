// Checks a graph before it is published and lists every problem, so the editor can show them all at once:
// unknown node types, configs that break their spec, exits left unconnected, links to missing nodes, nodes no
// path reaches, nodes of the other channel, and references to queues, flows, secrets or prompts the tenant lacks.
import { nodeConfigs, nodeSpecs, nodeTypes, type FlowChannel, type FlowGraph, type FlowProblem, type NodeType } from '@kefu/contracts';
import { safeRegex } from './engine/variables.ts';

/** Which referenced objects exist (looked up once per validation, in the tenant and division). */
export interface FlowReferences {
  /** The channel of each published flow among `ids` (survey flows must be of the surveyed flow's channel). */
  publishedChannels?(ids: string[]): Promise<Map<string, FlowChannel>>;
  queues(ids: string[]): Promise<Set<string>>;
  flows(ids: string[]): Promise<Set<string>>;
  secrets(names: string[]): Promise<Set<string>>;
  /** Prompts of the tenant's library. */
  prompts(ids: string[]): Promise<Set<string>>;
}

const isNodeType = (t: string): t is NodeType => (nodeTypes as string[]).includes(t);

export async function validateGraph(graph: FlowGraph, channel: FlowChannel, refs: FlowReferences): Promise<FlowProblem[]> {
  const problems: FlowProblem[] = [];
  const ids = new Set<string>();
  for (const n of graph.nodes) {
    if (ids.has(n.id)) problems.push({ code: 'duplicate_id', nodeId: n.id, message: `two nodes have the id ${n.id}` });
    ids.add(n.id);
  }
  if (!ids.has(graph.start)) problems.push({ code: 'no_start', field: 'start', message: `the start node ${graph.start} does not exist` });
  if (graph.onError && !ids.has(graph.onError)) problems.push({ code: 'unknown_target', field: 'onError', message: `the error node ${graph.onError} does not exist` });

  const surveyRefs: { nodeId: string; value: string }[] = [];
  const queueIds = new Set<string>();
  const flowIds = new Set<string>();
  const secretNames = new Set<string>();
  const promptIds = new Set<string>();
  const refsOf: { nodeId: string; kind: 'queue' | 'flow' | 'secret' | 'prompt'; value: string }[] = [];

  for (const n of graph.nodes) {
    if (!isNodeType(n.type)) {
      problems.push({ code: 'unknown_type', nodeId: n.id, message: `${n.id}: unknown node type ${n.type}` });
      continue;
    }
    const spec = nodeSpecs[n.type];
    if (!(spec.channels as readonly string[]).includes(channel)) problems.push({ code: 'wrong_channel', nodeId: n.id, message: `${n.id}: a ${n.type} node cannot run in a ${channel} flow` });
    const parsed = nodeConfigs[n.type].safeParse(n.config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.join('.');
        problems.push({ code: 'invalid_config', nodeId: n.id, field, message: `${n.id}: ${field || 'config'}: ${issue.message}` });
      }
      continue;
    }
    const config = parsed.data as Record<string, unknown>;
    for (const key of ['pattern'] as const) {
      if (typeof config[key] === 'string' && !safeRegex(config[key])) problems.push({ code: 'invalid_config', nodeId: n.id, field: key, message: `${n.id}: ${key}: is not a valid regular expression` });
    }
    const ports = (spec.ports as (c: unknown) => { required: string[]; optional: string[] })(config);
    for (const port of ports.required) {
      if (!n.next[port]) problems.push({ code: 'missing_branch', nodeId: n.id, field: `next.${port}`, message: `${n.id}: exit ${port} is not connected` });
    }
    const known = new Set([...ports.required, ...ports.optional, 'error']);
    for (const [port, target] of Object.entries(n.next)) {
      if (!known.has(port)) problems.push({ code: 'unknown_target', nodeId: n.id, field: `next.${port}`, message: `${n.id}: a ${n.type} node has no exit ${port}` });
      else if (!ids.has(target)) problems.push({ code: 'unknown_target', nodeId: n.id, field: `next.${port}`, message: `${n.id}: exit ${port} leads to ${target}, which does not exist` });
    }
    if (n.type === 'queue' || n.type === 'hand_off' || n.type === 'callback') refsOf.push({ nodeId: n.id, kind: 'queue', value: config.queueId as string });
    if (n.type === 'play' && typeof config.promptId === 'string') refsOf.push({ nodeId: n.id, kind: 'prompt', value: config.promptId });
    if (n.type === 'sub_flow') refsOf.push({ nodeId: n.id, kind: 'flow', value: config.flowId as string });
    if (n.type === 'survey') surveyRefs.push({ nodeId: n.id, value: config.surveyFlowId as string });
    const target = config.target as { kind?: string; flowId?: string } | undefined;
    if (n.type === 'transfer' && target?.kind === 'flow') refsOf.push({ nodeId: n.id, kind: 'flow', value: target.flowId! });
    if (n.type === 'http_request') {
      for (const value of Object.values(config.headers as Record<string, string>)) {
        for (const m of value.matchAll(/\{\{\s*secret\.([A-Za-z0-9_-]+)\s*\}\}/g)) refsOf.push({ nodeId: n.id, kind: 'secret', value: m[1]! });
      }
    }
  }

  for (const r of refsOf) ({ queue: queueIds, flow: flowIds, secret: secretNames, prompt: promptIds })[r.kind].add(r.value);
  const [queues, flows, secrets, prompts] = await Promise.all([refs.queues([...queueIds]), refs.flows([...flowIds]), refs.secrets([...secretNames]), refs.prompts([...promptIds])]);
  for (const r of refsOf) {
    if (r.kind === 'queue' && !queues.has(r.value)) problems.push({ code: 'unknown_queue', nodeId: r.nodeId, field: 'queueId', message: `${r.nodeId}: queue ${r.value} does not exist in this division` });
    if (r.kind === 'flow' && !flows.has(r.value)) problems.push({ code: 'unknown_flow', nodeId: r.nodeId, field: 'flowId', message: `${r.nodeId}: flow ${r.value} does not exist or is not published` });
    if (r.kind === 'prompt' && !prompts.has(r.value)) problems.push({ code: 'unknown_prompt', nodeId: r.nodeId, field: 'promptId', message: `${r.nodeId}: prompt ${r.value} is not in the prompt library` });
    if (r.kind === 'secret' && !secrets.has(r.value)) problems.push({ code: 'unknown_secret', nodeId: r.nodeId, field: 'headers', message: `${r.nodeId}: secret ${r.value} is not defined` });
  }

  // A survey hand-off needs a published survey flow of the same channel (a caller cannot answer chat buttons).
  if (surveyRefs.length) {
    const ids = [...new Set(surveyRefs.map((r) => r.value))];
    const published = refs.publishedChannels ? await refs.publishedChannels(ids) : new Map([...(await refs.flows(ids))].map((id) => [id, channel]));
    for (const r of surveyRefs) {
      const c = published.get(r.value);
      if (!c) problems.push({ code: 'unknown_flow', nodeId: r.nodeId, field: 'surveyFlowId', message: `${r.nodeId}: survey flow ${r.value} does not exist or is not published` });
      else if (c !== channel) problems.push({ code: 'unknown_flow', nodeId: r.nodeId, field: 'surveyFlowId', message: `${r.nodeId}: survey flow ${r.value} is a ${c} flow; this ${channel} flow needs a ${channel} survey flow` });
    }
  }

  // Reachability from the start node and the error node.
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const todo = [graph.start, ...(graph.onError ? [graph.onError] : [])].filter((id) => byId.has(id));
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const t of Object.values(byId.get(id)!.next)) if (byId.has(t) && !seen.has(t)) todo.push(t);
  }
  for (const n of graph.nodes) if (!seen.has(n.id)) problems.push({ code: 'unreachable', nodeId: n.id, message: `${n.id}: no path from the start reaches this node` });
  return problems;
}
