// An agent's phone dialling out through a trunk: the INVITE was already authenticated as the agent's extension and
// passed the division's outbound rules. The agent leg is answered at once (the agent hears ringback), the far end
// is called through the trunk with its digest credentials (RFC 3261 §22.2) and the division's caller ID, then the
// legs are bridged and recorded per policy. A BYE from either side ends both and fills the CDR.
import { MediaError, type MediaEngine } from '@kefu/media';
import { SipError, type Dialog, type IncomingInvite, type Responder, type SipRequest } from '@kefu/sip';
import type { HangupBy } from '../conversations/interactions.service.ts';
import type { CallDeps } from './call-session.ts';
import type { AgentDevice, OutboundTrunk } from './voice-directory.ts';

function causeOf(req: SipRequest | undefined): number {
  const m = /cause\s*=\s*(\d{3})/i.exec(req?.get('Reason') ?? '');
  return m ? Number(m[1]) : 200;
}

export class OutboundCall {
  readonly callId: string;
  interactionId: string | undefined;
  private media!: MediaEngine;
  private readonly endpoints: string[] = [];
  private agentDialog: Dialog | undefined;
  private remoteDialog: Dialog | undefined;
  private recording: { id: string; mediaId: string; spoolPath: string } | undefined;
  private readonly abort = new AbortController();
  private ended: Promise<void> | undefined;

  constructor(
    private readonly deps: CallDeps,
    private readonly inv: IncomingInvite,
    readonly device: AgentDevice & { divisionId: string },
    private readonly dialled: string,
    private readonly trunk: OutboundTrunk,
    private readonly callerId: string,
  ) {
    this.callId = inv.request.callId;
  }

  get tenantId(): string {
    return this.device.tenantId;
  }

  /** The agent on this call (for the busy check of inbound routing). */
  get agent(): { userId: string } {
    return { userId: this.device.userId };
  }

  async run(): Promise<void> {
    try {
      await this.place();
    } catch (err) {
      if (this.abort.signal.aborted) return; // raced with the hangup
      this.deps.logger.error({ err, callId: this.callId }, 'outbound call failed');
      await this.end('system', 500, 'failed');
    }
  }

  private async place(): Promise<void> {
    const req = this.inv.request;
    if (!req.body.length) {
      this.inv.reply(488, { reason: 'SDP offer required' });
      return this.deps.ended(this);
    }
    this.media = await this.deps.media();
    const agentEp = await this.media.createRtpEndpoint({ group: this.callId });
    this.endpoints.push(agentEp.id);
    let answer: string;
    try {
      answer = await this.media.request('answer', agentEp.id, req.bodyText);
    } catch (err) {
      if (!(err instanceof MediaError)) throw err;
      await this.closeEndpoints();
      this.inv.reply(488);
      return this.deps.ended(this);
    }
    const interaction = await this.deps.interactions.open(this.tenantId, {
      divisionId: this.device.divisionId, channel: 'voice', direction: 'outbound', from: this.callerId || this.device.extension, to: this.dialled, externalRef: this.callId,
    });
    this.interactionId = interaction.id;
    await this.deps.interactions.update(this.tenantId, interaction.id, { agentId: this.device.userId });
    this.agentDialog = await this.deps.ua.createUAS(this.inv, { localSdp: answer });
    this.watch(this.agentDialog, agentEp.id, 'agent');
    const ringback = await this.media.request('play', agentEp.id, { tone: 'ringback' });

    const farEp = await this.media.createRtpEndpoint({ group: this.callId });
    this.endpoints.push(farEp.id);
    const offer = await this.media.request('createOffer', farEp.id);
    await this.deps.interactions.update(this.tenantId, interaction.id, { offeredAt: new Date() });
    const transport = this.trunk.transport === 'tcp' ? ';transport=tcp' : '';
    const fromUser = this.callerId || this.trunk.username || this.device.extension;
    try {
      this.remoteDialog = await this.deps.ua.createUAC(`sip:${this.dialled}@${this.trunk.host}:${this.trunk.port}${transport}`, {
        localSdp: offer,
        signal: this.abort.signal,
        from: `<sip:${fromUser}@${this.trunk.host}>`,
        ...(this.trunk.password !== undefined ? { credentials: { username: this.trunk.username, password: this.trunk.password } } : {}),
      });
    } catch (err) {
      const status = err instanceof SipError && err.status ? err.status : 503;
      return this.end('system', status, this.abort.signal.aborted ? 'abandoned' : 'failed');
    }
    if (this.abort.signal.aborted) return void this.remoteDialog.destroy();
    await this.media.request('acceptAnswer', farEp.id, this.remoteDialog.remoteSdp ?? '');
    this.watch(this.remoteDialog, farEp.id, 'customer');
    await this.media.request('stopPlayback', ringback.playbackId).catch(() => {});
    await this.media.bridge(farEp.id, agentEp.id);
    await this.deps.interactions.update(this.tenantId, interaction.id, { answeredAt: new Date() });
    await this.deps.interactions.segment(this.tenantId, interaction.id, 'agent', { userId: this.device.userId, endpoint: this.device.extension });
    const policy = await this.deps.directory.policy(this.tenantId, this.device.divisionId);
    if (policy.recording === 'always') {
      const rec = await this.deps.recordings.start(this.tenantId, this.device.divisionId, interaction.id);
      const { recordingId } = await this.media.record({ path: rec.spoolPath, left: farEp.id, right: agentEp.id });
      this.recording = { id: rec.id, mediaId: recordingId, spoolPath: rec.spoolPath };
    }
  }

  private watch(dialog: Dialog, endpointId: string, side: 'customer' | 'agent'): void {
    dialog.on('modify', (req: SipRequest, res: Responder) => {
      if (!req.body.length) return res.send(200, dialog.localSdp ? { body: dialog.localSdp } : {});
      this.media.request('answer', endpointId, req.bodyText).then((sdp) => res.send(200, { body: sdp }), () => res.send(488));
    });
    dialog.on('destroy', ({ reason, request }) => {
      if (reason === 'remote') void this.end(side, causeOf(request), 'normal');
      else if (reason !== 'local') void this.end('system', 500, 'failed');
    });
  }

  end(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.ended ??= this.finish(by, sipCause, reason);
    return this.ended;
  }

  private async finish(by: HangupBy, sipCause: number, reason: string): Promise<void> {
    this.abort.abort();
    const endedAt = new Date();
    const far = this.endpoints[1];
    const s = far ? await this.media.request('stats', far).catch(() => undefined) : undefined;
    const hangups = [this.agentDialog, this.remoteDialog].filter((d) => d?.state === 'confirmed').map((d) => d!.destroy(sipCause >= 300 ? { headers: { Reason: `SIP;cause=${sipCause}` } } : {}));
    const rec = this.recording;
    const durationMs = rec ? ((await this.media.request('stopRecording', rec.mediaId).catch(() => undefined))?.durationMs ?? 0) : 0;
    await this.closeEndpoints();
    if (this.interactionId) {
      const expected = s ? s.packetsReceived + s.packetsLost : 0;
      await this.deps.interactions.close(this.tenantId, this.interactionId, {
        endedAt, hangupBy: by, sipCause, endReason: reason,
        ...(s && s.packetsReceived > 0 ? { quality: { jitterMs: s.jitterMs, lossPct: expected ? (100 * s.packetsLost) / expected : 0, mos: s.mos } } : {}),
      }).catch((err: unknown) => this.deps.logger.error({ err }, 'closing the interaction failed'));
    }
    if (rec) await this.deps.recordings.store(this.tenantId, rec.id, rec.spoolPath, 'stored', durationMs).catch(() => {});
    await Promise.allSettled(hangups);
    this.deps.ended(this);
  }

  private async closeEndpoints(): Promise<void> {
    if (!this.media) return;
    for (const id of this.endpoints.splice(0)) await this.media.closeEndpoint(id).catch(() => {});
    this.media.releaseGroup(this.callId);
  }
}
