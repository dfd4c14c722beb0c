// The surveys module: post-contact survey invitations and answers (tables of migration 0015) and their API. The
// flows module's survey nodes write through SurveysService; calls and chats hand customers over through the flow
// ports (voice/flow-port.ts, flows/chat-port.ts).
import { InteractionsService } from '../conversations/interactions.service.ts';
import type { KefuModule, ModuleFactory } from '../module.ts';
import { surveyRoutes } from './surveys.routes.ts';
import { SurveysService } from './surveys.service.ts';

export interface SurveysModule extends KefuModule {
  surveys: SurveysService;
}

export const createSurveysModule: ModuleFactory = (ctx): SurveysModule => {
  const surveys = new SurveysService(ctx.database);
  return {
    name: 'surveys',
    surveys,
    routes: (app) => surveyRoutes(app, { surveys, interactions: new InteractionsService(ctx.database) }),
  };
};
