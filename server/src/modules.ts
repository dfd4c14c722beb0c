// The business modules Kefu runs, in start order. Adding a module is adding its factory here (one line).
import type { ModuleFactory } from './module.ts';
import { createSurveysModule } from './surveys/surveys.module.ts';
import { createRealtimeModule } from './realtime/realtime.module.ts';
import { createRoutingModule } from './routing/routing.module.ts';
import { createConversationsModule } from './conversations/conversations.module.ts';
import { createVoiceModule } from './voice/voice.module.ts';
import { createFlowsModule } from './flows/flows.module.ts';
import { createKbModule } from './kb/kb.module.ts';
import { createCrmModule } from './crm/crm.module.ts';
import { createChannelsModule } from './channels/channels.module.ts';
import { createTicketsModule } from './tickets/tickets.module.ts';
import { createDesktopModule } from './desktop/desktop.module.ts';
import { createMailModule } from './platform/mail/mail.module.ts';

export const moduleFactories: ModuleFactory[] = [
  // modules register here, e.g. createRoutingModule,
  createRealtimeModule,
  createRoutingModule,
  createConversationsModule,
  createVoiceModule,
  createFlowsModule,
  createKbModule,
  createCrmModule,
  createMailModule,
  createChannelsModule,
  createTicketsModule,
  createDesktopModule,
  createSurveysModule,
];
