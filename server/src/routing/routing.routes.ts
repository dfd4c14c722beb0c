// Routing HTTP API (docs/routing.md): queues, memberships, skills, away reasons, agent profiles and states,
// the agent's own state, and tasks for integrations. Offers are answered over the realtime WebSocket.
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams } from '../platform/http/schemas.ts';
import { invalid } from '../platform/errors.ts';
import type { RoutingAdminService } from './routing-admin.service.ts';
import type { RoutingService } from './routing.service.ts';
import { agentProfileBody, awayReasonBody, awayReasonPatchBody, callbackBody, cancelBody, createQueueBody, enqueueBody, membershipBody, skillBody, skillPatchBody, stateBody, updateQueueBody } from './routing.schemas.ts';

const memberParams = z.object({ id: z.uuid({ message: 'must be a UUID' }), userId: z.uuid({ message: 'must be a UUID' }) });
const tags = ['routing'];

export function routingRoutes(app: App, admin: RoutingAdminService, engine: RoutingService): void {
  // Queues
  app.get('/api/v1/routing/queues', { config: { access: { permission: 'supervisor.console' } }, schema: { tags } }, async (r) => admin.listQueues(actorOf(r)));
  app.post('/api/v1/routing/queues', { config: { access: { permission: 'routing.manage' } }, schema: { tags, body: createQueueBody } }, async (r, reply) =>
    reply.status(201).send(await admin.createQueue(actorOf(r), r.body)),
  );
  app.get('/api/v1/routing/queues/:id', { config: { access: { permission: 'supervisor.console', resources: { id: 'routing_queue' } } }, schema: { tags, params: idParams } }, async (r) =>
    admin.getQueue(actorOf(r), r.params.id),
  );
  app.patch('/api/v1/routing/queues/:id', {
    config: { access: { permission: 'routing.manage', resources: { id: 'routing_queue' } } },
    schema: { tags, params: idParams, body: updateQueueBody },
  }, async (r) => admin.updateQueue(actorOf(r), r.params.id, r.body));
  app.delete('/api/v1/routing/queues/:id', { config: { access: { permission: 'routing.manage', resources: { id: 'routing_queue' } } }, schema: { tags, params: idParams } }, async (r, reply) => {
    await admin.deleteQueue(actorOf(r), r.params.id);
    return reply.status(204).send();
  });
  app.get('/api/v1/routing/queues/:id/stats', { config: { access: { permission: 'supervisor.console', resources: { id: 'routing_queue' } } }, schema: { tags, params: idParams } }, async (r) => {
    await admin.getQueue(actorOf(r), r.params.id);
    return engine.queueStats(actorOf(r).tenantId, r.params.id);
  });
  app.get('/api/v1/routing/queues/:id/members', { config: { access: { permission: 'supervisor.console', resources: { id: 'routing_queue' } } }, schema: { tags, params: idParams } }, async (r) =>
    admin.listMembers(actorOf(r), r.params.id),
  );
  app.put('/api/v1/routing/queues/:id/members/:userId', {
    config: { access: { permission: 'routing.manage', resources: { id: 'routing_queue', userId: 'user' } } },
    schema: { tags, params: memberParams, body: membershipBody },
  }, async (r) => admin.putMember(actorOf(r), r.params.id, r.params.userId, r.body));
  app.delete('/api/v1/routing/queues/:id/members/:userId', {
    config: { access: { permission: 'routing.manage', resources: { id: 'routing_queue', userId: 'user' } } },
    schema: { tags, params: memberParams },
  }, async (r, reply) => {
    await admin.removeMember(actorOf(r), r.params.id, r.params.userId);
    return reply.status(204).send();
  });

  // Skills and away reasons
  for (const [path, table, kind, body, patch, readPermission] of [
    ['skills', 'routing_skills', 'routing_skill', skillBody, skillPatchBody, 'supervisor.console'],
    ['away-reasons', 'routing_away_reasons', 'routing_away_reason', awayReasonBody, awayReasonPatchBody, 'authenticated'],
  ] as const) {
    app.get(`/api/v1/routing/${path}`, { config: { access: { permission: readPermission } }, schema: { tags } }, async (r) => admin.list(actorOf(r), table));
    app.post(`/api/v1/routing/${path}`, { config: { access: { permission: 'routing.manage' } }, schema: { tags, body } }, async (r, reply) =>
      reply.status(201).send(await admin.save(actorOf(r), table, null, r.body as Record<string, unknown>)),
    );
    app.get(`/api/v1/routing/${path}/:id`, { config: { access: { permission: readPermission, resources: { id: kind } } }, schema: { tags, params: idParams } }, async (r) =>
      admin.get(actorOf(r), table, r.params.id),
    );
    app.patch(`/api/v1/routing/${path}/:id`, { config: { access: { permission: 'routing.manage', resources: { id: kind } } }, schema: { tags, params: idParams, body: patch } }, async (r) =>
      admin.save(actorOf(r), table, r.params.id, r.body as Record<string, unknown>),
    );
    app.delete(`/api/v1/routing/${path}/:id`, { config: { access: { permission: 'routing.manage', resources: { id: kind } } }, schema: { tags, params: idParams } }, async (r, reply) => {
      await admin.remove(actorOf(r), table, r.params.id);
      return reply.status(204).send();
    });
  }

  // Agents (supervisors and admins)
  app.get('/api/v1/routing/agents', { config: { access: { permission: 'supervisor.console' } }, schema: { tags } }, async (r) => admin.listAgents(actorOf(r)));
  app.get('/api/v1/routing/agents/:id', { config: { access: { permission: 'supervisor.console', resources: { id: 'user' } } }, schema: { tags, params: idParams } }, async (r) =>
    admin.getAgent(actorOf(r), r.params.id),
  );
  app.patch('/api/v1/routing/agents/:id', { config: { access: { permission: 'routing.manage', resources: { id: 'user' } } }, schema: { tags, params: idParams, body: agentProfileBody } }, async (r) =>
    admin.updateAgent(actorOf(r), r.params.id, r.body),
  );
  app.put('/api/v1/routing/agents/:id/state', { config: { access: { permission: 'supervisor.console', resources: { id: 'user' } } }, schema: { tags, params: idParams, body: stateBody } }, async (r) => {
    const actor = actorOf(r);
    await admin.getAgent(actor, r.params.id);
    if (!r.body.state) throw invalid('state', 'state: is required');
    await engine.setState(actor.tenantId, r.params.id, r.body.state, r.body.awayReasonId ?? null, actor.userId);
    return engine.agentView(actor.tenantId, r.params.id);
  });
  app.get('/api/v1/routing/agents/:id/history', { config: { access: { permission: 'supervisor.console', resources: { id: 'user' } } }, schema: { tags, params: idParams } }, async (r) =>
    admin.stateHistory(actorOf(r), r.params.id),
  );

  // The signed-in agent
  app.get('/api/v1/routing/me', { config: { access: { permission: 'agent.desktop', peopleOnly: true } }, schema: { tags } }, async (r) => engine.agentView(actorOf(r).tenantId, actorOf(r).userId!));
  app.put('/api/v1/routing/me/state', { config: { access: { permission: 'agent.desktop', peopleOnly: true } }, schema: { tags, body: stateBody.required({ state: true }) } }, async (r) => {
    const actor = actorOf(r);
    await engine.setState(actor.tenantId, actor.userId!, r.body.state, r.body.awayReasonId ?? null, actor.userId);
    return engine.agentView(actor.tenantId, actor.userId!);
  });
  app.post('/api/v1/routing/me/acw/extend', {
    config: { access: { permission: 'agent.desktop', peopleOnly: true } },
    schema: { tags, body: z.strictObject({ seconds: z.number().int().min(1).max(1800) }) },
  }, async (r) => {
    const actor = actorOf(r);
    await engine.extendAcw(actor.tenantId, actor.userId!, r.body.seconds);
    return engine.agentView(actor.tenantId, actor.userId!);
  });

  // Tasks (integrations; the voice service calls the engine directly)
  app.post('/api/v1/routing/tasks', { config: { access: { permission: 'routing.tasks' } }, schema: { tags, body: enqueueBody } }, async (r, reply) => {
    const actor = actorOf(r);
    await admin.getQueue(actor, r.body.queueId).catch(() => {
      throw invalid('queueId', 'no such queue');
    });
    return reply.status(201).send(await engine.enqueue(actor.tenantId, r.body));
  });
  app.get('/api/v1/routing/tasks/:id', { config: { access: { permission: 'routing.tasks', resources: { id: 'routing_task' } } }, schema: { tags, params: idParams } }, async (r) =>
    engine.getTask(actorOf(r).tenantId, r.params.id),
  );
  app.post('/api/v1/routing/tasks/:id/cancel', { config: { access: { permission: 'routing.tasks', resources: { id: 'routing_task' } } }, schema: { tags, params: idParams, body: cancelBody.optional() } }, async (r) => {
    await engine.cancel(actorOf(r).tenantId, r.params.id, r.body?.reason ?? 'abandoned');
    return engine.getTask(actorOf(r).tenantId, r.params.id);
  });
  app.post('/api/v1/routing/tasks/:id/complete', { config: { access: { permission: 'routing.tasks', resources: { id: 'routing_task' } } }, schema: { tags, params: idParams } }, async (r) => {
    await engine.complete(actorOf(r).tenantId, r.params.id);
    return engine.getTask(actorOf(r).tenantId, r.params.id);
  });
  app.post('/api/v1/routing/tasks/:id/callback', { config: { access: { permission: 'routing.tasks', resources: { id: 'routing_task' } } }, schema: { tags, params: idParams, body: callbackBody } }, async (r) => {
    await engine.requestCallback(actorOf(r).tenantId, r.params.id, r.body.number);
    return { ok: true };
  });
}
