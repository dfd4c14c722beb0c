// Agent desktop API (docs/desktop.md): the agent's desk (open work and work waiting for its wrap-up), one task for
// the screen pop, the wrap-up that closes a task, and the directory of transfer targets.
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams } from '../platform/http/schemas.ts';
import type { DirectoryService } from './directory.service.ts';
import type { WrapupService } from './wrapup.service.ts';

const tags = ['desktop'];

export const wrapupBody = z.strictObject({
  code: z.string().trim().max(40).optional(),
  notes: z.string().max(4000).optional(),
  resolvedFirstContact: z.boolean().optional(),
});

export function desktopRoutes(app: App, wrapups: WrapupService, directory: DirectoryService): void {
  app.get('/api/v1/desktop/work', {
    config: { access: { permission: 'agent.desktop', peopleOnly: true } },
    schema: { tags, summary: "The agent's open work and the work that ended without a wrap-up yet" },
  }, async (request) => ({ items: await wrapups.desk(actorOf(request)) }));

  app.get('/api/v1/desktop/directory', {
    config: { access: { permission: 'agent.desktop' } },
    schema: { tags, summary: 'Colleagues of every department (state, extension) and queues: targets for transfers and consultations' },
  }, async (request) => directory.directory(actorOf(request)));

  app.get('/api/v1/desktop/tasks/:id', {
    config: { access: { permission: 'agent.desktop', peopleOnly: true, resources: { id: 'routing_task' } } },
    schema: { tags, params: idParams, summary: 'A task offered or assigned to the agent, with its queue and wrap-up codes' },
  }, async (request) => wrapups.task(actorOf(request), request.params.id));

  app.post('/api/v1/desktop/tasks/:id/wrap-up', {
    config: { access: { permission: 'agent.desktop', peopleOnly: true, resources: { id: 'routing_task' } } },
    schema: { tags, params: idParams, body: wrapupBody, summary: 'Record the wrap-up of a task (once); completes it if still open' },
  }, async (request, reply) => reply.status(201).send(await wrapups.wrapUp(actorOf(request), request.params.id, request.body)));
}
