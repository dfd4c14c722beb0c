// The fastify instance: zod validation, the error envelope, authentication and authorization from each route's
// `access` declaration, CSRF on cookie-authenticated writes, OpenAPI, metrics and the web app's static files.
import fs from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import { requirePermission } from '../auth/actor.ts';
import type { ApiKeysService } from '../auth/api-keys.service.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { safeEqual } from '../crypto/tokens.ts';
import { AppError } from '../errors.ts';
import type { RouteTableEntry } from './access.ts';
import { envelope, errorHandler } from './error-handler.ts';

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export const SESSION_COOKIE = 'kefu_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface HttpServerOptions {
  logger: Logger;
  bodyLimit: number;
  /** Proxies whose X-Forwarded-For is believed (client addresses for lockout and audit); false trusts none. */
  trustProxy: string[] | false;
  webDist: string;
  metrics: Registry;
  auth: AuthService;
  apiKeys: ApiKeysService;
  version: string;
}

export async function buildHttpServer(options: HttpServerOptions): Promise<{ app: App; routeTable: RouteTableEntry[] }> {
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    trustProxy: options.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionCsrfToken', null);

  const routeTable: RouteTableEntry[] = [];
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const isApi = url.startsWith('/api/v1/');
    const access = route.config?.access;
    if (isApi && !access) throw new Error(`route ${String(route.method)} ${url} declares no access`);
    if (!isApi || !access) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routeTable.push({ method, url, access, bodySchema: route.schema?.body });
    }
  });

  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Kefu API', version: options.version, description: 'Kefu (客服) contact center REST API' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const httpDuration = new Histogram({
    name: 'kefu_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [options.metrics],
  });
  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // Authentication and authorization, before the body is parsed or validated.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access || 'public' in access) return;
    const ip = request.ip ?? null;
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const sessionToken = request.cookies[SESSION_COOKIE];
    if (bearer) {
      if (access.peopleOnly) throw new AppError('FORBIDDEN', 'this needs a signed-in person, not an API key');
      const actor = await options.apiKeys.resolve(bearer, ip);
      if (!actor) throw new AppError('AUTH_REQUIRED', 'the API key is not valid');
      request.actor = actor;
    } else if (sessionToken) {
      const actor = await options.auth.resolveSession(sessionToken, ip);
      if (!actor) throw new AppError('AUTH_SESSION_EXPIRED', 'the session has ended; sign in again');
      request.actor = actor;
      request.sessionCsrfToken = actor.csrfToken;
      if (!SAFE_METHODS.has(request.method)) {
        const given = request.headers['x-csrf-token'];
        if (typeof given !== 'string' || !safeEqual(given, actor.csrfToken)) {
          throw new AppError('CSRF_INVALID', 'the x-csrf-token header is missing or wrong');
        }
      }
    } else {
      throw new AppError('AUTH_REQUIRED', 'sign in, or send an API key as a Bearer token');
    }
    if (access.permission !== 'authenticated') requirePermission(request.actor!, access.permission);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  // The web app: hashed assets cached forever, index.html for every other non-API path (SPA routes).
  const indexFile = path.join(options.webDist, 'index.html');
  if (fs.existsSync(indexFile)) {
    await app.register(fastifyStatic, {
      root: options.webDist,
      prefix: '/',
      // A wildcard route finds files written by a rebuild after startup; .br/.gz siblings are served when accepted.
      wildcard: true,
      preCompressed: true,
      index: false,
      setHeaders: (res, file) => {
        if (file.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
    // "/" is a directory to the static plugin, which answers 403 for it unless a pre-compressed index happens to
    // match the request's Accept-Encoding: curl and load balancers' health checks ask for none.
    app.get('/', { config: { access: { public: true } }, schema: { hide: true } }, async (_request, reply) =>
      reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(fs.createReadStream(indexFile)),
    );
  }
  app.setNotFoundHandler(async (request, reply) => {
    // A missing asset is a 404, not the app's page: a browser must not run index.html as a script.
    const isPage =
      request.method === 'GET' && !request.url.startsWith('/api') && !request.url.startsWith('/metrics') && !request.url.startsWith('/assets/');
    if (isPage && fs.existsSync(indexFile)) {
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(fs.createReadStream(indexFile));
    }
    return reply.status(404).send(envelope(request, 'NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });

  return { app, routeTable };
}
