// The flows module: the flow model and API, the engine with its node registry, speech (TTS cache in the data
// directory, pocketsphinx or a tenant's cloud recognizer), the runner registered on the voice flow port, the
// chat-flow port for the web chat channel, and the demo IVR on number 4000.
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { KefuModule, ModuleFactory } from '../module.ts';
import { systemActor } from '../platform/auth/actor.ts';
import { InteractionsService } from '../conversations/interactions.service.ts';
import { HelpCenterService } from '../kb/help-center.service.ts';
import { SpacesService } from '../kb/spaces.service.ts';
import { CloudAsr, PocketsphinxAsr, type AsrProvider } from '../speech/asr.ts';
import { EspeakTts, PromptSynthesizer } from '../speech/tts.ts';
import { voiceFlowsFor } from '../voice/flow-port.ts';
import { provideChatFlows, type ChatFlows } from './chat-port.ts';
import { DbGraphs } from './db-graphs.ts';
import { demoFlowGraph } from './demo-flow.ts';
import { FlowRunner } from './engine/flow-runner.ts';
import { FlowAnalytics } from './flow-analytics.ts';
import { flowRoutes } from './flows.routes.ts';
import { FlowsService } from './flows.service.ts';
import { one } from './flows-sql.ts';
import { PathLog } from './path-log.ts';
import { FlowSecretsService } from './secrets.service.ts';
import { FlowSessionsService } from './sessions.service.ts';
import { CallFlowRunner } from './voice/voice-flow-runner.ts';
import { SurveysService } from '../surveys/surveys.service.ts';
import { HttpAllowListService } from './http-allowlist.service.ts';
import { promptRoutes } from './prompts/prompts.routes.ts';
import { PromptsService } from './prompts/prompts.service.ts';

export interface FlowsModule extends KefuModule {
  flows: FlowsService;
  prompts: PromptsService;
  allowList: HttpAllowListService;
  sessions: FlowSessionsService;
  runner: FlowRunner;
  voice: CallFlowRunner;
  tts: PromptSynthesizer;
  pathLog: PathLog;
  /** The chat-flow port (also reachable as chatFlowsFor(ctx)). */
  chat: ChatFlows;
}

/** The run variable that marks a chat flow session as a post-contact survey (its value: the surveyed interaction). */
const SURVEY_SESSION_VAR = 'survey_interaction';

/** Secrets that switch a tenant's speech recognition to its cloud recognizer (docs/flows.md). */
export const CLOUD_ASR_SECRETS = { url: 'ASR_CLOUD_URL', key: 'ASR_CLOUD_KEY' } as const;

export const createFlowsModule: ModuleFactory = (ctx): FlowsModule => {
  const { database, logger } = ctx;
  const graphs = new DbGraphs(database);
  const pathLog = new PathLog(database, logger);
  const secrets = new FlowSecretsService(database, ctx.secrets);
  const flows = new FlowsService(database, (flowId) => graphs.forget(flowId));
  // Post-contact surveys: the survey nodes mark and answer; calls and chats hand customers over (surveys/).
  const surveys = new SurveysService(database);
  // The kb_answer node searches what the public help center shows (kb's own public search, by tenant slug).
  const help = new HelpCenterService(database, new SpacesService(database));
  const kbSearch = async (tenantId: string, q: string, o: { language?: string | undefined; limit: number }) => {
    const tenant = await database.withTenant(tenantId, (tx) => one<{ slug: string }>(tx, sql`SELECT slug FROM tenants WHERE id = ${tenantId}`));
    if (!tenant) return [];
    const { results } = await help.search(tenant.slug, { q, language: o.language });
    return results.slice(0, o.limit).map((h) => ({ id: h.id, title: h.title, snippet: h.snippet, url: `/help/${tenant.slug}/articles/${h.id}` }));
  };
  const allowList = new HttpAllowListService(database);
  const prompts = new PromptsService(database, ctx.blobs);
  const runner = new FlowRunner({ graphs, path: pathLog, services: { now: () => new Date(), secret: (t, n) => secrets.value(t, n), httpAllowList: (t) => allowList.entries(t), kbSearch, surveys } });
  const sessions = new FlowSessionsService(database, runner);
  const tts = new PromptSynthesizer({ provider: new EspeakTts(), cacheDir: path.join(ctx.config.dataDir, 'speech', 'tts-cache') });
  const pocketsphinx = new PocketsphinxAsr();
  const asr = async (tenantId: string): Promise<AsrProvider> => {
    const [url, key] = await Promise.all([secrets.value(tenantId, CLOUD_ASR_SECRETS.url), secrets.value(tenantId, CLOUD_ASR_SECRETS.key)]);
    return url && key ? new CloudAsr({ url, apiKey: key }) : pocketsphinx;
  };
  const voice = new CallFlowRunner({ runner, tts, asr, promptDir: (tenantId) => path.join(ctx.config.dataDir, 'prompts', tenantId), promptAudio: (t, id, rate) => prompts.pcm(t, id, rate), surveys });
  voiceFlowsFor(ctx).setRunner(voice);

  const chat: ChatFlows = {
    async start(tenantId, input) {
      const flow = await database.withTenant(tenantId, (tx) => one<{ division_id: string }>(tx, sql`SELECT division_id FROM flows WHERE tenant_id = ${tenantId} AND id = ${input.flowId} AND channel = 'chat'`));
      if (!flow) throw new Error(`chat flow ${input.flowId} does not exist`);
      const v = await sessions.start(tenantId, { flowId: input.flowId, divisionId: flow.division_id, version: 'published', kind: 'chat', interactionId: input.interactionId, vars: input.vars ?? {} });
      return { sessionId: v.id, outputs: v.outputs, state: v.status, outcome: v.outcome };
    },
    async input(tenantId, sessionId, answer) {
      const v = await sessions.input(tenantId, sessionId, answer, 'chat');
      // A survey session carries the interaction it surveys; its end completes the invitation.
      const surveyed = v.vars[SURVEY_SESSION_VAR];
      if (surveyed && v.status === 'ended') await surveys.complete(tenantId, surveyed);
      return { sessionId: v.id, outputs: v.outputs, state: v.status, outcome: v.outcome, ...(surveyed ? { survey: true } : {}) };
    },
    sessionOf: (tenantId, interactionId) => sessions.waitingOf(tenantId, interactionId, 'chat'),
    claimSurvey: async (tenantId, input) => (await surveys.claim(tenantId, input.interactionId, { taskId: input.taskId, contactId: input.contactId }))?.surveyFlowId,
    skipSurvey: (tenantId, input) => surveys.skip(tenantId, input.interactionId, input.reason),
    async startSurvey(tenantId, input) {
      const flow = await database.withTenant(tenantId, (tx) => one<{ division_id: string }>(tx, sql`SELECT division_id FROM flows WHERE tenant_id = ${tenantId} AND id = ${input.surveyFlowId} AND channel = 'chat'`));
      if (!flow) throw new Error(`survey flow ${input.surveyFlowId} is not a chat flow`);
      const v = await sessions.start(tenantId, {
        flowId: input.surveyFlowId, divisionId: flow.division_id, version: 'published', kind: 'chat', interactionId: input.interactionId,
        vars: { [SURVEY_SESSION_VAR]: input.interactionId },
      });
      if (v.status === 'ended') await surveys.complete(tenantId, input.interactionId);
      return { sessionId: v.id, outputs: v.outputs, state: v.status, outcome: v.outcome, survey: true };
    },
  };
  provideChatFlows(ctx, chat);

  return {
    name: 'flows',
    flows, prompts, allowList, sessions, runner, voice, tts, pathLog, chat,
    routes: (app) => {
      flowRoutes(app, { flows, secrets, sessions, analytics: new FlowAnalytics(database, pathLog), interactions: new InteractionsService(database), tts });
      promptRoutes(app, { prompts, allowList });
    },
    async stop() {
      await pathLog.flush();
    },
    async seedDemo(demo) {
      const actor = systemActor(demo.tenantId);
      const agents = Object.entries(demo.userIds).filter(([email]) => /^agent/.test(email)).map(([, id]) => id);
      // Demo rows written like routing's own seed (the engine loads them when it starts; seeding runs before).
      const queues = await database.withTenant(demo.tenantId, async (tx) => {
        const queue = async (name: string) => {
          const q = await one<{ id: string }>(tx, sql`INSERT INTO routing_queues (tenant_id, division_id, name, channels)
            VALUES (${demo.tenantId}, ${demo.defaultDivisionId}, ${name}, '{voice}') RETURNING id`);
          for (const userId of agents) await tx.execute(sql`INSERT INTO routing_memberships (tenant_id, queue_id, user_id) VALUES (${demo.tenantId}, ${q!.id}, ${userId})`);
          return q!.id;
        };
        return { sales: await queue('Sales'), support: await queue('Support') };
      });
      const flow = await flows.create(actor, { divisionId: demo.defaultDivisionId, name: 'Kefu demo IVR', channel: 'voice', graph: demoFlowGraph(queues) });
      await flows.publish(actor, flow.id, { comment: 'demo' });
      await voiceFlowsFor(ctx).assignDemoFlow(demo.tenantId, flow.id);
    },
  };
};
