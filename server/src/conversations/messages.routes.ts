// The transcript of a text interaction (docs/webchat.md): its messages in sequence order, for people who may read
// interactions of its division (supervisors, QA).
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams } from '../platform/http/schemas.ts';
import type { MessagesService } from './messages.service.ts';

export function messagesRoutes(app: App, messages: MessagesService): void {
  app.get('/api/v1/interactions/:id/messages', {
    config: { access: { permission: 'interactions.read', resources: { id: 'interaction' } } },
    schema: {
      tags: ['interactions'],
      params: idParams,
      querystring: z.object({ afterSeq: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(500) }),
    },
  }, async (request) => ({ items: await messages.transcript(actorOf(request), request.params.id, request.query.afterSeq, request.query.limit) }));
}
