// The engine's types: what a node returns, what a run waits for, how a run ends, and the saved state that lets
// a run resume later (a chat input an hour on, the simulator's next request) in this or another process.
import type { Resolver } from '../nodes/http-request/guarded-request.ts';
import type { FlowChannel, FlowGraph, FlowNode, FlowOutput, NodeConfig, NodeType, Prompt } from '@kefu/contracts';

export type Vars = Record<string, string>;

/** A prompt with its variables filled in. */
export interface ResolvedPrompt {
  text: string;
  language: Prompt['language'];
}

/** What a run waits for; the channel's adapter plays the prompt (with barge-in) and gathers the input. */
export type WaitSpec =
  | { kind: 'digits'; prompt?: ResolvedPrompt | undefined; min: number; max: number; terminator?: string | undefined; timeoutMs: number; interDigitMs: number }
  | { kind: 'speech'; prompt?: ResolvedPrompt | undefined; phrases: string[]; listenMs: number }
  | { kind: 'text'; output?: FlowOutput | undefined; timeoutMs?: number | undefined };

export type FlowInput =
  | { kind: 'digits'; digits: string }
  | { kind: 'speech'; text: string; confidence?: number | undefined }
  | { kind: 'text'; text: string }
  | { kind: 'timeout' };

/** How a run ends. `fallback`: an error nothing in the flow handled (the caller was told; queue by default). */
export type FlowEnd =
  | {
      kind: 'queue'; queueId: string; priority: number; skills: { skill: string; minLevel: number }[]; maxWaitSeconds?: number | undefined;
      announcePosition: boolean; offerCallback: boolean; announceEverySeconds: number; callbackAfterSeconds: number; callbackDigit: string;
      music: 'hold' | 'ringback'; overflow?: OverflowResume | undefined;
    }
  | { kind: 'transfer'; target: { kind: 'number'; number: string } | { kind: 'agent'; userId: string } | { kind: 'extension'; extension: string } | { kind: 'flow'; flowId: string } }
  | { kind: 'voicemail'; greeting?: ResolvedPrompt | undefined; maxSeconds: number }
  | { kind: 'callback'; queueId: string; number?: string | undefined }
  | { kind: 'hangup' }
  | { kind: 'hand_off'; queueId: string; priority: number }
  | { kind: 'end' }
  | { kind: 'fallback'; reason: string };

/** Where the run continues when a queued call waited too long (the queue node's `overflow` exit). */
export interface OverflowResume {
  frames: Frame[];
}

export type NodeResult =
  | { port: string; input?: string | undefined }
  | { wait: WaitSpec }
  | { end: FlowEnd }
  | { subFlow: string };

export interface Frame {
  flowId: string;
  version: number | 'draft';
  nodeId: string;
}

export interface RunState {
  runId: string;
  tenantId: string;
  divisionId: string;
  channel: FlowChannel;
  /** The call stack of flows: the last frame runs; a sub-flow pushes one, its `return` pops it. */
  frames: Frame[];
  vars: Vars;
  /** Entries into the current node without leaving it (retries of a menu). */
  attempts: number;
  steps: number;
  waiting?: WaitSpec | undefined;
  interactionId?: string | undefined;
}

export interface LoadedGraph {
  flowId: string;
  version: number | 'draft';
  channel: FlowChannel;
  graph: FlowGraph;
  nodes: Map<string, FlowNode>;
}

/** Where prompts and messages go while a node runs (the call's audio, the chat, the simulator's transcript). */
export interface FlowIO {
  output(output: FlowOutput, signal: AbortSignal): Promise<void>;
}

export interface HttpResult {
  status: number;
  body: string;
}

/** What nodes may use besides the run's state; injected so that tests run nodes against doubles. */
export interface NodeServices {
  now(): Date;
  secret(tenantId: string, name: string): Promise<string | undefined>;
  /** The tenant's HTTP allow-list entries (internal hosts and CIDRs the HTTP node may reach); none by default. */
  httpAllowList(tenantId: string): Promise<string[]>;
  /** How the HTTP node resolves host names (the system resolver when absent; tests pass their own). */
  resolveHost?: Resolver | undefined;
  /** Public knowledge-base articles for a query (the kb_answer node); absent where there is no knowledge base. */
  kbSearch?(tenantId: string, query: string, options: { language?: string | undefined; limit: number }): Promise<{ id: string; title: string; snippet: string; url: string | null }[]>;
  /** Post-contact surveys (the survey and survey_answer nodes); absent in the simulator: nothing is stored. */
  surveys?: SurveyPort;
  /** A number in [0, 1) for sampling (the survey node's sample rate); Math.random when absent. */
  random?(): number;
}

/** What the survey nodes store (server/src/surveys/surveys.service.ts implements it). */
export interface SurveyPort {
  mark(tenantId: string, mark: { interactionId: string; surveyFlowId: string; flowId: string | null; nodeId: string; sampleRate: number; sampled: boolean }): Promise<void>;
  answer(tenantId: string, answer: {
    interactionId: string; surveyFlowId: string | null; flowVersion: number | null; nodeId: string; questionKey: string; questionText: string;
    score: number | null; scaleMin: number | null; scaleMax: number | null; choice: string | null; comment: string | null;
  }): Promise<unknown>;
}

export interface NodeContext<T extends NodeType> {
  node: FlowNode;
  config: NodeConfig<T>;
  state: RunState;
  io: FlowIO;
  services: NodeServices;
  signal: AbortSignal;
  /** Fills `{{variable}}` from the run's variables (unknown ones become empty). */
  fill(text: string): string;
  prompt(prompt: Prompt): ResolvedPrompt;
}

export interface FlowNodeImpl<T extends NodeType> {
  type: T;
  run(ctx: NodeContext<T>): Promise<NodeResult>;
  /** Continues after a wait with the input (or a timeout). */
  resume?(ctx: NodeContext<T>, input: FlowInput): Promise<NodeResult>;
  /** The longest `run` may take before the node counts as failed (its error exit follows). */
  timeoutMs?(config: NodeConfig<T>): number;
}
