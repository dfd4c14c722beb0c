// The port through which the web chat channel (server/src/channels) runs chat flows: it starts a conversation
// with a flow and feeds it customer messages; `outcome` hand_off means "enqueue the chat to this queue".
import type { FlowOutput } from '@kefu/contracts';
import type { ModuleContext } from '../module.ts';
import type { FlowEnd, Vars } from './engine/flow-types.ts';

export interface ChatTurn {
  sessionId: string;
  outputs: FlowOutput[];
  state: 'waiting' | 'ended';
  outcome: FlowEnd | null;
  /** A turn of a post-contact survey (its end ends the chat; it never hands the chat to a queue). */
  survey?: boolean;
}

export interface ChatFlows {
  /** Runs the flow's published version until it waits for the customer or ends. */
  start(tenantId: string, input: { flowId: string; interactionId?: string; vars?: Vars }): Promise<ChatTurn>;
  /** The customer's next message (or `timeout: true` when they stayed silent). */
  input(tenantId: string, sessionId: string, answer: { text?: string; timeout?: boolean }): Promise<ChatTurn>;
  /** The conversation still waiting for this interaction's customer (sessions are saved: this survives a restart). */
  sessionOf(tenantId: string, interactionId: string): Promise<string | undefined>;
  /** The agent ended the chat first: claims the interaction's pending survey (once); its survey flow, or undefined. */
  claimSurvey?(tenantId: string, input: { interactionId: string; taskId?: string | null; contactId?: string | null }): Promise<string | undefined>;
  /** The chat ended without a survey hand-over: its pending survey is closed as skipped. */
  skipSurvey?(tenantId: string, input: { interactionId: string; reason: string }): Promise<void>;
  /** Runs a claimed survey flow's published version on the interaction until it waits for the visitor or ends. */
  startSurvey?(tenantId: string, input: { interactionId: string; surveyFlowId: string }): Promise<ChatTurn>;
}

const registries = new WeakMap<ModuleContext, { impl: ChatFlows | undefined; waiters: ((c: ChatFlows) => void)[] }>();

function entry(ctx: ModuleContext) {
  let e = registries.get(ctx);
  if (!e) {
    e = { impl: undefined, waiters: [] };
    registries.set(ctx, e);
  }
  return e;
}

/** The chat flows of a Kefu instance; resolves once the flows module is built (either module may be built first). */
export function chatFlowsFor(ctx: ModuleContext): Promise<ChatFlows> {
  const e = entry(ctx);
  return e.impl ? Promise.resolve(e.impl) : new Promise((resolve) => e.waiters.push(resolve));
}

export function provideChatFlows(ctx: ModuleContext, impl: ChatFlows): void {
  const e = entry(ctx);
  e.impl = impl;
  for (const w of e.waiters.splice(0)) w(impl);
}
