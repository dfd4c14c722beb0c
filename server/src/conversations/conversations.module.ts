// The conversations module: interactions of every channel and their segments (CDR). Channels such as voice
// open and close interactions through InteractionsService; people read them through the API.
import type { KefuModule, ModuleFactory } from '../module.ts';
import { conversationsRoutes } from './conversations.routes.ts';
import { InteractionsService } from './interactions.service.ts';
import { MessagesService } from './messages.service.ts';
import { messagesRoutes } from './messages.routes.ts';

export interface ConversationsModule extends KefuModule {
  interactions: InteractionsService;
  messages: MessagesService;
}

export const createConversationsModule: ModuleFactory = (ctx): ConversationsModule => {
  const interactions = new InteractionsService(ctx.database);
  const messages = new MessagesService(ctx.database);
  return {
    name: 'conversations',
    interactions,
    messages,
    routes: (app) => {
      conversationsRoutes(app, interactions);
      messagesRoutes(app, messages);
    },
  };
};
