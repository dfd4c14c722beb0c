// Interactions API (docs/voice.md): list and read interactions with their CDR fields and segments.
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams, pageQuery } from '../platform/http/schemas.ts';
import type { InteractionsService } from './interactions.service.ts';

export function conversationsRoutes(app: App, interactions: InteractionsService): void {
  app.get('/api/v1/interactions', {
    config: { access: { permission: 'interactions.read' } },
    schema: {
      tags: ['interactions'],
      querystring: z.object({
        channel: z.enum(['voice', 'chat', 'email', 'ticket', 'social']).optional(),
        state: z.enum(['live', 'ended']).optional(),
        ...pageQuery,
      }),
    },
  }, async (request) => interactions.list(actorOf(request), request.query));

  app.get('/api/v1/interactions/:id', {
    config: { access: { permission: 'interactions.read', resources: { id: 'interaction' } } },
    schema: { tags: ['interactions'], params: idParams },
  }, async (request) => interactions.get(actorOf(request), request.params.id));
}
