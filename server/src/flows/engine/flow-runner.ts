// The resumable step engine. A run is a RunState (JSON): the stack of flow frames, variables and what it waits
// for. `advance` runs nodes until one waits for input or the run ends, so a channel adapter drives it: a call
// plays the wait's prompt and collects digits or speech, a chat saves the state and resumes on the next message.
// Every node runs under a time limit; any failure follows the node's `error` exit, else the flow's error node,
// else a built-in apology and a hand-over to people (never dead air). Every node entered and left is logged.
import { randomUUID } from 'node:crypto';
import { nodeConfigs, type FlowNode, type NodeType, type Prompt } from '@kefu/contracts';
import { nodeImpl } from '../node-registry.ts';
import type { FlowEnd, FlowInput, FlowIO, Frame, LoadedGraph, NodeContext, NodeResult, NodeServices, RunState, Vars, WaitSpec } from './flow-types.ts';
import { fill } from './variables.ts';

export interface GraphSource {
  /** A flow's graph: a version number, its draft, or the published version (`published`). */
  load(tenantId: string, flowId: string, version: number | 'draft' | 'published'): Promise<LoadedGraph>;
}

export interface PathEvent {
  tenantId: string;
  flowId: string;
  version: number | null;
  runId: string;
  interactionId: string | null;
  nodeId: string;
  nodeType: string;
  /** `queue`: something that happened to a queued call after its queue node (port: what, input: detail). */
  event: 'enter' | 'leave' | 'queue';
  port: string | null;
  input: string | null;
  at: Date;
}

export interface PathSink {
  record(event: PathEvent): void;
}

export type AdvanceResult = { status: 'waiting'; wait: WaitSpec } | { status: 'ended'; end: FlowEnd };

export interface RunnerOptions {
  graphs: GraphSource;
  services: NodeServices;
  path: PathSink;
  /** Nodes one run may pass through (a loop guard: a menu repeated forever). */
  maxSteps?: number;
  /** Time limit of a node that names none. */
  defaultTimeoutMs?: number;
}

/** Said when the flow cannot go on: the caller hears it, then people take over. */
export const APOLOGY = { text: '抱歉，系统暂时无法处理您的请求，正在为您转接人工服务。Sorry, something went wrong. Connecting you to an agent.', language: 'auto' } as const;

class NodeTimeout extends Error {}

const MAX_DEPTH = 5;
const MAX_ERRORS = 3;

export class FlowRunner {
  private readonly maxSteps: number;
  private readonly defaultTimeoutMs: number;

  constructor(private readonly o: RunnerOptions) {
    this.maxSteps = o.maxSteps ?? 1000;
    this.defaultTimeoutMs = o.defaultTimeoutMs ?? 10_000;
  }

  /** A new run at the start node of a flow version. */
  async begin(init: { tenantId: string; divisionId: string; flowId: string; version: number | 'draft' | 'published'; interactionId?: string | undefined; vars?: Vars }): Promise<RunState> {
    const g = await this.o.graphs.load(init.tenantId, init.flowId, init.version);
    return {
      runId: randomUUID(), tenantId: init.tenantId, divisionId: init.divisionId, channel: g.channel,
      frames: [{ flowId: g.flowId, version: g.version, nodeId: g.graph.start }],
      vars: { language: 'zh', channel: g.channel, ...init.vars }, attempts: 0, steps: 0, interactionId: init.interactionId,
    };
  }

  /** Runs from where the state stands (feeding `input` to the waiting node) until a wait or the end. */
  async advance(state: RunState, io: FlowIO, input?: FlowInput, signal: AbortSignal = new AbortController().signal): Promise<AdvanceResult> {
    let pendingInput = state.waiting ? (input ?? { kind: 'timeout' as const }) : undefined;
    let errors = 0;
    for (;;) {
      if (signal.aborted) return { status: 'ended', end: { kind: 'hangup' } };
      const frame = state.frames.at(-1)!;
      let g: LoadedGraph;
      try {
        g = await this.o.graphs.load(state.tenantId, frame.flowId, frame.version);
      } catch (err) {
        return this.fallback(state, io, signal, `flow ${frame.flowId} cannot be loaded: ${(err as Error).message}`);
      }
      const node = g.nodes.get(frame.nodeId);
      if (!node) return this.fallback(state, io, signal, `node ${frame.nodeId} does not exist`);
      const resuming = pendingInput;
      pendingInput = undefined;
      if (!resuming) {
        if (++state.steps > this.maxSteps) return this.fallback(state, io, signal, `more than ${this.maxSteps} steps`);
        this.log(state, frame, node, 'enter', null, null);
      }
      // What the customer last said, typed or pressed: templates use it as {{last_input}}.
      if (resuming && resuming.kind !== 'timeout') state.vars.last_input = resuming.kind === 'digits' ? resuming.digits : resuming.text;
      const result = await this.runNode(state, io, g, node, signal, resuming).catch((err: unknown) => ({ port: 'error', error: err }) as const);
      state.waiting = undefined;
      if ('wait' in result) {
        state.attempts++;
        state.waiting = result.wait;
        return { status: 'waiting', wait: result.wait };
      }
      if ('end' in result) {
        this.log(state, frame, node, 'leave', result.end.kind, null);
        if (result.end.kind === 'end' && state.frames.length > 1) {
          // `return` from a sub-flow: continue after the sub-flow node of the caller.
          state.frames.pop();
          const parent = state.frames.at(-1)!;
          const pg = await this.o.graphs.load(state.tenantId, parent.flowId, parent.version);
          const target = pg.nodes.get(parent.nodeId)?.next.next;
          if (!target) return this.fallback(state, io, signal, `sub-flow node ${parent.nodeId} has no next`);
          this.moveTo(state, target);
          continue;
        }
        return { status: 'ended', end: result.end };
      }
      if ('subFlow' in result) {
        if (state.frames.length >= MAX_DEPTH) return this.fallback(state, io, signal, 'sub-flows nested too deep');
        this.log(state, frame, node, 'leave', 'sub_flow', null);
        try {
          const child = await this.o.graphs.load(state.tenantId, result.subFlow, 'published');
          state.frames.push({ flowId: child.flowId, version: child.version, nodeId: child.graph.start });
          state.attempts = 0;
          continue;
        } catch {
          state.frames.at(-1)!.nodeId = node.id;
          if (!this.followError(state, g, node, ++errors)) return this.fallback(state, io, signal, `sub-flow ${result.subFlow} is not published`);
          continue;
        }
      }
      const target = result.port === 'error' ? undefined : node.next[result.port];
      // A failure keeps its reason in the path log (where an admin looks for why a caller went the error way).
      this.log(state, frame, node, 'leave', result.port, 'input' in result ? (result.input ?? null) : 'error' in result ? errorReason(result.error) : null);
      if (target) {
        this.moveTo(state, target);
        continue;
      }
      // A failure, or an exit left unconnected (a draft in the simulator, an optional exit): the error path.
      const reason = 'error' in result ? String((result.error as Error)?.message ?? result.error) : `exit ${result.port} of ${node.id} is not connected`;
      if (!this.followError(state, g, node, ++errors)) return this.fallback(state, io, signal, reason);
    }
  }

  private moveTo(state: RunState, nodeId: string): void {
    state.frames.at(-1)!.nodeId = nodeId;
    state.attempts = 0;
  }

  /** Moves to the node's error exit or the flow's error node; false when neither applies. */
  private followError(state: RunState, g: LoadedGraph, node: FlowNode, errors: number): boolean {
    if (errors > MAX_ERRORS) return false;
    const target = node.next.error ?? (g.graph.onError && g.graph.onError !== node.id ? g.graph.onError : undefined);
    if (!target || !g.nodes.has(target)) return false;
    this.moveTo(state, target);
    return true;
  }

  private async fallback(state: RunState, io: FlowIO, signal: AbortSignal, reason: string): Promise<AdvanceResult> {
    const apology = state.channel === 'chat' ? { kind: 'text' as const, text: APOLOGY.text } : { kind: 'say' as const, text: APOLOGY.text, language: APOLOGY.language };
    await io.output(apology, signal).catch(() => undefined);
    return { status: 'ended', end: { kind: 'fallback', reason } };
  }

  private async runNode(state: RunState, io: FlowIO, g: LoadedGraph, node: FlowNode, signal: AbortSignal, input: FlowInput | undefined): Promise<NodeResult> {
    const impl = nodeImpl(node.type);
    if (!impl) throw new Error(`unknown node type ${node.type}`);
    const parsed = nodeConfigs[node.type as NodeType].safeParse(node.config);
    if (!parsed.success) throw new Error(`node ${node.id}: ${parsed.error.issues[0]?.message ?? 'invalid config'}`);
    const config = parsed.data as never;
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const ctx: NodeContext<NodeType> = {
      node, config, state, io, services: this.o.services, signal: ctl.signal,
      fill: (text) => fill(text, state.vars),
      prompt: (p: Prompt) => ({ text: fill(p.text, state.vars), language: p.language }),
    };
    const limit = impl.timeoutMs?.(config) ?? this.defaultTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = input ? (impl.resume ? impl.resume(ctx, input) : Promise.reject(new Error(`${node.type} takes no input`))) : impl.run(ctx);
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            ctl.abort();
            reject(new NodeTimeout(`node ${node.id} took longer than ${limit} ms`));
          }, limit);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Records what happened at a node the run has left (a queued call's announcements, callback, wait result). */
  note(state: RunState, frame: Frame, node: { id: string; type: string }, port: string, input: string | null): void {
    this.log(state, frame, node, 'queue', port, input);
  }

  private log(state: RunState, frame: Frame, node: Pick<FlowNode, 'id' | 'type'>, event: PathEvent['event'], port: string | null, input: string | null): void {
    this.o.path.record({
      tenantId: state.tenantId, flowId: frame.flowId, version: frame.version === 'draft' ? null : frame.version, runId: state.runId,
      interactionId: state.interactionId ?? null, nodeId: node.id, nodeType: node.type, event, port, input, at: new Date(),
    });
  }
}

/** A failure's message for the path log, kept short. */
function errorReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
