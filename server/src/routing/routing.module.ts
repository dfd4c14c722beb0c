// The routing module: the RoutingService (engine) other modules call through `kefu.modules.routing.service`,
// its admin API, the realtime methods agents answer offers with, the supervisor topics, and the statistics
// pushed every second.
import { z } from 'zod';
import type { KefuModule, ModuleContext, ModuleFactory } from '../module.ts';
import { canSeeDivision } from '../platform/auth/actor.ts';
import { AppError } from '../platform/errors.ts';
import { realtimeHubFor } from '../realtime/realtime.module.ts';
import { chosenStates } from './agent-state.machine.ts';
import { RoutingAdminService } from './routing-admin.service.ts';
import { RoutingEngine } from './routing.engine.ts';
import { routingRoutes } from './routing.routes.ts';
import { RoutingService } from './routing.service.ts';
import { sql } from 'drizzle-orm';

export interface RoutingModule extends KefuModule {
  service: RoutingService;
  admin: RoutingAdminService;
}

export const STATS_INTERVAL_MS = 1000;
/** How often nodes look for tenants whose router died (takeover well within 10 s). */
export const LEASE_POLL_MS = 2000;

const services = new WeakMap<ModuleContext, Promise<RoutingService>>();

/**
 * The one RoutingService of a Kefu instance (a module factory cannot reach another module's instance): voice and
 * web chat enqueue through it and listen to its events; the routing module itself is built on the same one.
 */
export function routingServiceFor(ctx: ModuleContext): Promise<RoutingService> {
  let service = services.get(ctx);
  if (!service) {
    service = (async () => {
      const hub = await realtimeHubFor(ctx);
      const onError = (err: unknown, what: string) => ctx.logger.error({ err }, `routing: ${what} failed`);
      const core = new RoutingEngine({ database: ctx.database, hub, onError });
      // With NATS, one node per tenant routes (advisory-lock lease); the others forward to it.
      return new RoutingService(
        core,
        ctx.config.natsUrl ? { database: ctx.database, natsUrl: ctx.config.natsUrl, pollMs: LEASE_POLL_MS, timeoutMs: 10_000, onError: (err) => onError(err, 'lease') } : undefined,
      );
    })();
    services.set(ctx, service);
  }
  return service;
}

export const createRoutingModule: ModuleFactory = async (ctx): Promise<RoutingModule> => {
  const hub = await realtimeHubFor(ctx);
  const engine = await routingServiceFor(ctx);
  const core = engine.engine;
  const admin = new RoutingAdminService(ctx.database, engine);
  const offerParams = z.strictObject({ offerId: z.uuid() });

  const needAgent = (userId: string | null): string => {
    if (!userId) throw new AppError('FORBIDDEN', 'offers are for signed-in agents');
    return userId;
  };
  hub.method('offer.accept', { params: offerParams, run: (actor, p) => engine.accept(actor.tenantId, needAgent(actor.userId), p.offerId) });
  hub.method('offer.reject', { params: offerParams, run: (actor, p) => engine.decline(actor.tenantId, p.offerId, needAgent(actor.userId), 'rejected') });
  hub.method('agent.set_state', {
    params: z.strictObject({ state: z.enum(chosenStates), awayReasonId: z.uuid().nullable().optional() }),
    run: async (actor, p) => {
      const userId = needAgent(actor.userId);
      await engine.setState(actor.tenantId, userId, p.state, p.awayReasonId ?? null, userId);
      return engine.agentView(actor.tenantId, userId);
    },
  });
  const queueVisible = async (actor: Parameters<typeof canSeeDivision>[0], queueId: string) => {
    if (actor.kind !== 'system' && !actor.permissions.has('supervisor.console')) return false;
    if (!z.uuid().safeParse(queueId).success) return false;
    const [queue] = await ctx.database.withTenant(actor.tenantId, async (tx) =>
      (await tx.execute<{ division_id: string }>(sql`SELECT division_id FROM routing_queues WHERE tenant_id = ${actor.tenantId} AND id = ${queueId}`)).rows,
    );
    return !!queue && canSeeDivision(actor, queue.division_id);
  };
  hub.topic('queue-stats', { authorize: queueVisible });
  hub.topic('queue-agents', { authorize: queueVisible });
  // An agent's own figures, or a supervisor's view of an agent who serves one of their divisions' queues.
  hub.topic('agent-stats', {
    authorize: async (actor, userId) => {
      if (!z.uuid().safeParse(userId).success) return false;
      if (actor.userId === userId) return true;
      if (actor.kind !== 'system' && !actor.permissions.has('supervisor.console')) return false;
      const divisions = await ctx.database.withTenant(actor.tenantId, async (tx) =>
        (await tx.execute<{ division_id: string }>(sql`
          SELECT DISTINCT q.division_id FROM routing_memberships m JOIN routing_queues q ON q.id = m.queue_id
          WHERE m.tenant_id = ${actor.tenantId} AND m.user_id = ${userId}`)).rows,
      );
      return divisions.some((d) => canSeeDivision(actor, d.division_id));
    },
  });

  // An agent whose last socket closed gets no more offers: open ones go to someone else.
  hub.onPresence((tenantId, userId, online) => {
    if (online) return;
    void (async () => {
      await engine.agentDisconnected(tenantId, userId);
      const view = await engine.agentView(tenantId, userId);
      if (view.state === 'available' || view.state === 'missed') await engine.setState(tenantId, userId, 'offline', null, null);
    })().catch((err) => ctx.logger.error({ err }, 'routing: disconnect handling failed'));
  });

  let statsTimer: NodeJS.Timeout | undefined;
  const pushStats = async () => {
    for (const pending of core.loadedTenants()) {
      const router = await pending.catch(() => undefined);
      if (!router) continue;
      // Only topics someone may be watching: on one node the hub knows; in a cluster the watchers may be elsewhere.
      const watched = (topic: string) => !hub.isSingleNode || hub.hasTopicSubscribers(router.tenantId, topic);
      for (const queueId of router.queues.keys()) {
        const topic = `queue-stats:${queueId}`;
        if (watched(topic)) hub.publishTopic(router.tenantId, topic, { type: 'event', name: 'queue.stats', topic, data: await core.queueStats(router.tenantId, queueId) });
        const agentsTopic = `queue-agents:${queueId}`;
        if (watched(agentsTopic)) hub.publishTopic(router.tenantId, agentsTopic, { type: 'event', name: 'queue.agents', topic: agentsTopic, data: await core.queueAgents(router.tenantId, queueId) });
      }
      for (const userId of router.agents.keys()) {
        const topic = `agent-stats:${userId}`;
        if (watched(topic)) hub.publishTopic(router.tenantId, topic, { type: 'event', name: 'agent.stats', topic, data: await core.agentStats(router.tenantId, userId) });
      }
      // Overflow and maximum waits are time-driven: re-evaluate every second.
      await core.dispatch(router);
    }
  };

  return {
    name: 'routing',
    service: engine,
    admin,
    routes: (app) => routingRoutes(app, admin, engine),
    async start() {
      await engine.start();
      statsTimer = setInterval(() => void pushStats().catch((err) => ctx.logger.error({ err }, 'routing: stats failed')), STATS_INTERVAL_MS);
      statsTimer.unref();
    },
    async stop() {
      clearInterval(statsTimer);
      await engine.stop();
    },
    async seedDemo(demo) {
      const agents = Object.entries(demo.userIds).filter(([email]) => /^(agent|supervisor)/.test(email)).map(([, id]) => id);
      await ctx.database.withTenant(demo.tenantId, async (tx) => {
        const t = demo.tenantId;
        for (const name of ['用餐 Meal', '培训 Training', '会议 Meeting']) await tx.execute(sql`INSERT INTO routing_away_reasons (tenant_id, name) VALUES (${t}, ${name})`);
        for (const name of ['mandarin', 'english', 'billing']) await tx.execute(sql`INSERT INTO routing_skills (tenant_id, name) VALUES (${t}, ${name})`);
        const [queue] = (
          await tx.execute<{ id: string }>(sql`
            INSERT INTO routing_queues (tenant_id, division_id, name, channels, callbacks_offered)
            VALUES (${t}, ${demo.defaultDivisionId}, 'General', '{voice,chat,email}', true) RETURNING id`)
        ).rows;
        await tx.execute(sql`INSERT INTO routing_wrapup_codes (tenant_id, queue_id, code, label) VALUES (${t}, ${queue!.id}, 'resolved', '已解决 Resolved'), (${t}, ${queue!.id}, 'follow_up', '需跟进 Follow-up needed')`);
        for (const userId of agents) {
          await tx.execute(sql`INSERT INTO routing_memberships (tenant_id, queue_id, user_id) VALUES (${t}, ${queue!.id}, ${userId})`);
          await tx.execute(sql`INSERT INTO routing_agents (user_id, tenant_id, skills) VALUES (${userId}, ${t}, '{"mandarin": 4, "english": 3}')`);
        }
      });
    },
  };
};
