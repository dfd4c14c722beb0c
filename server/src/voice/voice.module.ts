// The voice module: provisioning API, the SIP edge (registrar + inbound calls) on KEFU_SIP_PORT, the media
// engine (worker threads, started on the first SIP request so that Kefu starts fast and idle installations spend
// nothing on it), recordings, crash recovery at start
// and the demo telephony (trunk from 127.0.0.1 to number 4000, extensions 1001-1003 for agent1-agent3).
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { MediaEngine } from '@kefu/media';
import { InteractionsService } from '../conversations/interactions.service.ts';
import { systemActor } from '../platform/auth/actor.ts';
import type { KefuModule, ModuleFactory } from '../module.ts';
import { CallControlService } from './call-control.service.ts';
import { generateSipPassword, ProvisioningService } from './provisioning.service.ts';
import { RecordingsService } from './recordings.service.ts';
import { SipService, type SipServiceOptions } from './sip-service.ts';
import { VoiceDirectory } from './voice-directory.ts';
import { voiceRoutes } from './voice.routes.ts';
import { voiceFlowRegistry } from './flow-port.ts';
import { VoiceQueue } from './voice-queue.ts';
import { CallbackRequests } from './callbacks.ts';
import { BrowserPhones } from './browser-phones.ts';
import { chatCallSlotFor } from './chat-call-port.ts';
import { AppError } from '../platform/errors.ts';
import { realtimeHubFor } from '../realtime/realtime.module.ts';
import { routingServiceFor } from '../routing/routing.module.ts';


export interface VoiceModule extends KefuModule {
  provisioning: ProvisioningService;
  recordings: RecordingsService;
  interactions: InteractionsService;
  /** The SIP edge once started (undefined when the SIP port could not be bound). */
  sip: SipService | undefined;
  /** The media engine (its worker threads start on the first REGISTER or INVITE; calls wait for it). */
  mediaEngine(): Promise<MediaEngine>;
}

export const DEMO_SIP_DOMAIN = 'demo.kefu';

/** Options tests pass through KefuOptions.extraModules-style factories (queue timings). */
export function voiceModuleFactory(options: { timing?: SipServiceOptions['timing']; mediaWorkers?: number } = {}): ModuleFactory {
  return async (ctx): Promise<VoiceModule> => {
    const { config, database, logger } = ctx;
    const v = config.voice;
    const directory = new VoiceDirectory(database, ctx.secrets);
    const provisioning = new ProvisioningService(database, ctx.secrets);
    const recordings = new RecordingsService(database, ctx.blobs, config.dataDir);
    const interactions = new InteractionsService(database);
    const anyHost = v.sipHost === '0.0.0.0' || v.sipHost === '::';
    const flows = voiceFlowRegistry(ctx);
    const callbacks = new CallbackRequests(database, logger);
    const hub = await realtimeHubFor(ctx);
    const browsers = new BrowserPhones(hub);
    // Desks showing a call (its agent's, a supervisor's) watch `call:<interactionId>` for its state.
    const callControl = new CallControlService(interactions, directory, () => module.sip, (tenantId, state) =>
      hub.publishTopic(tenantId, `call:${state.interactionId}`, { type: 'event', name: 'call.state', topic: `call:${state.interactionId}`, data: state }),
    );
    hub.topic('call', { authorize: (actor, interactionId) => callControl.mayWatch(actor, interactionId) });
    let queue: VoiceQueue | undefined;
    let media: Promise<MediaEngine> | undefined;
    let retention: NodeJS.Timeout | undefined;
    const startMedia = (): Promise<MediaEngine> => {
      media ??= MediaEngine.start({
        bindAddress: anyHost ? '0.0.0.0' : v.sipHost,
        announceAddress: v.mediaIp ?? (anyHost ? '127.0.0.1' : v.sipHost),
        portRange: v.rtpPorts,
        // Worker threads compile the media sources on boot: on a loaded machine that takes seconds.
        requestTimeoutMs: 30_000,
        ...(options.mediaWorkers ? { workers: options.mediaWorkers } : {}),
      }).then(
        (engine) => {
          engine.on('error', (err) => logger.error({ err }, 'media engine error'));
          return engine;
        },
        (err: unknown) => {
          media = undefined; // the next call tries again
          throw err;
        },
      );
      return media;
    };
    // Single-tenant installations (and the demo): a phone that registers to an IP address reaches the one tenant
    // that has telephony configured.
    const fallbackTenant = async (): Promise<{ tenantId: string; realm: string } | undefined> => {
      const list = (await database.withSystem((tx) => tx.execute(sql`SELECT tenant_id, sip_domain FROM voice_settings LIMIT 2`))).rows;
      return list.length === 1 ? { tenantId: list[0]!.tenant_id as string, realm: list[0]!.sip_domain as string } : undefined;
    };

    // The flows module points the demo number at its demo flow (whichever module seeds first).
    flows.applyDemo = async (tenantId, flowId) => {
      const updated = await database.withTenant(tenantId, (tx) =>
        tx.execute(sql`UPDATE voice_numbers SET flow_id = ${flowId} WHERE tenant_id = ${tenantId} AND number = '4000' RETURNING id`));
      return updated.rows.length > 0;
    };

    const module: VoiceModule = {
      name: 'voice',
      provisioning,
      recordings,
      interactions,
      sip: undefined,
      mediaEngine: () => startMedia(),
      routes: (app) => voiceRoutes(app, { provisioning, recordings, callControl, sip: () => module.sip }),

      async seedDemo(demo) {
        const actor = systemActor(demo.tenantId);
        await provisioning.setSettings(actor, { sipDomain: DEMO_SIP_DOMAIN });
        await provisioning.createTrunk(actor, { divisionId: demo.defaultDivisionId, name: 'Demo trunk (localhost)', kind: 'inbound_ip', inboundAddresses: ['127.0.0.1', '::1'] });
        await provisioning.createNumber(actor, {
          divisionId: demo.defaultDivisionId, number: '4000', name: 'Demo hotline 演示热线', flowId: flows.pendingDemo.get(demo.tenantId) ?? null,
        });
        const lines = ['Kefu demo SIP accounts (register to this server, domain or IP)', 'extension\tpassword\tagent'];
        for (const [i, ext] of ['1001', '1002', '1003'].entries()) {
          const email = `agent${i + 1}@demo.kefu`;
          const userId = demo.userIds[email];
          if (!userId) continue;
          const password = generateSipPassword();
          await provisioning.createExtension(actor, { divisionId: demo.defaultDivisionId, extension: ext, userId, password });
          lines.push(`${ext}\t${password}\t${email}`);
        }
        const file = path.join(config.dataDir, 'demo-sip-accounts.txt');
        await fs.writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
        logger.info({ file }, 'demo SIP accounts written (also shown in the admin console)');
      },

      async start() {
        // Crash safety: calls that were live when the process died are over; keep their partial recordings.
        const closed = await interactions.closeAllLive('voice', 'system_restart');
        const recovered = await recordings.recover();
        if (closed.length || recovered.partial || recovered.failed) logger.warn({ closed: closed.length, ...recovered }, 'voice: closed calls left live by a restart');
        // Recording retention per division: once now, then hourly.
        const purge = (): void => void recordings.purgeExpired().then(
          (n) => n && logger.info({ deleted: n }, 'voice: recordings past their retention deleted'),
          (err: unknown) => logger.error({ err }, 'voice: recording retention failed'),
        );
        purge();
        retention = setInterval(purge, 3_600_000);
        retention.unref();
        const routing = await routingServiceFor(ctx);
        const sip = new SipService(
          { host: v.sipHost, port: v.sipPort, advertiseHost: v.mediaIp ?? (anyHost ? '127.0.0.1' : v.sipHost), banSeconds: v.banSeconds, ...(options.timing ? { timing: options.timing } : {}) },
          { directory, interactions, recordings, media: startMedia, logger, fallbackTenant, queue: () => queue, flows, callbacks, browsers },
        );
        {
          queue = new VoiceQueue(routing, database, (callId) => sip.calls.has(callId));
          const swept = await queue.sweepDeadTasks().catch((err: unknown) => {
            logger.warn({ err }, 'voice: withdrawing the routing tasks of dead calls failed');
            return 0;
          });
          if (swept) logger.warn({ swept }, 'voice: routing tasks of calls that died with the previous process withdrawn');
          callbacks.start(routing, (task) => sip.dialCallback(task, () => routing.complete(task.tenantId, task.taskId).catch(() => {})));
          // Phone login: an agent whose phone registers while signed out becomes available for calls.
          sip.registrar.onRegistered = (tenantId, extension) => void (async () => {
            const device = await directory.device(tenantId, extension);
            if (device) await queue!.phoneLogin(tenantId, device.userId);
          })().catch((err: unknown) => logger.warn({ err, extension }, 'voice: phone login failed'));
        }
        try {
          await sip.start();
          module.sip = sip;
          logger.info({ port: sip.port, host: v.sipHost }, 'SIP listening (UDP and TCP)');
        } catch (err) {
          // Kefu still serves everything else; the health of telephony is visible in the log and /voice/settings.
          logger.error({ err, port: v.sipPort }, 'SIP port could not be bound: voice calls are disabled');
        }
      },

      async stop() {
        if (retention) clearInterval(retention);
        callbacks.stop();
        await module.sip?.stop();
        module.sip = undefined;
        if (media) await (await media.catch(() => undefined))?.shutdown();
        media = undefined;
      },
    };
    // Web chat's voice calls (chat-call-port.ts): answered and rung by the SIP service of this node.
    chatCallSlotFor(ctx).set({
      async canReach(tenantId, agentId) {
        if (browsers.has(tenantId, agentId)) return true;
        const device = await directory.deviceOfUser(tenantId, agentId);
        return !!device && !!module.sip?.isRegistered(tenantId, device.extension);
      },
      live: (interactionId) => module.sip?.chatCalls.has(interactionId) ?? false,
      place(request) {
        if (!module.sip) throw new AppError('UNAVAILABLE', 'voice calls are not available on this server');
        return module.sip.placeChatCall(request);
      },
      async hangup(interactionId, by, reason) {
        const call = module.sip?.chatCalls.get(interactionId);
        if (!call) return false;
        await call.end(by, reason);
        return true;
      },
    });
    return module;
  };
}

export const createVoiceModule: ModuleFactory = voiceModuleFactory();
