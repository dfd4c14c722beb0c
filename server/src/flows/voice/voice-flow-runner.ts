// Runs a number's flow on a live call (the VoiceFlowRunner port of server/src/voice/flow-port.ts): prompts are
// spoken with TTS at 8 kHz, menus collect RFC 4733 digits with barge-in, `ask` captures 16 kHz audio for the
// recognizer, and the run's end becomes the outcome the call session carries out. An error nothing in the flow
// handled has already been apologised for; the call then goes to the division's default queue (the port's rule
// for a throw).
import path from 'node:path';
import type { AudioSource, CallControl, DtmfDigit } from '../../voice/call-control.ts';
import type { FlowOutcome, FlowStart, VoiceFlowRunner, VoiceSurveys } from '../../voice/flow-port.ts';
import type { QueueWaitEvent, QueueWaitPlan, WaitLanguage } from '../../voice/queue-announcer.ts';
import type { AsrProvider } from '../../speech/asr.ts';
import type { PromptSynthesizer } from '../../speech/tts.ts';
import type { FlowRunner } from '../engine/flow-runner.ts';
import type { FlowEnd, FlowInput, FlowIO, ResolvedPrompt, RunState, WaitSpec } from '../engine/flow-types.ts';

export interface VoiceFlowDeps {
  runner: FlowRunner;
  /** Post-contact survey invitations (surveys/surveys.service.ts); absent: calls are never handed to a survey. */
  surveys?: SurveyInvitations | undefined;
  tts: PromptSynthesizer;
  /** The recognizer for a tenant (a cloud one when the tenant configured it, else pocketsphinx). */
  asr(tenantId: string): Promise<AsrProvider>;
  /** Directory of a tenant's prompt files (`play` nodes that name a file, from before the prompt library). */
  promptDir(tenantId: string): string;
  /** A library prompt's 16-bit mono PCM at the call's rate (prompts/prompts.service.ts). */
  promptAudio(tenantId: string, promptId: string, rate: 8000 | 16000): Promise<Int16Array>;
}

export class FlowFallbackError extends Error {
  readonly code = 'FLOW_FALLBACK';
}

/** The part of the SurveysService the call's survey hand-over uses. */
export interface SurveyInvitations {
  claim(tenantId: string, interactionId: string, o: { taskId?: string | null | undefined }): Promise<{ surveyFlowId: string } | undefined>;
  skip(tenantId: string, interactionId: string, reason: string): Promise<void>;
  complete(tenantId: string, interactionId: string): Promise<void>;
}

export class CallFlowRunner implements VoiceFlowRunner {
  /**
   * The post-contact survey on a call whose agent ended first: the survey flow runs like any flow on the caller's
   * media (its answers land on the same interaction); whatever it ends in, the call then ends — a survey flow only
   * asks and says goodbye. An unpublished survey flow has already been apologised for by the engine.
   */
  readonly survey: VoiceSurveys | undefined;

  constructor(private readonly d: VoiceFlowDeps) {
    const surveys = d.surveys;
    this.survey = surveys && {
      claim: async (call, o) => (await surveys.claim(call.tenantId, call.interactionId, o))?.surveyFlowId,
      skip: (call, reason) => surveys.skip(call.tenantId, call.interactionId, reason),
      run: async (call, surveyFlowId) => {
        try {
          await this.run(call, { flowId: surveyFlowId, numberId: null, number: call.to }).catch((err: unknown) => {
            if (!(err instanceof FlowFallbackError)) throw err;
          });
        } finally {
          await surveys.complete(call.tenantId, call.interactionId);
        }
      },
    };
  }

  async run(call: CallControl, start: FlowStart): Promise<FlowOutcome> {
    if (!start.flowId) throw new FlowFallbackError('the number has no flow');
    const state = await this.d.runner.begin({
      tenantId: call.tenantId, divisionId: call.divisionId, flowId: start.flowId, version: 'published', interactionId: call.interactionId,
      vars: { caller: call.from, called: call.to, number: start.number },
    });
    return this.drive(call, state);
  }

  /** Advances a run on the call until it ends (also the continuation of a queue's overflow). */
  async drive(call: CallControl, state: RunState): Promise<FlowOutcome> {
    const io = this.io(call);
    let input: FlowInput | undefined;
    for (;;) {
      const r = await this.d.runner.advance(state, io, input, call.signal);
      if (r.status === 'ended') return this.outcome(call, state, r.end);
      input = await this.gather(call, r.wait);
    }
  }

  private io(call: CallControl): FlowIO {
    return {
      output: async (o, signal) => {
        if (o.kind === 'say') await call.play(await this.audio(call, { text: o.text, language: o.language as ResolvedPrompt['language'] }, 8000), { signal });
        else if (o.kind === 'play' && o.promptId) await call.play({ pcm: await this.d.promptAudio(call.tenantId, o.promptId, 8000), sampleRate: 8000 }, { signal });
        else if (o.kind === 'play' && o.file) await call.play({ file: path.join(this.d.promptDir(call.tenantId), path.basename(o.file)) }, { signal });
        else if (o.kind === 'text') await call.play(await this.audio(call, { text: o.text, language: 'auto' }, 8000), { signal });
      },
    };
  }

  private async audio(call: CallControl, p: ResolvedPrompt, rate: 8000 | 16000): Promise<AudioSource> {
    return { pcm: await this.d.tts.speak(p.text, p.language, rate, call.signal), sampleRate: rate };
  }

  /** Plays the wait's prompt and gathers what the caller answers. */
  private async gather(call: CallControl, wait: WaitSpec): Promise<FlowInput> {
    if (wait.kind === 'digits') {
      const r = await call.collectDigits({
        min: wait.min, max: wait.max, firstDigitTimeoutMs: wait.timeoutMs, interDigitTimeoutMs: wait.interDigitMs,
        ...(wait.terminator ? { terminator: wait.terminator as DtmfDigit } : {}),
        ...(wait.prompt ? { prompt: await this.audio(call, wait.prompt, 8000) } : {}),
        signal: call.signal,
      });
      return r.digits ? { kind: 'digits', digits: r.digits } : { kind: 'timeout' };
    }
    if (wait.kind === 'speech') {
      if (wait.prompt) await call.play(await this.audio(call, wait.prompt, 8000), { signal: call.signal });
      const capture = call.captureAudio({ sampleRate: 16000, maxDurationMs: wait.listenMs, endOnSilenceMs: 700, endOnDigit: true, signal: call.signal });
      const frames: Int16Array[] = [];
      for await (const f of capture) frames.push(f);
      const done = await capture.done;
      if (done.digit) return { kind: 'digits', digits: done.digit };
      const pcm = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of frames) {
        pcm.set(f, at);
        at += f.length;
      }
      if (!pcm.length) return { kind: 'timeout' };
      const asr = await this.d.asr(call.tenantId);
      const heard = await asr.recognize(pcm, { sampleRate: 16000, phrases: wait.phrases, language: 'en', signal: call.signal });
      return heard.text ? { kind: 'speech', text: heard.text, confidence: heard.confidence } : { kind: 'timeout' };
    }
    // A chat-only wait on a call: say its text and treat it as unanswered.
    if (wait.output && (wait.output.kind === 'text' || wait.output.kind === 'buttons')) await call.play(await this.audio(call, { text: wait.output.text, language: 'auto' }, 8000), { signal: call.signal });
    return { kind: 'timeout' };
  }

  /**
   * How the queued caller's wait sounds, from the queue node: announcements in the call's language (the run's
   * `language` variable, set by a language_select node; zh by default), spoken with the flow's TTS, and each thing
   * that happens while waiting written to the path log under the queue node (event `queue`).
   */
  private waitPlan(call: CallControl, state: RunState, end: Extract<FlowEnd, { kind: 'queue' }>): QueueWaitPlan {
    const frame = { ...state.frames.at(-1)! };
    const node = { id: frame.nodeId, type: 'queue' };
    const language: WaitLanguage = state.vars.language === 'en' || state.vars.language === 'yue' ? state.vars.language : 'zh';
    return {
      music: end.music,
      announceEveryMs: end.announceEverySeconds * 1000,
      announcePosition: end.announcePosition,
      ...(end.offerCallback ? { callback: { digit: end.callbackDigit, afterMs: end.callbackAfterSeconds * 1000 } } : {}),
      language,
      say: async (text, lang) => ({ pcm: await this.d.tts.speak(text, lang, 8000, call.signal), sampleRate: 8000 }),
      log: (e) => {
        const [port, input] = describeWaitEvent(e);
        this.d.runner.note(state, frame, node, port, input);
      },
    };
  }

  private async outcome(call: CallControl, state: RunState, end: FlowEnd): Promise<FlowOutcome> {
    switch (end.kind) {
      case 'queue': {
        const overflow = end.overflow;
        return {
          kind: 'queue', queueId: end.queueId, priority: end.priority, skills: end.skills.map((s) => ({ skill: s.skill, minLevel: s.minLevel })),
          wait: this.waitPlan(call, state, end),
          // Nobody answered within the maximum wait: the run continues at the queue node's `overflow` exit.
          ...(end.maxWaitSeconds && overflow ? { maxWaitMs: end.maxWaitSeconds * 1000, overflow: () => this.drive(call, { ...state, frames: overflow.frames, attempts: 0, waiting: undefined }) } : {}),
        };
      }
      case 'callback':
        return { kind: 'callback', queueId: end.queueId, ...(end.number ? { number: end.number } : {}) };
      case 'hand_off':
        return { kind: 'queue', queueId: end.queueId, priority: end.priority };
      case 'transfer':
        return { kind: 'transfer', target: end.target };
      case 'voicemail':
        return { kind: 'voicemail', ...(end.greeting ? { greeting: await this.audio(call, end.greeting, 8000) } : {}), maxDurationMs: end.maxSeconds * 1000 };
      case 'hangup':
      case 'end':
        return { kind: 'hangup', endReason: 'flow_ended' };
      case 'fallback':
        throw new FlowFallbackError(end.reason);
    }
  }
}

/** A wait event as a path-log row: `announce` "position=2 wait=180s key=1", `callback` (request id), `result`. */
function describeWaitEvent(e: QueueWaitEvent): [string, string | null] {
  if (e.kind === 'callback') return ['callback', e.requestId];
  if (e.kind === 'result') return ['result', e.result];
  const a = e.announcement;
  const parts = [
    ...(a.position !== undefined ? [`position=${a.position}`] : []),
    ...(a.estimatedWaitSeconds !== undefined ? [`wait=${a.estimatedWaitSeconds}s`] : []),
    ...(a.callbackDigit ? [`key=${a.callbackDigit}`] : []),
  ];
  return ['announce', parts.join(' ')];
}
