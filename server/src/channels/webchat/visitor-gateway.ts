// GET /api/v1/webchat/socket?widget=<id>: the widget's WebSocket. The upgrade is refused unless the socket comes
// from Kefu's own widget page or an allowed origin of the widget; `hello` names the embedding page's origin, which
// must be allowed too. Messages are resumed by sequence number: the socket subscribes to the chat topic first,
// replays the stored messages after the visitor's `lastSeq`, and from then on forwards each message exactly once
// and in order (a gap — two messages published out of commit order — is filled from the database).
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { visitorClientMessage, visitorCloseCodes, type ChatMessage, type ServerMessage, type VisitorClientMessage, type VisitorServerMessage } from '@kefu/contracts';
import type { MessagesService } from '../../conversations/messages.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { AppError } from '../../platform/errors.ts';
import type { App } from '../../platform/http/server.ts';
import type { HubConnection, RealtimeHub } from '../../realtime/realtime.hub.ts';
import type { ChatSession } from './chat-sessions.ts';
import { chatTopic, publishChat } from './chat-topic.ts';
import { ReceiptBatcher } from './receipt-batcher.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { VoiceEscalation } from './voice-escalation.ts';
import type { ChatCallHandle } from '../../voice/chat-call-port.ts';
import { verifyIdentity, type VerifiedIdentity, type VisitorTokens } from './visitor-identity.ts';
import type { WebchatService } from './webchat.service.ts';
import { webchatAdapter } from './webchat.adapter.ts';
import type { WidgetsService, WidgetWithSecret } from './widgets.service.ts';

export interface GatewayOptions {
  hub: RealtimeHub;
  widgets: WidgetsService;
  chats: WebchatService;
  messages: MessagesService;
  tokens: VisitorTokens;
  /** Grants a visitor's socket actor the topic of its own chat (checked by the `chat` topic rule). */
  visitorGrants: WeakMap<Actor, Set<string>>;
  heartbeatMs: number;
  limits: { messagesPerVisitor: RateLimiter; messagesPerIp: RateLimiter; connectionsPerIp: RateLimiter; offlineMessagesPerIp?: RateLimiter; transcriptsPerVisitor?: RateLimiter; transcriptsPerIp?: RateLimiter };
  /** Voice calls from the chat (voice-escalation.ts); absent: `call.*` frames are refused. */
  voice?: VoiceEscalation;
}

/** A visitor socket the gateway holds (the module pushes queue positions to the waiting ones). */
export interface VisitorSocket {
  session: ChatSession | undefined;
  send(message: VisitorServerMessage): void;
}

const ownHost = (request: FastifyRequest) => request.headers.host;

/**
 * How long a voice call outlives the socket that placed it: a reconnect of the same visitor (a network blip; the
 * peer connection in the page survives it) takes the call over; otherwise the visitor left and the call ends.
 */
const CALL_GRACE_MS = 10_000;
/** How long a visitor's receipt may wait to be stored with others (the agent sees ✓✓ that much later). */
const RECEIPT_WINDOW_MS = 50;

/** Kefu's own pages (the widget iframe, the help center) may always use its widgets. */
function isOwnOrigin(request: FastifyRequest, origin: string): boolean {
  return sameHost(ownHost(request), origin);
}

function sameHost(host: string | undefined, origin: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Memory per visitor socket: @fastify/websocket's `error` listener holds the upgrade's request and reply (with
 * its child logger), and the TCP socket still points at the HTTP response and through it at the request, for as
 * long as the WebSocket lives. A visitor socket needs none of them once its handler has read ip and host, so they
 * are let go (the bench's RSS per connection; docs/webchat.md). Errors still end the socket as the plugin's did.
 */
function releaseUpgrade(socket: WebSocket, request: FastifyRequest, app: App): void {
  const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  tcp._httpMessage?.detachSocket(tcp);
  socket.removeAllListeners('error');
  socket.on('error', (err) => {
    app.log.debug({ err }, 'webchat: visitor socket error');
    socket.terminate();
  });
}

function originAllowed(request: FastifyRequest, widget: WidgetWithSecret): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // not a browser (integrations, tests): nothing for a browser to forge
  return isOwnOrigin(request, origin) || widget.allowedOrigins.includes(origin);
}

export function visitorGateway(app: App, o: GatewayOptions): { sockets: Set<VisitorSocket>; closeAll(): void; dropAll(): number } {
  const sockets = new Set<VisitorSocket>();
  const raw = new Set<WebSocket>();
  const adapter = webchatAdapter(o.hub);
  /** Calls whose socket closed, by interaction id, waiting for the visitor's reconnect (CALL_GRACE_MS). */
  const orphanCalls = new Map<string, { visitorId: string; handle: ChatCallHandle; timer: NodeJS.Timeout }>();
  // Every agent message comes back as an ack: stored in batches, announced to the agent side once stored.
  const receipts = new ReceiptBatcher({
    messages: o.messages,
    publish: (tenantId, interactionId, kind, seq) => publishChat(o.hub, tenantId, interactionId, 'chat.receipt', { interactionId, by: 'customer', kind, seq }),
    windowMs: RECEIPT_WINDOW_MS,
    onError: (err) => app.log.error({ err }, 'webchat: visitor receipts failed'),
  });

  app.route({
    method: 'GET',
    url: '/api/v1/webchat/socket',
    config: { access: { public: true } },
    schema: { tags: ['webchat'], hide: true, querystring: z.object({ widget: z.string().max(64) }) },
    preValidation: async (request) => {
      const widgetId = (request.query as { widget?: string }).widget ?? '';
      const widget = await o.widgets.byPublicId(widgetId);
      if (!widget || !widget.enabled) throw new AppError('NOT_FOUND', 'widget not found');
      if (!originAllowed(request, widget)) throw new AppError('FORBIDDEN', 'this origin may not use the widget');
      if (!o.limits.connectionsPerIp.take(request.ip)) throw new AppError('RATE_LIMITED', 'too many connections from this address', { retryAfterSeconds: 10 });
      (request as FastifyRequest & { widget?: WidgetWithSecret }).widget = widget;
    },
    handler: async (_request, reply) =>
      reply.status(426).header('upgrade', 'websocket').send({ error: { code: 'UPGRADE_REQUIRED', message: 'connect with a WebSocket' } }),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const widget = (request as FastifyRequest & { widget: WidgetWithSecret }).widget;
      const ip = request.ip;
      const host = ownHost(request);
      releaseUpgrade(socket, request, app);
      raw.add(socket);
      const send = (m: VisitorServerMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
      };
      const actor: Actor = { kind: 'api_key', tenantId: widget.tenantId, userId: null, email: null, apiKeyId: null, sessionId: null, permissions: new Set(), divisions: [], ip };
      let visitorId: string | undefined;
      let verified: VerifiedIdentity | undefined;
      let meta = { page: null as string | null, referrer: null as string | null, locale: null as string | null };
      const state: VisitorSocket = { session: undefined, send };
      sockets.add(state);
      // Voice: whether the agent's invitation is open for this socket's chat, and the call this socket placed.
      const voice = { call: undefined as ChatCallHandle | undefined };

      // Message forwarding with resume: `lastSent` is the highest sequence number this socket has delivered.
      let lastSent = 0;
      let replaying = true;
      let chain = Promise.resolve();
      const forward = (message: ChatMessage) => {
        if (message.seq <= lastSent) return;
        if (message.seq === lastSent + 1) {
          lastSent = message.seq;
          send({ type: 'message', message });
          return;
        }
        chain = chain.then(() => refill()); // a gap: read what is missing, in order
      };
      const refill = async () => {
        if (!state.session) return;
        for (const m of await o.messages.after(widget.tenantId, state.session.interactionId, lastSent)) forward(m as ChatMessage);
      };
      const connection: HubConnection = {
        id: randomUUID(),
        actor,
        topics: new Set(),
        send(message: ServerMessage) {
          if (message.type !== 'event') return;
          const data = message.data as Record<string, unknown>;
          if (data.interactionId !== state.session?.interactionId) return; // an earlier chat of this socket
          if (message.name === 'chat.message') {
            if (replaying) return; // the replay reads it from the database
            chain = chain.then(() => forward(data as unknown as ChatMessage));
          } else if (message.name === 'chat.receipt' && data.by === 'agent') {
            send({ type: 'receipt', by: 'agent', kind: data.kind as 'delivered' | 'read', seq: data.seq as number });
          } else if (message.name === 'chat.typing' && data.by === 'agent') {
            send({ type: 'typing', by: 'agent', on: data.on as boolean });
          } else if (message.name === 'chat.call') {
            const call = data as { state: 'invited' | 'declined' | 'ringing' | 'connected' | 'ended'; reason?: string };
            if (call.state === 'ended') voice.call = undefined;
            send({ type: 'call', state: call.state, ...(call.reason ? { reason: call.reason } : {}) });
          } else if (message.name === 'chat.call.hangup') {
            void o.voice?.hangup(data.interactionId as string, 'agent');
          } else if (message.name === 'chat.ticket') {
            send({ type: 'ticket', number: data.number as number });
          } else if (message.name === 'chat.status') {
            // The call ends with the chat.
            if (data.status === 'ended') void o.voice?.hangup(data.interactionId as string, 'system', 'chat_ended');
            if (state.session) state.session = { ...state.session, status: data.status as ChatSession['status'], agentName: (data.agentName as string | null) ?? null };
            send({ type: 'status', status: data.status as ChatSession['status'], agentName: (data.agentName as string | null) ?? null });
          }
        },
      };

      const watch = async (session: ChatSession, fromSeq: number) => {
        state.session = session;
        const grants = o.visitorGrants.get(actor) ?? new Set<string>();
        grants.add(session.interactionId);
        o.visitorGrants.set(actor, grants);
        replaying = true;
        // Subscribe before reading, so nothing committed in between is missed; the replay and the live stream
        // meet at `lastSent`.
        await o.hub.handle(connection, { type: 'subscribe', id: 'visitor', topic: chatTopic(session.interactionId) });
        lastSent = fromSeq;
        replaying = false;
        chain = chain.then(() => refill());
        await chain;
      };

      const transcriptAllowed = (visitor: string) =>
        (!o.limits.transcriptsPerVisitor || o.limits.transcriptsPerVisitor.take(visitor)) && (!o.limits.transcriptsPerIp || o.limits.transcriptsPerIp.take(ip));
      const handle = async (m: VisitorClientMessage): Promise<void> => {
        if (m.type === 'ping') return send({ type: 'pong' });
        if (m.type === 'hello') {
          if (visitorId) throw new AppError('CONFLICT', 'hello was already sent');
          if (!widget.allowedOrigins.includes(m.hostOrigin) && !sameHost(host, m.hostOrigin)) {
            send({ type: 'error', code: 'FORBIDDEN', message: 'this site may not use the widget' });
            socket.close(visitorCloseCodes.originRefused, 'origin not allowed');
            return;
          }
          const known = m.token ? o.tokens.verify(widget.tenantId, widget.id, m.token) : undefined;
          const issued = known ? { visitorId: known, token: m.token! } : o.tokens.issue(widget.tenantId, widget.id);
          visitorId = issued.visitorId;
          verified = m.identity ? verifyIdentity(widget.identitySecret, m.identity) : undefined;
          if (m.identity && !verified) send({ type: 'error', code: 'IDENTITY_INVALID', message: 'the identity signature does not verify; chatting as an anonymous visitor' });
          meta = { page: m.page ?? null, referrer: m.referrer ?? null, locale: m.locale ?? null };
          const session = await o.chats.sessions.latest(widget.tenantId, widget.id, visitorId);
          const s = widget.settings;
          send({
            type: 'welcome',
            visitorId,
            token: issued.token,
            verified: verified !== undefined,
            widget: { color: s.color, position: s.position, title: s.title, greeting: s.greeting, languages: s.languages, prechat: s.prechat, online: await o.chats.online(widget), transcript: await o.chats.transcriptAvailable(widget.tenantId), voiceCall: s.voiceCall },
            conversation: session ? { interactionId: session.interactionId, status: session.status, agentName: session.agentName, ticketNumber: session.ticketNumber } : null,
          });
          if (session) await watch(session, m.lastSeq);
          // An invitation to a call still open (a reload, another tab) is asked again.
          if (session?.status === 'assigned' && (await o.voice?.invited(session))) send({ type: 'call', state: 'invited' });
          // The same visitor back within the grace period takes over their call.
          const orphan = session ? orphanCalls.get(session.interactionId) : undefined;
          if (session && orphan && orphan.visitorId === visitorId) {
            clearTimeout(orphan.timer);
            orphanCalls.delete(session.interactionId);
            if (o.voice?.live(session.interactionId)) {
              voice.call = orphan.handle;
              send({ type: 'call', state: 'connected', reason: 'resumed' });
            }
          }
          return;
        }
        if (!visitorId) throw new AppError('VALIDATION_FAILED', 'send hello first');
        if (m.type === 'start') {
          if (!o.limits.messagesPerVisitor.take(visitorId) || !o.limits.messagesPerIp.take(ip)) throw new AppError('RATE_LIMITED', 'too many messages; wait a moment');
          // A transcript asked for in the pre-chat form is a mail to a typed address too (visitor ids are cheap: per IP).
          if (m.prechat.transcript && !transcriptAllowed(visitorId)) throw new AppError('RATE_LIMITED', 'too many transcript requests; try again later', { retryAfterSeconds: 600 });
          // An offline message becomes a ticket: a tighter limit per address than chat messages.
          if (o.limits.offlineMessagesPerIp && !(await o.chats.online(widget)) && !o.limits.offlineMessagesPerIp.take(ip)) {
            throw new AppError('RATE_LIMITED', 'too many messages left from this address; try again in a minute', { retryAfterSeconds: 60 });
          }
          const opened = await o.chats.start({ widget, visitorId, verified, prechat: m.prechat, pageUrl: meta.page, referrer: meta.referrer, locale: meta.locale }, m.clientMessageId ?? null);
          if (state.session?.interactionId !== opened.interactionId) await watch(opened, 0);
          send({ type: 'status', status: opened.status, agentName: opened.agentName });
          // Watching first: the bot's greeting and the queue status reach this socket live.
          const session = await o.chats.proceed(opened, widget.settings.chatFlowId);
          const estimate = await o.chats.queueEstimate(session);
          if (estimate) send({ type: 'queue', ...estimate });
          return;
        }
        const session = state.session;
        if (!session) throw new AppError('CONFLICT', 'start a chat first');
        switch (m.type) {
          case 'send': {
            if (!o.limits.messagesPerVisitor.take(visitorId) || !o.limits.messagesPerIp.take(ip)) throw new AppError('RATE_LIMITED', 'too many messages; wait a moment');
            const inbound = adapter.normalize(m, { tenantId: widget.tenantId, endpointId: widget.id, sender: { address: visitorId, displayName: session.visitorName } });
            const stored = await o.chats.visitorSend(session, { clientMessageId: inbound.clientMessageId!, text: inbound.text, attachmentId: inbound.attachmentId ?? undefined });
            return send({ type: 'sent', clientMessageId: m.clientMessageId, seq: stored.seq });
          }
          // Receipts do not hold up the frames after them (a `send` right after an `ack` goes at once).
          case 'ack':
            return receipts.mark(widget.tenantId, session.interactionId, 'delivered', m.seq);
          case 'read':
            return receipts.mark(widget.tenantId, session.interactionId, 'read', m.seq);
          case 'typing':
            if (o.limits.messagesPerVisitor.take(`typing:${visitorId}`)) o.chats.typing(widget.tenantId, session.interactionId, 'customer', m.on);
            return;
          case 'end':
            return o.chats.end((await o.chats.sessions.get(widget.tenantId, session.interactionId)) ?? session, 'customer');
          case 'transcript': {
            // Each request is a mail to an address the visitor typed: a few, then one per ten minutes (no spam relay).
            if (!o.limits.messagesPerVisitor.take(visitorId) || !transcriptAllowed(visitorId)) {
              throw new AppError('RATE_LIMITED', 'too many transcript requests; try again later', { retryAfterSeconds: 600 });
            }
            const status = await o.chats.requestTranscript(session, m.email);
            return send({ type: 'transcript', status, email: m.email });
          }
          case 'call.start': {
            if (!o.voice) throw new AppError('UNAVAILABLE', 'voice calls are not available');
            // The visitor's own chat as it is now; the call can only reach its agent.
            const now = (await o.chats.sessions.get(widget.tenantId, session.interactionId)) ?? session;
            const handle = await o.voice.visitorStart({ widget, session: now, visitorId, ip, sdp: m.sdp });
            voice.call = handle;
            return send({ type: 'call.answer', sdp: handle.answerSdp });
          }
          case 'call.decline':
            return o.voice?.visitorDecline(session);
          case 'call.hangup':
            voice.call = undefined;
            await o.voice?.hangup(session.interactionId, 'customer');
            return;
        }
      };

      let alive = true;
      socket.on('pong', () => (alive = true));
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, o.heartbeatMs);
      heartbeat.unref();

      // Frames are handled one after another, so a `send` never overtakes the `start` before it.
      let queue = Promise.resolve();
      socket.on('message', (data, isBinary) => {
        alive = true;
        let parsed: unknown;
        try {
          parsed = isBinary ? undefined : JSON.parse(String(data));
        } catch {
          parsed = undefined;
        }
        const message = visitorClientMessage.safeParse(parsed);
        if (!message.success) {
          const issue = message.error.issues[0];
          send({ type: 'error', code: 'VALIDATION_FAILED', message: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'is invalid'}` });
          if (!visitorId) socket.close(visitorCloseCodes.badHello, 'hello expected');
          return;
        }
        queue = queue.then(() =>
          handle(message.data).catch((err: unknown) => {
            const e = err instanceof AppError ? { code: err.code, message: err.field ? `${err.field}: ${err.message}` : err.message } : { code: 'INTERNAL', message: 'internal error' };
            if (!(err instanceof AppError)) app.log.error({ err }, 'webchat: visitor message failed');
            send({ type: 'error', ...e });
          }),
        );
      });
      socket.on('close', () => {
        // The page that holds the call's peer connection is gone, or lost its network for a moment: the call ends
        // unless the visitor reconnects within the grace period.
        if (voice.call && state.session && visitorId) {
          const handle = voice.call;
          const interactionId = state.session.interactionId;
          const timer = setTimeout(() => {
            orphanCalls.delete(interactionId);
            void handle.hangup('customer', 'visitor_left').catch(() => undefined);
          }, CALL_GRACE_MS);
          timer.unref();
          orphanCalls.set(interactionId, { visitorId, handle, timer });
        }
        clearInterval(heartbeat);
        raw.delete(socket);
        sockets.delete(state);
        o.hub.detach(connection);
      });
    },
  });

  return {
    sockets,
    closeAll() {
      for (const socket of raw) socket.close(1001, 'server stopping');
      void receipts.flush();
    },
    /** Cuts every visitor connection without a closing handshake, as a failed network would. */
    dropAll() {
      const n = raw.size;
      for (const socket of raw) socket.terminate();
      return n;
    },
  };
}
