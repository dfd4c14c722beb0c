// GET /api/v1/realtime: the one authenticated WebSocket of the agent desktop and the supervisor console.
// Authentication is the HTTP auth hook's (session cookie or Bearer API key, before the upgrade); a browser
// with a cookie must also come from this host (Origin check, RFC 6455 §10.2), because a WebSocket handshake
// carries no CSRF token. Messages are JSON, validated with the contracts' `clientMessage` schema.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { clientMessage, type ServerMessage } from '@kefu/contracts';
import type { Actor } from '../platform/auth/actor.ts';
import { AppError } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import { SESSION_COOKIE, type App } from '../platform/http/server.ts';
import type { HubConnection, RealtimeHub } from './realtime.hub.ts';

export interface RealtimeRouteOptions {
  hub: RealtimeHub;
  /** Ping interval; a socket that has not answered the previous ping is closed. */
  heartbeatMs: number;
  /** Re-checks the credentials at each heartbeat: a signed-out session or revoked key loses its socket. */
  stillValid(request: { sessionToken: string | undefined; bearer: string | undefined }): Promise<boolean>;
}

/** Close codes in the private range (RFC 6455 §7.4.2). */
export const CLOSE_AUTH_ENDED = 4401;

function checkOrigin(request: FastifyRequest): void {
  if (!request.sessionCsrfToken) return; // API keys are not ambient browser credentials
  const origin = request.headers.origin;
  if (origin === undefined) return; // not a browser: nothing to forge
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (!host || host !== request.headers.host) throw new AppError('FORBIDDEN', 'the WebSocket origin does not match this site');
}

export function realtimeRoutes(app: App, options: RealtimeRouteOptions): { closeAll(): void } {
  const sockets = new Set<WebSocket>();

  app.route({
    method: 'GET',
    url: '/api/v1/realtime',
    config: { access: { permission: 'authenticated' } },
    schema: { tags: ['realtime'], hide: true },
    preValidation: async (request) => checkOrigin(request),
    // A plain GET (no upgrade) is told what to do instead.
    handler: async (_request, reply) =>
      reply.status(426).header('upgrade', 'websocket').send({ error: { code: 'UPGRADE_REQUIRED', message: 'connect with a WebSocket' } }),
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
    const actor: Actor = actorOf(request);
    const credentials = {
      sessionToken: request.cookies[SESSION_COOKIE],
      bearer: /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1],
    };
    sockets.add(socket);
    const send = (message: ServerMessage, serialized?: () => string) => {
      if (socket.readyState === socket.OPEN) socket.send(serialized ? serialized() : JSON.stringify(message));
    };
    const connection: HubConnection = { id: randomUUID(), actor, topics: new Set(), send };
    options.hub.attach(connection);

    let alive = true;
    socket.on('pong', () => (alive = true));
    const heartbeat = setInterval(() => {
      if (!alive) {
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
      options.stillValid(credentials).then(
        (ok) => ok || socket.close(CLOSE_AUTH_ENDED, 'signed out'),
        () => {},
      );
    }, options.heartbeatMs);
    heartbeat.unref();

    socket.on('message', (data, isBinary) => {
      alive = true;
      let parsed: unknown;
      try {
        parsed = isBinary ? undefined : JSON.parse(String(data));
      } catch {
        parsed = undefined;
      }
      const message = clientMessage.safeParse(parsed);
      if (!message.success) {
        const id = typeof (parsed as { id?: unknown })?.id === 'string' ? (parsed as { id: string }).id : 'unknown';
        const issue = message.error.issues[0];
        send({ type: 'reply', id, ok: false, error: { code: 'VALIDATION_FAILED', message: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'is invalid'}` } });
        return;
      }
      void options.hub.handle(connection, message.data).then(send);
    });
    socket.on('close', () => {
      clearInterval(heartbeat);
      sockets.delete(socket);
      options.hub.detach(connection);
    });
    send({ type: 'hello', userId: actor.userId, tenantId: actor.tenantId, heartbeatMs: options.heartbeatMs });
    },
  });

  return {
    closeAll() {
      for (const socket of sockets) socket.close(1001, 'server stopping');
    },
  };
}
