// The channels module: channel adapters behind the ChannelAdapter port, web chat first — widget administration,
// the visitors' WebSocket gateway, the agent's chat API, attachments, the widget's files, and the `chat` realtime
// topic that carries a conversation's events to its agent and its visitor on any node.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { AttachmentsService } from '../conversations/attachments.service.ts';
import { InteractionsService } from '../conversations/interactions.service.ts';
import { MessagesService } from '../conversations/messages.service.ts';
import { ContactsService } from '../crm/contacts.service.ts';
import type { KefuModule, ModuleFactory } from '../module.ts';
import { canSeeDivision, type Actor } from '../platform/auth/actor.ts';
import { notFound } from '../platform/errors.ts';
import { realtimeHubFor } from '../realtime/realtime.module.ts';
import { routingServiceFor } from '../routing/routing.module.ts';
import { chatFlowsFor } from '../flows/chat-port.ts';
import { chatFlowSlotFor, ticketIntakeSlotFor, type ChatFlowHook } from './conversation-intake.ts';
import { mailSettingsFor } from '../platform/mail/mail.module.ts';
import type { MailSenderOptions } from '../platform/mail/mail-sender.ts';
import type { JobHandler } from '../platform/jobs/job-runner.ts';
import { claimSilentChats } from './webchat/auto-reply.ts';
import { enqueueTranscript, TRANSCRIPT_JOB, transcriptJobHandler } from './webchat/transcript.job.ts';
import { FlowChatHook } from './webchat/chat-flow.ts';
import { ChatSessions } from './webchat/chat-sessions.ts';
import { CHAT_TOPIC_KIND } from './webchat/chat-topic.ts';
import { ContactLinker } from './webchat/contact-link.ts';
import { RateLimiter } from './webchat/rate-limiter.ts';
import { visitorGateway, type VisitorSocket } from './webchat/visitor-gateway.ts';
import { VisitorTokens } from './webchat/visitor-identity.ts';
import { widgetAssetRoutes } from './webchat/widget-assets.ts';
import { WebchatService, type ChatRouting } from './webchat/webchat.service.ts';
import { webchatRoutes } from './webchat/webchat.routes.ts';
import { WidgetsService } from './webchat/widgets.service.ts';
import { VoiceEscalation } from './webchat/voice-escalation.ts';
import { voiceEscalationRoutes } from './webchat/voice-escalation.routes.ts';
import { chatCallSlotFor } from '../voice/chat-call-port.ts';

export interface ChannelsModule extends KefuModule {
  widgets: WidgetsService;
  chats: WebchatService;
  attachments: AttachmentsService;
  tokens: VisitorTokens;
  /**
   * Cuts the visitor sockets this node holds (before taking the node out of service; tests use it as a network
   * failure). Widgets reconnect — to another node behind the load balancer — and resume by sequence number.
   */
  dropVisitorConnections(): number;
}

export interface ChannelsOptions {
  /** Visitor socket ping interval; a socket that missed the previous pong is dropped. */
  heartbeatMs?: number;
  /** How often waiting visitors get their queue position. */
  queueUpdateMs?: number;
  limits?: { messagesBurst?: number; messagesPerSecond?: number; connectionsPerIpBurst?: number; offlineMessagesPerIpBurst?: number };
  /** How often chats are checked for an auto-reply after silence. */
  autoReplyCheckMs?: number;
  /** SMTP timeouts of transcript mails (tests shorten them). */
  mail?: MailSenderOptions;
}

export function channelsModuleFactory(options: ChannelsOptions = {}): ModuleFactory {
  return async (ctx): Promise<ChannelsModule> => {
    const hub = await realtimeHubFor(ctx);
    const routing = await routingServiceFor(ctx);
    const interactions = new InteractionsService(ctx.database);
    const messages = new MessagesService(ctx.database);
    const attachments = new AttachmentsService(ctx.database, ctx.blobs);
    const widgets = new WidgetsService(ctx.database, ctx.secrets);
    const sessions = new ChatSessions(ctx.database);
    const tokens = new VisitorTokens(ctx.secrets.derive('webchat-visitor-token'));
    const flowSlot = chatFlowSlotFor(ctx);
    const mail = mailSettingsFor(ctx);
    const onLog = (err: unknown, what: string) => ctx.logger.error({ err }, `webchat: ${what} failed`);
    const chats: WebchatService = new WebchatService({
      database: ctx.database,
      hub,
      routing: () => routing as unknown as ChatRouting,
      interactions,
      messages,
      attachments,
      sessions,
      contacts: new ContactLinker(new ContactsService(ctx.database)),
      chatFlow: (): ChatFlowHook => flowSlot.get() ?? flowHook,
      tickets: () => ticketIntakeSlotFor(ctx).intake,
      staffed: async (tenantId, queueId) => {
        const byState = (await routing.queueStats(tenantId, queueId)).agentsByState;
        return byState.available + byState.busy + byState.acw > 0;
      },
      transcripts: {
        available: (tenantId) => mail.configured(tenantId),
        enqueue: async (tenantId, interactionId) => {
          if (await enqueueTranscript(ctx.database, tenantId, interactionId)) ctx.jobs.wake();
        },
      },
      log: onLog,
    });
    ctx.jobs.register(TRANSCRIPT_JOB, transcriptJobHandler({ sessions, messages, widgets, mail, ...(options.mail ? { sender: options.mail } : {}) }) as JobHandler);
    // Chat flows come from the flows module (built before this one); a hook set in the slot takes precedence.
    const flowHook: FlowChatHook = new FlowChatHook(() => chatFlowsFor(ctx), {
      say: (tenantId, interactionId, output) => chats.botSay(tenantId, interactionId, output),
      handOff: (tenantId, interactionId, queueId) => chats.botHandOff(tenantId, interactionId, queueId),
      surveyDone: (tenantId, interactionId) => chats.surveyDone(tenantId, interactionId),
    });
    const onError = (what: string) => (err: unknown) => ctx.logger.error({ err }, `webchat: ${what} failed`);

    // Routing tells which agent took a chat, and when a chat waited too long.
    routing.events.on('task.assigned', (e) => {
      if (e.channel === 'chat') void chats.assigned(e.tenantId, e.taskId, e.agentId).catch(onError('assignment'));
    });
    routing.events.on('task.ended', (e) => {
      if (e.reason === 'expired') void chats.expired(e.tenantId, e.taskId).catch(onError('expiry'));
    });

    // Who may watch `chat:<interactionId>`: the visitor socket of that chat, its agent, supervisors of its division.
    const visitorGrants = new WeakMap<Actor, Set<string>>();
    hub.topic(CHAT_TOPIC_KIND, {
      async authorize(actor, interactionId) {
        if (visitorGrants.get(actor)?.has(interactionId)) return true;
        if (!z.uuid().safeParse(interactionId).success || !actor.userId) return false;
        const session = await sessions.get(actor.tenantId, interactionId);
        if (!session) return false;
        return session.agentId === actor.userId || (actor.permissions.has('supervisor.console') && canSeeDivision(actor, session.divisionId));
      },
    });
    hub.method('chat.typing', {
      params: z.strictObject({ interactionId: z.uuid(), on: z.boolean() }),
      async run(actor, p) {
        const session = await chats.forAgent(actor, p.interactionId, true).catch(() => {
          throw notFound('chat');
        });
        chats.typing(session.tenantId, session.interactionId, 'agent', p.on);
        return null;
      },
    });

    const limits = {
      messagesPerVisitor: new RateLimiter(options.limits?.messagesBurst ?? 20, options.limits?.messagesPerSecond ?? 2),
      messagesPerIp: new RateLimiter((options.limits?.messagesBurst ?? 20) * 5, (options.limits?.messagesPerSecond ?? 2) * 5),
      connectionsPerIp: new RateLimiter(options.limits?.connectionsPerIpBurst ?? 60, 1),
      // Each offline message is a ticket: a few per address, then one a minute.
      offlineMessagesPerIp: new RateLimiter(options.limits?.offlineMessagesPerIpBurst ?? 5, 1 / 60),
      // Transcripts asked for after a chat (each one a mail to a typed address): 3, then one per ten minutes.
      transcriptsPerVisitor: new RateLimiter(3, 1 / 600),
      transcriptsPerIp: new RateLimiter(20, 1 / 60),
    };
    // Chat → voice call (voice-escalation.ts): the voice module fills the slot; calls per visitor 3 burst, one per 20 s.
    const callSlot = chatCallSlotFor(ctx);
    const voice = new VoiceEscalation({
      database: ctx.database, hub, messages, sessions, widgets, calls: () => callSlot.get(), logger: ctx.logger,
      limits: { perVisitor: new RateLimiter(3, 0.05), perIp: new RateLimiter(20, 0.2) },
    });
    let gateway: { sockets: Set<VisitorSocket>; closeAll(): void; dropAll(): number } | undefined;
    let queueTimer: NodeJS.Timeout | undefined;
    let autoReplyTimer: NodeJS.Timeout | undefined;
    let sweeping = false;
    const sweepAutoReplies = async () => {
      if (sweeping) return; // a slow database: never two sweeps at once on one node
      sweeping = true;
      try {
        for (const c of await claimSilentChats(ctx.database)) await chats.autoReply(c.tenantId, c.interactionId, c.text);
      } finally {
        sweeping = false;
      }
    };

    const pushQueuePositions = async () => {
      for (const socket of gateway?.sockets ?? []) {
        if (socket.session?.status !== 'queued') continue;
        // A chat queued after its socket opened it (a bot's hand-off) has its task id in the database only.
        if (!socket.session.taskId) socket.session = (await sessions.get(socket.session.tenantId, socket.session.interactionId)) ?? socket.session;
        const estimate = await chats.queueEstimate(socket.session);
        if (estimate) socket.send({ type: 'queue', ...estimate });
      }
    };

    return {
      name: 'channels',
      widgets,
      chats,
      attachments,
      tokens,
      dropVisitorConnections: () => gateway?.dropAll() ?? 0,
      routes(app) {
        gateway = visitorGateway(app, { hub, widgets, chats, messages, tokens, visitorGrants, heartbeatMs: options.heartbeatMs ?? 25_000, limits, voice });
        voiceEscalationRoutes(app, { chats, voice });
        webchatRoutes(app, { widgets, chats, messages, attachments, tokens, uploadsPerVisitor: new RateLimiter(10, 0.2) });
        widgetAssetRoutes(app, widgets);
        app.get('/api/v1/webchat/public/widget', {
          config: { access: { public: true } },
          schema: { tags: ['webchat'], querystring: z.object({ tenant: z.string().min(1).max(100) }) },
        }, async (r) => {
          const [row] = (
            await ctx.database.withSystem((tx) =>
              tx.execute<{ id: string }>(sql`SELECT w.id FROM webchat_widgets w JOIN tenants t ON t.id = w.tenant_id
                WHERE t.slug = ${r.query.tenant} AND w.enabled ORDER BY w.created_at, w.id LIMIT 1`),
            )
          ).rows;
          if (!row) throw notFound('widget');
          return { widgetId: row.id };
        });
      },
      async start() {
        queueTimer = setInterval(() => void pushQueuePositions().catch(onError('queue positions')), options.queueUpdateMs ?? 3000);
        queueTimer.unref();
        autoReplyTimer = setInterval(() => void sweepAutoReplies().catch(onError('auto-replies')), options.autoReplyCheckMs ?? 5000);
        autoReplyTimer.unref();
      },
      async stop() {
        clearInterval(queueTimer);
        clearInterval(autoReplyTimer);
        gateway?.closeAll();
      },
      async seedDemo(demo) {
        // The demo widget: embeddable from local development pages; its id is in the admin console.
        const actor: Actor = { kind: 'system', tenantId: demo.tenantId, userId: null, email: null, apiKeyId: null, sessionId: null, permissions: new Set(), divisions: 'all', ip: null };
        await widgets.create(actor, {
          name: 'Website',
          divisionId: demo.defaultDivisionId,
          allowedOrigins: ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://localhost:5173'],
        });
      },
    };
  };
}

export const createChannelsModule: ModuleFactory = channelsModuleFactory();
