// The SIP edge of the voice service: one user agent on UDP and TCP (KEFU_SIP_PORT), the tenant registrar, and
// INVITE dispatch. An INVITE from an IP-authenticated trunk is matched to a number (unknown → 404); any other
// INVITE must authenticate as an extension (407, RFC 3261 §22.3) before it may call a number. Banned sources get
// 403 for everything, whoever they probe.
import { parseUri, StreamTransport, UdpTransport, UserAgent, type IncomingInvite, type Registration, type Transport } from '@kefu/sip';
import type { MediaEngine } from '@kefu/media';
import type { InteractionsService } from '../conversations/interactions.service.ts';
import type { Logger } from '../platform/logger.ts';
import { CallSession, type CallDeps } from './call-session.ts';
import { ClickToDialCall } from './click-to-dial.ts';
import { ChatCall } from './chat-call.ts';
import type { ChatCallHandle, ChatCallRequest } from './chat-call-port.ts';
import { conflict } from '../platform/errors.ts';
import { OutboundCall } from './outbound-call.ts';
import { decideOutbound } from './outbound-rules.ts';
import type { RecordingsService } from './recordings.service.ts';
import { ScannerGuard } from './scanner-guard.ts';
import { TenantRegistrar } from './tenant-registrar.ts';
import type { AgentDevice, OutboundTrunk, VoiceDirectory } from './voice-directory.ts';
import type { VoiceFlowRegistryImpl } from './flow-port.ts';
import type { VoiceQueue } from './voice-queue.ts';
import type { CallbackRequests } from './callbacks.ts';
import type { BrowserPhones } from './browser-phones.ts';
import { authorizeOutbound } from './trunk-dial.ts';

export interface SipServiceOptions {
  host: string;
  port: number;
  /** Address written into Contact headers (KEFU_MEDIA_IP, else the bind address, else 127.0.0.1). */
  advertiseHost: string;
  banSeconds: number;
  timing?: Partial<CallDeps['timing']>;
}

export interface SipServiceDeps {
  directory: VoiceDirectory;
  interactions: InteractionsService;
  recordings: RecordingsService;
  media: () => Promise<MediaEngine>;
  logger: Logger;
  fallbackTenant: () => Promise<{ tenantId: string; realm: string } | undefined>;
  /** Routing's voice side, once the routing module is there. */
  queue: () => VoiceQueue | undefined;
  flows: VoiceFlowRegistryImpl;
  callbacks: CallbackRequests;
  browsers?: BrowserPhones | undefined;
}

/** Binds UDP and TCP on one port; with port 0, TCP follows the port the OS gave UDP. */
async function bindTransports(host: string, port: number): Promise<Transport[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const udp = await UdpTransport.listen({ host, port });
    try {
      const tcp = await StreamTransport.listen('TCP', { host, port: udp.localPort });
      return [udp, tcp];
    } catch (err) {
      await udp.close();
      if (port !== 0) throw err;
    }
  }
  throw new Error('could not bind SIP UDP and TCP on one free port');
}

export class SipService {
  readonly guard: ScannerGuard;
  readonly registrar: TenantRegistrar;
  readonly calls = new Map<string, CallSession | OutboundCall | ClickToDialCall>();
  /** Web chats turned into voice calls, by interaction id (one call per chat at a time). */
  readonly chatCalls = new Map<string, ChatCall>();
  private ua: UserAgent | undefined;
  private readonly timing: CallDeps['timing'];
  /** Registrations to providers, by trunk id, with the settings they were made with and their last outcome. */
  private readonly trunkRegistrations = new Map<string, { key: string; registration: Registration; state: 'pending' | 'registered' | 'failed'; status: number | null }>();
  private syncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SipServiceOptions, private readonly deps: SipServiceDeps) {
    this.guard = new ScannerGuard({ banMs: o.banSeconds * 1000 });
    this.registrar = new TenantRegistrar(deps.directory, this.guard, deps.fallbackTenant);
    this.timing = { ringTimeoutMs: 30_000, queueTimeoutMs: 120_000, pollMs: 1000, voicemailMaxMs: 120_000, ...o.timing };
  }

  /** The UDP (= TCP) port SIP listens on. */
  get port(): number | undefined {
    return this.ua?.transport.transports[0]?.transport.localPort;
  }

  async start(): Promise<void> {
    const transports = await bindTransports(this.o.host, this.o.port);
    const ua = new UserAgent([], { name: 'Kefu', contactUser: 'kefu' });
    for (const t of transports) ua.transport.add(t, { host: this.o.advertiseHost, port: t.localPort });
    // The first phone or call warms the media engine up (its worker threads take a moment to boot).
    const warm = (): void => void this.deps.media().catch((err: unknown) => this.deps.logger.error({ err }, 'media engine failed to start'));
    ua.on('register', () => warm());
    ua.on('invite', () => warm());
    ua.on('register', (r) => void this.registrar.handle(r).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'REGISTER failed');
      r.reply(500);
    }));
    ua.on('invite', (inv) => void this.onInvite(inv).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'INVITE failed');
      inv.reply(500);
    }));
    this.ua = ua;
    await this.syncTrunks();
    this.syncTimer = setInterval(() => void this.syncTrunks().catch((err: unknown) => this.deps.logger.warn({ err }, 'trunk registration sync failed')), 60_000);
    this.syncTimer.unref();
  }

  /** Keeps one registration (RFC 3261 §10.2, digest) per enabled registering trunk; call after trunk changes. */
  async syncTrunks(): Promise<void> {
    const ua = this.ua;
    if (!ua) return;
    const trunks = await this.deps.directory.registeringTrunks();
    const wanted = new Map(trunks.map((t) => [t.id, t]));
    for (const [id, r] of this.trunkRegistrations) {
      const t = wanted.get(id);
      if (!t || r.key !== JSON.stringify(t)) {
        this.trunkRegistrations.delete(id);
        await r.registration.stop().catch(() => {});
      }
    }
    for (const t of trunks) {
      if (this.trunkRegistrations.has(t.id)) continue;
      const registration = ua.register({
        registrar: `sip:${t.host}:${t.port}${t.transport === 'tcp' ? ';transport=tcp' : ''}`,
        aor: `sip:${t.username}@${t.host}`,
        ...(t.password !== undefined ? { credentials: { username: t.username, password: t.password } } : {}),
        expires: 600,
        retryAfter: 30,
      });
      const entry = { key: JSON.stringify(t), registration, state: 'pending' as 'pending' | 'registered' | 'failed', status: null as number | null };
      registration.on('registered', ({ response }) => Object.assign(entry, { state: 'registered', status: response.status }));
      registration.on('failed', ({ status }) => Object.assign(entry, { state: 'failed', status: status ?? null }));
      this.trunkRegistrations.set(t.id, entry);
    }
  }

  /** The registration state of a tenant's registering trunks (for the admin console). */
  trunkStates(trunkIds: readonly string[]): { trunkId: string; state: string; status: number | null }[] {
    return trunkIds.flatMap((trunkId) => {
      const r = this.trunkRegistrations.get(trunkId);
      return r ? [{ trunkId, state: r.state, status: r.status }] : [];
    });
  }

  isRegistered(tenantId: string, extension: string): boolean {
    return this.registrar.bindings(tenantId, extension).length > 0;
  }

  private async onInvite(inv: IncomingInvite): Promise<void> {
    const req = inv.request;
    const address = req.source?.address ?? '';
    if (this.guard.isBanned(address)) return inv.reply(403);
    let uri;
    try {
      uri = parseUri(req.uri);
    } catch {
      return inv.reply(416); // RFC 3261 §21.4.17
    }
    if (uri.kind !== 'sip') return inv.reply(416);
    const dialled = decodeURIComponent(uri.user ?? '');
    const trunks = await this.deps.directory.trunksFrom(address);
    if (trunks.length) {
      const tenantIds = [...new Set(trunks.map((t) => t.tenantId))];
      const number = await this.deps.directory.number(tenantIds, dialled);
      if (number) {
        const realm = (await this.registrar.realmOf(uri.host)).realm;
        return this.startCall(new CallSession(this.callDeps(), inv, number, realm, 'inbound'));
      }
      // An agent's phone on the trunk's address (the same host) dialling out authenticates like any phone; for
      // anyone else on a trunk an unknown number is simply unknown.
      const from = req.from.uri.kind === 'sip' ? (req.from.uri.user ?? '') : '';
      const devices = await Promise.all(tenantIds.map((t) => this.deps.directory.device(t, from)));
      if (!devices.some(Boolean)) return inv.reply(404);
    }
    // Not a trunk: the caller must be one of the tenant's extensions (proxy-style challenge, 407).
    const info = await this.registrar.realmOf(uri.host);
    const result = await this.registrar.authenticator(info, true).authenticate(req);
    if (!result.ok) return inv.tx.respond(result.response);
    if (!info.tenantId) return inv.reply(403);
    const number = await this.deps.directory.number([info.tenantId], dialled);
    if (number) return this.startCall(new CallSession(this.callDeps(), inv, number, info.realm, 'internal'));
    return this.outbound(inv, info.tenantId, result.username, dialled, address);
  }

  /** An extension dialling an outside number: the division's outbound rules decide (403 + audit when barred). */
  private async outbound(inv: IncomingInvite, tenantId: string, extension: string, dialled: string, address: string): Promise<void> {
    const device = await this.deps.directory.device(tenantId, extension);
    if (!device?.divisionId) return inv.reply(403);
    const rules = await this.deps.directory.outboundRules(tenantId, device.divisionId);
    const decision = decideOutbound(rules, dialled, await this.deps.directory.outboundCallsLastHour(tenantId, device.divisionId));
    if (!decision.ok) {
      await this.deps.directory.audit(tenantId, device.userId, address || null, {
        action: decision.reason === 'limit' ? 'voice.outbound_limited' : 'voice.outbound_barred', targetType: 'voice_extension',
        details: { extension, dialled: dialled.slice(0, 40) },
      });
      return inv.reply(403);
    }
    const trunk = await this.deps.directory.trunk(tenantId, decision.rule.trunkId);
    if (!trunk) return inv.reply(503);
    const callerId = trunk.callerId || (await this.deps.directory.policy(tenantId, device.divisionId)).callerId;
    this.startCall(new OutboundCall(this.callDeps(), inv, { ...device, divisionId: device.divisionId }, dialled, trunk, callerId));
  }

  private callDeps(): CallDeps {
    return {
      ua: this.ua!,
      media: this.deps.media,
      interactions: this.deps.interactions,
      recordings: this.deps.recordings,
      directory: this.deps.directory,
      registrar: this.registrar,
      queue: this.deps.queue,
      flows: this.deps.flows,
      callbacks: this.deps.callbacks,
      browsers: this.deps.browsers,
      logger: this.deps.logger,
      timing: this.timing,
      ended: (c) => this.calls.delete(c.callId),
    };
  }

  /** Click-to-dial for an agent (already authorized): returns the interaction id while the agent's phone rings. */
  async clickToDial(device: AgentDevice & { divisionId: string }, number: string, trunk: OutboundTrunk, callerId: string): Promise<string> {
    const realm = (await this.deps.directory.sipDomain(device.tenantId)) ?? 'kefu';
    const call = new ClickToDialCall(this.callDeps(), device, number, trunk, callerId, realm);
    const interactionId = await call.open();
    this.startCall(call);
    return interactionId;
  }

  /**
   * An agent took a callback task: their phone rings, then the customer's number is called through the trunk the
   * division's outbound rules choose; the routing task completes when the call ends.
   */
  async dialCallback(task: { tenantId: string; taskId: string; agentId: string; number: string }, complete: () => Promise<void>): Promise<string | undefined> {
    const device = await this.deps.directory.deviceOfUser(task.tenantId, task.agentId);
    const decision = device?.divisionId
      ? await authorizeOutbound(this.deps.directory, { tenantId: task.tenantId, divisionId: device.divisionId, userId: task.agentId, ip: null, extension: device.extension }, task.number)
      : undefined;
    if (!device?.divisionId || !decision?.ok) {
      this.deps.logger.warn({ taskId: task.taskId, reason: decision && !decision.ok ? decision.reason : 'no phone' }, 'voice: a callback cannot be dialled');
      await complete();
      return undefined;
    }
    const realm = (await this.deps.directory.sipDomain(task.tenantId)) ?? 'kefu';
    const call = new ClickToDialCall(this.callDeps(), { ...device, divisionId: device.divisionId }, task.number, decision.trunk, decision.callerId, realm);
    call.afterEnd = complete;
    const interactionId = await call.open();
    this.startCall(call);
    return interactionId;
  }

  /**
   * A web chat's voice call (already authorized by web chat: the visitor's own accepted chat): answers the visitor's
   * WebRTC offer, then rings the chat's agent in the background.
   */
  async placeChatCall(request: ChatCallRequest): Promise<ChatCallHandle> {
    const id = request.interactionId;
    if (this.chatCalls.has(id)) throw conflict('the chat already has a voice call');
    const realm = (await this.deps.directory.sipDomain(request.tenantId)) ?? 'kefu';
    const call: ChatCall = new ChatCall({ ...this.callDeps(), ended: () => void (this.chatCalls.get(id) === call && this.chatCalls.delete(id)) }, request, realm);
    this.chatCalls.set(id, call);
    let answerSdp: string;
    try {
      answerSdp = await call.answerVisitor(request.offerSdp);
    } catch (err) {
      this.chatCalls.delete(id);
      throw err;
    }
    void call.run();
    return { answerSdp, hangup: (by, reason) => call.end(by, reason) };
  }

  private startCall(call: CallSession | OutboundCall | ClickToDialCall): void {
    if (this.calls.has(call.callId)) return; // a retransmitted INVITE is absorbed by its transaction; a twin is ignored
    this.calls.set(call.callId, call);
    void call.run();
  }

  /** Ends every call (BYE both legs, CDR cause system_shutdown), then closes the transports. */
  async stop(): Promise<void> {
    if (this.syncTimer) clearInterval(this.syncTimer);
    await Promise.allSettled([...this.calls.values()].map((c) => c.end('system', 503, 'system_shutdown')));
    await Promise.allSettled([...this.chatCalls.values()].map((c) => c.end('system', 'system_shutdown')));
    this.trunkRegistrations.clear(); // ua.close() unregisters them
    await this.ua?.close(500);
    this.ua = undefined;
  }
}
