// Runs a small graph on a TestCallControl through the real engine and the voice adapter, for node tests:
// returns the outcome, what the caller heard, and the path (node entered/left) the run logged.
import type { FlowChannel, FlowGraph, FlowNode } from '@kefu/contracts';
import type { FlowOutcome } from '../../voice/flow-port.ts';
import type { AsrProvider } from '../../speech/asr.ts';
import { PromptSynthesizer, type SampleRate, type TtsProvider } from '../../speech/tts.ts';
import { FlowRunner, type PathEvent } from '../engine/flow-runner.ts';
import type { FlowInput, FlowIO, NodeServices } from '../engine/flow-types.ts';
import type { FlowOutput } from '@kefu/contracts';
import { MemoryGraphs } from '../engine/memory-graphs.ts';
import { CallFlowRunner } from '../voice/voice-flow-runner.ts';
import { TestCallControl } from './call-control-double.ts';
import os from 'node:os';
import path from 'node:path';

export const TENANT = '00000000-0000-4000-8000-0000000000aa';
export const DIVISION = '00000000-0000-4000-8000-0000000000bb';

/** A TTS double: 100 ms of a tone per character, so prompt lengths are visible without espeak. */
export class ToneTts implements TtsProvider {
  readonly name = 'tone';
  texts: string[] = [];
  async synthesize(text: string, _voice: string, rate: SampleRate): Promise<Int16Array> {
    this.texts.push(text);
    const pcm = new Int16Array(Math.round(rate * 0.1 * [...text].length));
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    return pcm;
  }
}

export interface HarnessOptions {
  keys?: string[];
  speech?: Int16Array[];
  services?: Partial<NodeServices>;
  asr?: AsrProvider;
  subFlows?: Record<string, FlowGraph>;
  channel?: FlowChannel;
  /** Library prompts by id (PCM at 8 kHz) for play nodes. */
  prompts?: Record<string, Int16Array>;
}

/** Builds a graph: the node under test first, then its targets. */
export function graph(nodes: (Partial<FlowNode> & Pick<FlowNode, 'id' | 'type'>)[], onError?: string): FlowGraph {
  return { start: nodes[0]!.id, ...(onError ? { onError } : {}), nodes: nodes.map((n) => ({ label: '', config: {}, next: {}, ...n })) };
}

/** Terminal stand-ins the node's exits lead to: hangup nodes whose ids name the exit taken. */
export const ends = (...ids: string[]) => ids.map((id) => ({ id, type: 'hangup' as const }));

export const services = (extra: Partial<NodeServices> = {}): NodeServices => ({
  now: () => new Date(),
  secret: async () => undefined,
  httpAllowList: async () => [],
  ...extra,
});

export async function runOnCall(g: FlowGraph, o: HarnessOptions = {}) {
  const graphs = new MemoryGraphs();
  graphs.put('main', o.channel ?? 'voice', g);
  for (const [id, sub] of Object.entries(o.subFlows ?? {})) graphs.put(id, 'voice', sub);
  const path_: PathEvent[] = [];
  const runner = new FlowRunner({ graphs, services: services(o.services), path: { record: (e) => path_.push(e) }, defaultTimeoutMs: 2000 });
  const tts = new ToneTts();
  const call = new TestCallControl({ tenantId: TENANT, divisionId: DIVISION }, [...(o.keys ?? [])], [...(o.speech ?? [])]);
  const voice = new CallFlowRunner({
    runner, tts: new PromptSynthesizer({ provider: tts, cacheDir: path.join(os.tmpdir(), `kefu-flow-test-${process.pid}`) }),
    asr: async () => o.asr ?? { name: 'none', recognize: async () => ({ text: '' }) },
    promptDir: () => '/prompts',
    promptAudio: async (_tenant, id) => {
      const pcm = o.prompts?.[id];
      if (!pcm) throw new Error(`prompt ${id} does not exist`);
      return pcm;
    },
  });
  let outcome: FlowOutcome | undefined;
  let error: Error | undefined;
  try {
    outcome = await voice.run(call, { flowId: 'main', numberId: null, number: '4000' });
  } catch (err) {
    error = err as Error;
  }
  /** The node ids left, with the exit taken: "menu:key_2". */
  const exits = path_.filter((e) => e.event === 'leave').map((e) => `${e.nodeId}:${e.port}`);
  return { outcome, error, call, tts, path: path_, exits, voice };
}

/** Runs a graph as a text conversation (the simulator's way): each input answers the next wait. */
export async function runAsText(g: FlowGraph, inputs: FlowInput[], o: { channel?: FlowChannel; services?: Partial<NodeServices>; interactionId?: string } = {}) {
  const graphs = new MemoryGraphs();
  graphs.put('main', o.channel ?? 'chat', g);
  const path_: PathEvent[] = [];
  const runner = new FlowRunner({ graphs, services: services(o.services), path: { record: (e) => path_.push(e) }, defaultTimeoutMs: 2000 });
  const outputs: FlowOutput[] = [];
  const io: FlowIO = { output: async (out) => void outputs.push(out) };
  let state = await runner.begin({ tenantId: TENANT, divisionId: DIVISION, flowId: 'main', version: 1, interactionId: o.interactionId });
  let r = await runner.advance(state, io);
  const queue = [...inputs];
  while (r.status === 'waiting' && queue.length) {
    if (r.wait.kind === 'text' && r.wait.output) outputs.push(r.wait.output);
    // The state goes through JSON between inputs, as a chat saves it: the run must resume from that alone.
    state = JSON.parse(JSON.stringify(state)) as typeof state;
    r = await runner.advance(state, io, queue.shift());
  }
  return { result: r, outputs, state, exits: path_.filter((e) => e.event === 'leave').map((e) => `${e.nodeId}:${e.port}`) };
}
