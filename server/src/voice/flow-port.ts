// The port between a call and the flow engine. Every number maps to a flow id (voice_numbers.flow_id); when a
// call to it has been answered and its interaction opened, the call session hands a CallControl to the
// VoiceFlowRunner, which plays, collects and decides, and returns what happens next. The flows module
// (server/src/flows) registers its runner with `voiceFlowsFor(ctx).setRunner(runner)`; until one is registered,
// and for numbers without a flow, the default runner queues the call to its division's default queue.
import type { ModuleContext } from '../module.ts';
import type { AudioSource, CallControl, SkillRequirement, TransferTarget } from './call-control.ts';
import type { QueueWaitPlan } from './queue-announcer.ts';

/** What the flow decided; the call session carries it out. */
export type FlowOutcome =
  | {
      kind: 'queue';
      queueId: string;
      priority?: number;
      skills?: SkillRequirement[];
      /** Task attributes for routing's priority rules (e.g. { vip: true }). */
      attributes?: Record<string, string | number | boolean | null>;
      /**
       * With `overflow`: when no agent has answered within this long, the session withdraws the task and calls
       * `overflow()` on the same call (the flow continues at its overflow port) and carries out what it returns.
       */
      maxWaitMs?: number;
      overflow?: () => Promise<FlowOutcome>;
      /** Music, position / estimated-wait announcements and the callback offer while waiting (none: ringback). */
      wait?: QueueWaitPlan;
    }
  | { kind: 'transfer'; target: Exclude<TransferTarget, { kind: 'queue' }> }
  /** Record a message for the division (attached to the interaction); `greeting` replaces the built-in beep. */
  | { kind: 'voicemail'; greeting?: AudioSource; maxDurationMs?: number }
  /**
   * The caller asks to be called back: `number` (default: the caller's own) at `preferredAt` (default: as soon as
   * an agent of the queue is free). Stored, handed to routing as a callback task at that time; the call then ends.
   */
  | { kind: 'callback'; queueId: string; number?: string; preferredAt?: Date }
  | { kind: 'hangup'; endReason?: string };

export interface FlowStart {
  /** The number's flow (null when the number has none: the default runner handles those). */
  flowId: string | null;
  numberId: string | null;
  number: string;
}

export interface VoiceFlowRunner {
  /**
   * Runs the flow on an answered call until it hands the call on. Must settle soon after `call.signal` aborts
   * (the caller hung up); the outcome is then ignored. A throw is logged and the call goes to the default queue.
   */
  run(call: CallControl, start: FlowStart): Promise<FlowOutcome>;
  /** Post-contact surveys (the flow's `survey` node marks a call); absent: the call ends when the agent leaves. */
  readonly survey?: VoiceSurveys | undefined;
}

/** What the call session asks of the flows module about a call's survey. */
export interface VoiceSurveys {
  /** The agent ended first: the survey flow to hand the caller to (claimed once), or undefined when none is due. */
  claim(call: CallControl, o: { taskId?: string | undefined }): Promise<string | undefined>;
  /** Runs the survey flow on the caller's media until it ends or the caller hangs up; the call then ends. */
  run(call: CallControl, surveyFlowId: string): Promise<void>;
  /** The call ended without a survey hand-over: a survey it was marked for is closed as skipped. */
  skip(call: CallControl, reason: string): Promise<void>;
}

/** Where the flows module plugs in; one per Kefu instance (per ModuleContext). */
export interface VoiceFlowRegistry {
  setRunner(runner: VoiceFlowRunner): void;
  readonly runner: VoiceFlowRunner | undefined;
  /**
   * Points the demo number (4000) of the demo tenant at a flow; call it from the flows module's seedDemo. Works
   * in either seed order: applied at once when the number exists, else when the voice module seeds it.
   */
  assignDemoFlow(tenantId: string, flowId: string): Promise<void>;
}

const registries = new WeakMap<ModuleContext, VoiceFlowRegistryImpl>();

export class VoiceFlowRegistryImpl implements VoiceFlowRegistry {
  runner: VoiceFlowRunner | undefined;
  /** Demo assignments waiting for the voice seed, and the function that applies one (set by the voice module). */
  readonly pendingDemo = new Map<string, string>();
  applyDemo: ((tenantId: string, flowId: string) => Promise<boolean>) | undefined;

  setRunner(runner: VoiceFlowRunner): void {
    this.runner = runner;
  }

  async assignDemoFlow(tenantId: string, flowId: string): Promise<void> {
    if (this.applyDemo && (await this.applyDemo(tenantId, flowId))) return;
    this.pendingDemo.set(tenantId, flowId);
  }
}

/** The flow registry of a Kefu instance: the voice module and the flows module get the same one. */
export function voiceFlowsFor(ctx: ModuleContext): VoiceFlowRegistry {
  return voiceFlowRegistry(ctx);
}

export function voiceFlowRegistry(ctx: ModuleContext): VoiceFlowRegistryImpl {
  let r = registries.get(ctx);
  if (!r) {
    r = new VoiceFlowRegistryImpl();
    registries.set(ctx, r);
  }
  return r;
}
