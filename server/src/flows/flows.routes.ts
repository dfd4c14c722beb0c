// Flows HTTP API (docs/flows.md): flows and their versions (publish, rollback, graph, diff), validation,
// the simulator, tenant secrets for HTTP nodes, TTS preview, and the path of a call through its flow.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { flowChannel, flowGraphSchema } from '@kefu/contracts';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams } from '../platform/http/schemas.ts';
import { envelope } from '../platform/http/error-handler.ts';
import { requirePermission } from '../platform/auth/actor.ts';
import { invalid, notFound } from '../platform/errors.ts';
import type { InteractionsService } from '../conversations/interactions.service.ts';
import type { PromptSynthesizer } from '../speech/tts.ts';
import { wavOf } from '../speech/tts.ts';
import { FlowProblemsError, type FlowsService } from './flows.service.ts';
import type { FlowSecretsService } from './secrets.service.ts';
import type { FlowSessionsService } from './sessions.service.ts';
import type { FlowAnalytics } from './flow-analytics.ts';

export interface FlowRoutesDeps {
  flows: FlowsService;
  secrets: FlowSecretsService;
  sessions: FlowSessionsService;
  analytics: FlowAnalytics;
  interactions: InteractionsService;
  tts: PromptSynthesizer;
}

const tags = ['flows'];
const name = z.string().trim().min(1, 'must not be empty').max(200);
const versionRef = z.union([z.literal('draft'), z.coerce.number().int().min(1)]);
const manage = { permission: 'flows.manage' } as const;
const onFlow = { permission: 'flows.manage', resources: { id: 'flow' } } as const;

export function flowRoutes(app: App, d: FlowRoutesDeps): void {
  app.get('/api/v1/flows', {
    config: { access: manage },
    schema: { tags, querystring: z.object({ divisionId: z.uuid().optional(), channel: flowChannel.optional() }) },
  }, async (r) => d.flows.list(actorOf(r), r.query));
  app.post('/api/v1/flows', {
    config: { access: manage },
    schema: { tags, body: z.strictObject({ divisionId: z.uuid(), name, channel: flowChannel, graph: flowGraphSchema.optional() }) },
  }, async (r, reply) => reply.status(201).send(await d.flows.create(actorOf(r), r.body)));

  // The TTS preview the editor and simulator play (before the :id routes: "tts-preview" is no id).
  app.get('/api/v1/flows/tts-preview', {
    config: { access: manage },
    schema: { tags, querystring: z.object({ text: z.string().trim().min(1).max(1000), language: z.enum(['auto', 'zh', 'en', 'yue']).default('auto'), rate: z.coerce.number().pipe(z.union([z.literal(8000), z.literal(16000)])).default(16000) }) },
  }, async (r, reply) => {
    requirePermission(actorOf(r), 'flows.manage');
    const pcm = await d.tts.speak(r.query.text, r.query.language, r.query.rate);
    return reply.type('audio/wav').header('cache-control', 'private, max-age=3600').send(wavOf(pcm, r.query.rate));
  });

  app.get('/api/v1/flows/:id', { config: { access: onFlow }, schema: { tags, params: idParams } }, async (r) => d.flows.get(actorOf(r), r.params.id));
  app.patch('/api/v1/flows/:id', {
    config: { access: onFlow },
    schema: { tags, params: idParams, body: z.strictObject({ name: name.optional(), graph: flowGraphSchema.optional() }) },
  }, async (r) => d.flows.update(actorOf(r), r.params.id, r.body));
  app.delete('/api/v1/flows/:id', { config: { access: onFlow }, schema: { tags, params: idParams } }, async (r, reply) => {
    await d.flows.remove(actorOf(r), r.params.id);
    return reply.status(204).send();
  });
  app.post('/api/v1/flows/:id/validate', { config: { access: onFlow }, schema: { tags, params: idParams } }, async (r) => d.flows.validate(actorOf(r), r.params.id));

  // Publishing refused: 400 with every problem, so the editor lists them all.
  const withProblems = async (reply: FastifyReply, request: FastifyRequest, work: () => Promise<unknown>) => {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof FlowProblemsError)) throw err;
      const body = envelope(request, err.code, err.message, err.field);
      return reply.status(400).send({ error: { ...body.error, problems: err.problems } });
    }
  };
  app.post('/api/v1/flows/:id/publish', {
    config: { access: onFlow },
    schema: { tags, params: idParams, body: z.strictObject({ comment: z.string().max(500).optional() }).nullish() },
  }, async (r, reply) => withProblems(reply, r, () => d.flows.publish(actorOf(r), r.params.id, r.body ?? {})));
  app.post('/api/v1/flows/:id/rollback', {
    config: { access: onFlow },
    schema: { tags, params: idParams, body: z.strictObject({ version: z.number().int().min(1), comment: z.string().max(500).optional() }) },
  }, async (r, reply) => withProblems(reply, r, () => d.flows.rollback(actorOf(r), r.params.id, r.body)));
  app.get('/api/v1/flows/:id/graph', {
    config: { access: onFlow },
    schema: { tags, params: idParams, querystring: z.object({ version: versionRef.default('draft') }) },
  }, async (r) => d.flows.graph(actorOf(r), r.params.id, r.query.version));
  app.get('/api/v1/flows/:id/diff', {
    config: { access: onFlow },
    schema: { tags, params: idParams, querystring: z.object({ from: versionRef.optional(), to: versionRef.default('draft') }) },
  }, async (r) => {
    // Without `from`: the published version against the draft (what publishing would change).
    const from = r.query.from ?? (await d.flows.get(actorOf(r), r.params.id)).publishedVersion;
    if (!from) throw invalid('from', 'the flow is not published: name a version to compare');
    return d.flows.diff(actorOf(r), r.params.id, from, r.query.to);
  });
  app.get('/api/v1/flows/:id/path-stats', {
    config: { access: onFlow },
    schema: { tags, params: idParams, querystring: z.object({ since: z.iso.datetime({ offset: true }).optional() }) },
  }, async (r) => {
    await d.flows.get(actorOf(r), r.params.id);
    return d.analytics.nodeStats(actorOf(r).tenantId, r.params.id, r.query.since ? new Date(r.query.since) : undefined);
  });

  // Simulator: the flow as a text conversation (digits, words, button labels).
  app.post('/api/v1/flows/:id/simulations', {
    config: { access: onFlow },
    schema: { tags, params: idParams, body: z.strictObject({ version: z.union([z.literal('draft'), z.literal('published'), z.number().int().min(1)]).default('draft'), vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/), z.string().max(500)).optional() }).nullish() },
  }, async (r, reply) => {
    const actor = actorOf(r);
    const flow = await d.flows.get(actor, r.params.id);
    const version = r.body?.version ?? 'draft';
    if (version === 'published' && !flow.publishedVersion) throw invalid('version', 'the flow is not published');
    if (typeof version === 'number' && !flow.versions.some((v) => v.version === version)) throw invalid('version', `version ${version} does not exist`);
    const view = await d.sessions.start(actor.tenantId, {
      flowId: flow.id, divisionId: flow.divisionId, version, kind: 'simulation', createdBy: actor.userId,
      vars: { caller: '13800138000', called: 'simulator', ...r.body?.vars },
    });
    return reply.status(201).send(view);
  });
  const simulation = async (r: FastifyRequest & { params: { id: string } }) => {
    const actor = actorOf(r);
    const flowId = await d.sessions.flowOf(actor.tenantId, r.params.id);
    // The flow's division decides who may see the session (404 otherwise, like the flow itself).
    requirePermission(actor, 'flows.manage');
    if (!flowId) throw notFound('flow session');
    await d.flows.get(actor, flowId);
    return actor;
  };
  app.get('/api/v1/flow-simulations/:id', { config: { access: { permission: 'flows.manage', resources: { id: 'flow_session' } } }, schema: { tags, params: idParams } }, async (r) => {
    const actor = await simulation(r);
    return d.sessions.get(actor.tenantId, r.params.id, 'simulation');
  });
  app.post('/api/v1/flow-simulations/:id/input', {
    config: { access: { permission: 'flows.manage', resources: { id: 'flow_session' } } },
    schema: { tags, params: idParams, body: z.strictObject({ text: z.string().max(2000).optional(), timeout: z.boolean().optional() }) },
  }, async (r) => {
    const actor = await simulation(r);
    if (r.body.text === undefined && !r.body.timeout) throw invalid('text', 'send text, or timeout: true for no answer');
    return d.sessions.input(actor.tenantId, r.params.id, r.body, 'simulation');
  });

  // Secrets for HTTP nodes (values are write-only)
  app.get('/api/v1/flow-secrets', { config: { access: manage }, schema: { tags } }, async (r) => d.secrets.list(actorOf(r)));
  app.post('/api/v1/flow-secrets', {
    config: { access: manage },
    schema: { tags, body: z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, _ or - (at most 64)'), value: z.string().min(1).max(4000) }) },
  }, async (r, reply) => reply.status(201).send(await d.secrets.put(actorOf(r), r.body)));
  app.delete('/api/v1/flow-secrets/:id', { config: { access: { permission: 'flows.manage', resources: { id: 'flow_secret' } } }, schema: { tags, params: idParams } }, async (r, reply) => {
    await d.secrets.remove(actorOf(r), r.params.id);
    return reply.status(204).send();
  });

  // The path one call or chat took through its flow (IVR path analytics).
  app.get('/api/v1/interactions/:id/flow-path', {
    config: { access: { permission: 'interactions.read', resources: { id: 'interaction' } } },
    schema: { tags, params: idParams },
  }, async (r) => {
    const actor = actorOf(r);
    requirePermission(actor, 'interactions.read');
    await d.interactions.get(actor, r.params.id); // 404 for interactions the actor cannot see
    return d.analytics.interactionPath(actor.tenantId, r.params.id);
  });
}
