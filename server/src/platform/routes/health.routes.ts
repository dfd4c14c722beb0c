import { healthSchema } from '@kefu/contracts';
import type { Registry } from 'prom-client';
import type { Database } from '../db/database.ts';
import type { App } from '../http/server.ts';

export function healthRoutes(app: App, deps: { database: Database; metrics: Registry; version: string }): void {
  const started = Date.now();
  app.get('/api/health', { schema: { tags: ['operations'], summary: 'Liveness and database reachability', response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
    const databaseOk = await deps.database.ping();
    return reply.status(databaseOk ? 200 : 503).send({
      status: databaseOk ? 'ok' : 'degraded',
      version: deps.version,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      database: databaseOk ? 'ok' : 'unreachable',
    });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.contentType).send(await deps.metrics.metrics()),
  );
}
