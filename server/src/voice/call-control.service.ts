// The first piece of the CallControl port for the agent desktop and supervisors: add a colleague (any division of
// the tenant) to a live call as a three-way conference. Only the call's agent or a supervisor may do it.
import { AppError, conflict, invalid } from '../platform/errors.ts';
import { requirePermission, type Actor } from '../platform/auth/actor.ts';
import type { InteractionsService } from '../conversations/interactions.service.ts';
import { CallSession } from './call-session.ts';
import type { SipService } from './sip-service.ts';
import type { VoiceDirectory } from './voice-directory.ts';

export class CallControlService {
  constructor(
    private readonly interactions: InteractionsService,
    private readonly directory: VoiceDirectory,
    private readonly sip: () => SipService | undefined,
  ) {}

  async addColleague(actor: Actor, interactionId: string, input: { extension?: string | undefined; userId?: string | undefined }): Promise<{ interactionId: string; colleagues: string[] }> {
    requirePermission(actor, 'agent.desktop');
    const interaction = await this.interactions.get(actor, interactionId); // 404 for what the actor cannot see
    if (interaction.channel !== 'voice' || interaction.state !== 'live') throw conflict('the call is not live');
    if (actor.kind !== 'system' && actor.userId !== interaction.agentId && !actor.permissions.has('supervisor.console')) {
      throw new AppError('FORBIDDEN', "only the call's agent or a supervisor may add a colleague");
    }
    if (!input.extension && !input.userId) throw invalid('extension', 'name the colleague by extension or userId');
    const device = input.extension
      ? await this.directory.device(actor.tenantId, input.extension)
      : await this.directory.deviceOfUser(actor.tenantId, input.userId!);
    if (!device) throw invalid(input.extension ? 'extension' : 'userId', 'no such colleague with a phone');
    const call = this.sip()?.calls.get(interaction.externalRef ?? '');
    if (!(call instanceof CallSession)) throw conflict('the call is not handled by this server');
    const added = await call.addColleague({ userId: device.userId, extension: device.extension });
    if (!added) throw conflict('the colleague did not answer');
    await this.directory.audit(actor.tenantId, actor.userId ?? device.userId, actor.ip, {
      action: 'voice.colleague_added', targetType: 'interaction', targetId: interactionId, details: { extension: device.extension },
    });
    return { interactionId, colleagues: call.colleagues };
  }
}
