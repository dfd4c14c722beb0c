// Survey answers through the API: the invitation and answers of one interaction (beside its CDR), and answers
// across interactions for reports (one row per question; filters by question, agent, queue and time).
import { z } from 'zod';
import type { InteractionsService } from '../conversations/interactions.service.ts';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams } from '../platform/http/schemas.ts';
import type { SurveysService } from './surveys.service.ts';

const answersQuery = z.object({
  questionKey: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a question key').optional(),
  agentId: z.uuid({ message: 'must be a UUID' }).optional(),
  queueId: z.uuid({ message: 'must be a UUID' }).optional(),
  from: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export function surveyRoutes(app: App, d: { surveys: SurveysService; interactions: InteractionsService }): void {
  app.get('/api/v1/interactions/:id/survey', {
    config: { access: { permission: 'interactions.read', resources: { id: 'interaction' } } },
    schema: { tags: ['surveys'], params: idParams },
  }, async (r) => {
    const actor = actorOf(r);
    await d.interactions.get(actor, r.params.id); // 404 outside the caller's divisions
    return d.surveys.ofInteraction(actor.tenantId, r.params.id);
  });

  app.get('/api/v1/survey-answers', {
    config: { access: { permission: 'reports.read' } },
    schema: { tags: ['surveys'], querystring: answersQuery },
  }, async (r) => ({ items: await d.surveys.list(actorOf(r), r.query) }));
}
