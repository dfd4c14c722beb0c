// CallControl for the agent desktop and supervisors (the HTTP edge of call-control.ts): hold, mute, transfers,
// consultation, DTMF, recording control, hangup and adding a colleague on a live call; click-to-dial. Only the
// call's agent (agent.desktop) or a supervisor (supervisor.console) may act on a call; every action is audited.
import { AppError, conflict, invalid } from '../platform/errors.ts';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { InteractionsService } from '../conversations/interactions.service.ts';
import type { TransferTarget, Consultation } from './call-control.ts';
import { CallEndedError } from './call-control.ts';
import { CallSession, ConsultFailed } from './call-session.ts';
import { ClickToDialCall } from './click-to-dial.ts';
import type { SipService } from './sip-service.ts';
import { authorizeOutbound } from './trunk-dial.ts';
import type { VoiceDirectory } from './voice-directory.ts';

export type CallAction = 'hold' | 'unhold' | 'mute' | 'unmute' | 'hangup' | 'recording.start' | 'recording.stop' | 'recording.pause' | 'recording.resume';

export interface CallState {
  interactionId: string;
  agent: { userId: string; extension: string } | null;
  onHold: boolean;
  muted: boolean;
  recording: boolean;
  consulting: boolean;
  colleagues: string[];
  monitoring: { userId: string; mode: string }[];
}

export class CallControlService {
  /** Open consultations by interaction id (the desktop completes or cancels them by a later request). */
  private readonly consultations = new Map<string, Consultation>();

  constructor(
    private readonly interactions: InteractionsService,
    private readonly directory: VoiceDirectory,
    private readonly sip: () => SipService | undefined,
    /** Told the new state after every change made here, so every desk showing the call updates at once. */
    private readonly changed: (tenantId: string, state: CallState) => void = () => {},
  ) {}

  /** The state after a change, told to the watchers of the call and returned to whoever made the change. */
  private changedState(actor: Actor, call: CallSession | ClickToDialCall): CallState {
    const state = this.stateOf(call);
    this.changed(actor.tenantId, state);
    return state;
  }

  /** Whether the actor may watch the call's state: its agent or a supervisor who can see the interaction. */
  async mayWatch(actor: Actor, interactionId: string): Promise<boolean> {
    if (!actor.permissions.has('agent.desktop')) return false;
    const interaction = await this.interactions.get(actor, interactionId).catch(() => undefined);
    if (!interaction || interaction.channel !== 'voice') return false;
    return actor.userId === interaction.agentId || actor.permissions.has('supervisor.console');
  }

  /** The interaction of a call the actor may control (404 when not visible, 403 when not theirs, 409 when over). */
  private async authorize(actor: Actor, interactionId: string): Promise<{ externalRef: string | null }> {
    requirePermission(actor, 'agent.desktop');
    const interaction = await this.interactions.get(actor, interactionId); // 404 for what the actor cannot see
    if (actor.kind !== 'system' && actor.userId !== interaction.agentId && !actor.permissions.has('supervisor.console')) {
      throw new AppError('FORBIDDEN', "only the call's agent or a supervisor may control it");
    }
    if (interaction.channel !== 'voice' || interaction.state !== 'live') throw conflict('the call is not live');
    return interaction;
  }

  /** The live call object of an authorized interaction (409 when another server or nobody handles it). */
  private liveCall(interaction: { externalRef: string | null }): CallSession | ClickToDialCall {
    const call = this.sip()?.calls.get(interaction.externalRef ?? '');
    if (!(call instanceof CallSession) && !(call instanceof ClickToDialCall)) throw conflict('the call is not handled by this server');
    return call;
  }

  private async call(actor: Actor, interactionId: string): Promise<CallSession | ClickToDialCall> {
    return this.liveCall(await this.authorize(actor, interactionId));
  }

  private async audit(actor: Actor, interactionId: string, action: string, details: Record<string, unknown> = {}): Promise<void> {
    await this.directory.auditActor(actor, { action: `voice.${action}`, targetType: 'interaction', targetId: interactionId, details });
  }

  private stateOf(call: CallSession | ClickToDialCall): CallState {
    return {
      interactionId: call.interactionId, agent: call.agent ?? null, onHold: call.onHold, muted: call.isMuted, recording: call.isRecording,
      consulting: this.consultations.has(call.interactionId), colleagues: call instanceof CallSession ? call.colleagues : [],
      monitoring: call instanceof CallSession ? call.monitoring : [],
    };
  }

  /** Runs an operation, turning "not now" errors into 409s. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CallEndedError) throw conflict('the call has ended');
      if (err instanceof ConsultFailed) throw conflict('the target did not answer');
      if (err instanceof RangeError) throw conflict(err.message);
      throw err;
    }
  }

  async state(actor: Actor, interactionId: string): Promise<CallState> {
    return this.stateOf(await this.call(actor, interactionId));
  }

  async act(actor: Actor, interactionId: string, action: CallAction): Promise<CallState> {
    const call = await this.call(actor, interactionId);
    await this.run(async () => {
      switch (action) {
        case 'hold': return call.hold();
        case 'unhold': return call.unhold();
        case 'mute': return call.mute(true);
        case 'unmute': return call.mute(false);
        // The call's agent hanging up from the desktop is the agent's hangup; a supervisor's is the system's.
        case 'hangup': return call.hangup({ endReason: 'normal', by: call.agent && actor.userId === call.agent.userId ? 'agent' : 'system' });
        case 'recording.start': return void (await call.startRecording());
        case 'recording.stop': return call.stopRecording();
        case 'recording.pause': return call.pauseRecording();
        case 'recording.resume': return call.resumeRecording();
      }
    });
    await this.audit(actor, interactionId, `call_${action.replace('.', '_')}`);
    return this.changedState(actor, call);
  }

  async sendDtmf(actor: Actor, interactionId: string, digits: string): Promise<CallState> {
    const call = await this.call(actor, interactionId);
    await this.run(() => call.sendDtmf(digits));
    return this.stateOf(call);
  }

  /** Checks a number target against the division's outbound rules for this actor (403 + audit when barred). */
  private async checkNumber(actor: Actor, call: CallSession | ClickToDialCall, target: TransferTarget): Promise<void> {
    if (target.kind !== 'number') return;
    const decision = await authorizeOutbound(this.directory, { tenantId: actor.tenantId, divisionId: call.divisionId, userId: actor.userId, ip: actor.ip }, target.number);
    if (!decision.ok) throw new AppError('FORBIDDEN', decision.reason === 'limit' ? 'the hourly limit of outbound calls is reached' : 'calls to this number are not allowed');
  }

  async blindTransfer(actor: Actor, interactionId: string, target: TransferTarget): Promise<CallState> {
    const interaction = await this.authorize(actor, interactionId);
    await this.checkTarget(actor, target);
    const call = this.liveCall(interaction);
    if (!(call instanceof CallSession)) throw conflict('this call cannot be transferred');
    await this.checkNumber(actor, call, target);
    await this.run(() => call.blindTransfer(target));
    await this.audit(actor, interactionId, 'call_transferred', { target });
    return this.changedState(actor, call);
  }

  async consult(actor: Actor, interactionId: string, target: Exclude<TransferTarget, { kind: 'queue' } | { kind: 'flow' }>): Promise<CallState> {
    const interaction = await this.authorize(actor, interactionId);
    await this.checkTarget(actor, target);
    const call = this.liveCall(interaction);
    if (!(call instanceof CallSession)) throw conflict('this call cannot be transferred');
    if (this.consultations.has(interactionId)) throw conflict('a consultation is already running');
    await this.checkNumber(actor, call, target);
    const consultation = await this.run(() => call.consultTransfer(target));
    this.consultations.set(interactionId, consultation);
    void consultation.ended.then(() => {
      if (this.consultations.get(interactionId) === consultation) this.consultations.delete(interactionId);
    });
    void call.ended.then(() => this.consultations.delete(interactionId));
    await this.audit(actor, interactionId, 'call_consulted', { target });
    return this.changedState(actor, call);
  }

  async finishConsult(actor: Actor, interactionId: string, how: 'complete' | 'cancel'): Promise<CallState> {
    const call = await this.call(actor, interactionId);
    const consultation = this.consultations.get(interactionId);
    if (!consultation) throw conflict('no consultation is running');
    this.consultations.delete(interactionId);
    await this.run(() => (how === 'complete' ? consultation.complete() : consultation.cancel()));
    await this.audit(actor, interactionId, how === 'complete' ? 'call_consult_completed' : 'call_consult_cancelled');
    return this.changedState(actor, call);
  }

  /** A target of the actor's tenant: the agent, extension or queue must exist (400 naming the field). */
  private async checkTarget(actor: Actor, target: TransferTarget): Promise<void> {
    if (target.kind === 'agent' && !(await this.directory.deviceOfUser(actor.tenantId, target.userId))) throw invalid('target.userId', 'no such agent with a phone');
    if (target.kind === 'extension' && !(await this.directory.device(actor.tenantId, target.extension))) throw invalid('target.extension', 'no such extension');
    if (target.kind === 'queue' && !(await this.directory.queueExists(actor.tenantId, target.queueId))) throw invalid('target.queueId', 'no such queue');
  }

  async addColleague(actor: Actor, interactionId: string, input: { extension?: string | undefined; userId?: string | undefined }): Promise<{ interactionId: string; colleagues: string[] }> {
    const interaction = await this.authorize(actor, interactionId);
    if (!input.extension && !input.userId) throw invalid('extension', 'name the colleague by extension or userId');
    const device = input.extension
      ? await this.directory.device(actor.tenantId, input.extension)
      : await this.directory.deviceOfUser(actor.tenantId, input.userId!);
    if (!device) throw invalid(input.extension ? 'extension' : 'userId', 'no such colleague with a phone');
    const call = this.liveCall(interaction);
    if (!(call instanceof CallSession)) throw conflict('this call has no conference');
    const added = await call.addColleague({ userId: device.userId, extension: device.extension });
    if (!added) throw conflict('the colleague did not answer');
    await this.audit(actor, interactionId, 'colleague_added', { extension: device.extension });
    this.changedState(actor, call);
    return { interactionId, colleagues: call.colleagues };
  }

  /**
   * A supervisor listens to, whispers into or barges into a live call from their own phone or browser (which rings
   * first); a second request while monitoring changes the mode. Supervisors only; audited.
   */
  async monitor(actor: Actor, interactionId: string, mode: 'listen' | 'whisper' | 'barge'): Promise<CallState> {
    requirePermission(actor, 'supervisor.console');
    if (!actor.userId) throw new AppError('FORBIDDEN', 'monitoring is for signed-in supervisors');
    const interaction = await this.authorize(actor, interactionId);
    const call = this.liveCall(interaction);
    if (!(call instanceof CallSession) || !call.agent) throw conflict('the call has no agent to monitor');
    if (!(await call.setMonitorMode(actor.userId, mode))) {
      const device = await this.directory.deviceOfUser(actor.tenantId, actor.userId);
      const target = device ? { userId: actor.userId, extension: device.extension } : { userId: actor.userId, extension: '' };
      if (!(await call.monitor(target, mode))) throw conflict('your phone did not answer');
    }
    await this.audit(actor, interactionId, 'call_monitored', { mode });
    return this.changedState(actor, call);
  }

  /** Click-to-dial: the agent's own phone rings first; once answered, the number is called through a trunk. */
  async dial(actor: Actor, number: string): Promise<{ interactionId: string }> {
    requirePermission(actor, 'agent.desktop');
    if (!actor.userId) throw new AppError('FORBIDDEN', 'click-to-dial is for signed-in agents');
    const sip = this.sip();
    if (!sip) throw new AppError('UNAVAILABLE', 'telephony is not running', { retryable: true });
    const device = await this.directory.deviceOfUser(actor.tenantId, actor.userId);
    if (!device?.divisionId) throw conflict('you have no phone (extension) to call from');
    if (!sip.isRegistered(actor.tenantId, device.extension)) throw conflict(`your phone (extension ${device.extension}) is not registered`);
    const decision = await authorizeOutbound(this.directory, { tenantId: actor.tenantId, divisionId: device.divisionId, userId: actor.userId, ip: actor.ip, extension: device.extension }, number);
    if (!decision.ok) throw new AppError('FORBIDDEN', decision.reason === 'limit' ? 'the hourly limit of outbound calls is reached' : 'calls to this number are not allowed');
    const interactionId = await sip.clickToDial({ ...device, divisionId: device.divisionId }, number, decision.trunk, decision.callerId);
    await this.audit(actor, interactionId, 'call_dialled', { number: number.slice(0, 40) });
    return { interactionId };
  }
}
