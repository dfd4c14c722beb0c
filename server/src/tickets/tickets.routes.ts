// Ticket routes (docs/tickets.md): tickets with views, comments, sub-tasks, activity, interactions, escalation,
// merge, bulk changes and macros; and the configuration (departments/teams, calendars, SLA policies, division
// settings, macros).
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams, pageQuery } from '../platform/http/schemas.ts';
import type { TicketConfigService } from './config.service.ts';
import type { ReportQuery } from './resolution-report.ts';
import type { TasksService } from './tasks.service.ts';
import { priorities, statuses, types, views, type TicketsService } from './tickets.service.ts';

export interface TicketRoutesDeps {
  reports: (actor: ReturnType<typeof actorOf>, q: ReportQuery) => Promise<unknown>;
  tickets: TicketsService;
  tasks: TasksService;
  config: TicketConfigService;
}

const uuid = z.uuid({ message: 'must be a UUID' });
const tag = z.string().trim().min(1).max(40);
const fields = {
  subject: z.string().trim().min(1, 'must not be empty').max(300),
  description: z.string().max(20_000),
  status: z.enum(statuses),
  priority: z.enum(priorities),
  type: z.enum(types),
  requesterId: uuid.nullable(),
  assigneeUserId: uuid.nullable(),
  assigneeGroupId: uuid.nullable(),
  followers: z.array(uuid).max(50),
  tags: z.array(tag).max(30),
  customFields: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'keys must be snake_case'), z.union([z.string().max(2000), z.number(), z.boolean(), z.null(), z.array(z.string().max(200)).max(50)])),
};
const setFields = z.strictObject({
  status: fields.status.optional(),
  priority: fields.priority.optional(),
  type: fields.type.optional(),
  assigneeUserId: fields.assigneeUserId.optional(),
  assigneeGroupId: fields.assigneeGroupId.optional(),
  addTags: fields.tags.optional(),
  removeTags: fields.tags.optional(),
});
const createBody = z.strictObject({
  subject: fields.subject,
  description: fields.description.optional(),
  status: fields.status.optional(),
  priority: fields.priority.optional(),
  type: fields.type.optional(),
  divisionId: uuid.optional(),
  requesterId: uuid.optional(),
  assigneeUserId: fields.assigneeUserId.optional(),
  assigneeGroupId: fields.assigneeGroupId.optional(),
  followers: fields.followers.optional(),
  tags: fields.tags.optional(),
  customFields: fields.customFields.optional(),
  interactionId: uuid.optional(),
});
const patchBody = z.strictObject({
  subject: fields.subject.optional(),
  description: fields.description.optional(),
  status: fields.status.optional(),
  priority: fields.priority.optional(),
  type: fields.type.optional(),
  requesterId: fields.requesterId.optional(),
  assigneeUserId: fields.assigneeUserId.optional(),
  assigneeGroupId: fields.assigneeGroupId.optional(),
  followers: fields.followers.optional(),
  tags: fields.tags.optional(),
  addTags: fields.tags.optional(),
  removeTags: fields.tags.optional(),
  customFields: fields.customFields.optional(),
  version: z.number().int().positive().optional(),
});
const commentBody = z.strictObject({
  body: z.string().trim().min(1, 'must not be empty').max(20_000),
  visibility: z.enum(['public', 'internal']).default('internal'),
  /** Records what the customer said (an integration relaying an email, an agent noting a call). */
  fromCustomer: z.boolean().optional(),
});
const taskBody = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(300),
  description: z.string().max(5000).optional(),
  assigneeUserId: uuid.nullable().optional(),
  assigneeGroupId: uuid.nullable().optional(),
  dueAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).nullable().optional(),
});
const taskPatch = z.strictObject({
  status: z.enum(['open', 'done', 'cancelled']).optional(),
  result: z.string().max(5000).optional(),
  assigneeUserId: uuid.nullable().optional(),
});
const groupBody = z.strictObject({
  kind: z.enum(['department', 'team']).optional(),
  name: z.string().trim().min(1, 'must not be empty').max(100).optional(),
  divisionId: uuid.nullable().optional(),
  tier: z.number().int().min(1).max(3).nullable().optional(),
  memberIds: z.array(uuid).max(500).optional(),
});
const minuteRange = z.tuple([z.number().int().min(0).max(1440), z.number().int().min(0).max(1440)]);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const calendarBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100).optional(),
  timeZone: z.string().max(60).optional(),
  hours: z.array(z.array(minuteRange).max(6)).length(7, 'must have 7 weekdays, Sunday first').optional(),
  holidays: z.array(date).max(400).optional(),
  workdays: z.array(date).max(100).optional(),
});
const minutes = z.number().int().min(1).max(525_600).nullable();
const policyBody = z.strictObject({
  divisionId: uuid.optional(),
  priority: z.enum(priorities).optional(),
  calendarId: uuid.nullable().optional(),
  firstResponseMinutes: minutes.optional(),
  nextResponseMinutes: minutes.optional(),
  resolutionMinutes: minutes.optional(),
  warnBeforeMinutes: z.number().int().min(0).max(10_080).optional(),
  escalateGroupId: uuid.nullable().optional(),
  escalateRaisePriority: z.boolean().optional(),
});
const macroBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100).optional(),
  divisionId: uuid.nullable().optional(),
  actions: z.strictObject({ set: setFields.optional(), reply: z.strictObject({ body: z.string().trim().min(1).max(20_000), visibility: z.enum(['public', 'internal']) }).optional() }).optional(),
});

const ticket = { id: 'ticket' } as const;
const tags = ['tickets'];

export function ticketRoutes(app: App, d: TicketRoutesDeps): void {
  app.get('/api/v1/tickets', {
    config: { access: { permission: 'tickets.work' } },
    schema: {
      tags,
      summary: 'Tickets by view (all, mine, my_team, unassigned, breaching_soon) and filters, most recently changed first',
      querystring: z.object({
        view: z.enum(views).optional(),
        status: z.string().max(100).optional(),
        priority: z.string().max(100).optional(),
        type: z.enum(types).optional(),
        tag: z.string().max(40).optional(),
        q: z.string().max(200).optional(),
        requesterId: uuid.optional(),
        assigneeUserId: uuid.optional(),
        assigneeGroupId: uuid.optional(),
        divisionId: uuid.optional(),
        withinMinutes: z.coerce.number().int().min(1).max(10_080).optional(),
        ...pageQuery,
      }),
    },
  }, async (request) => d.tickets.list(actorOf(request), request.query));

  app.post('/api/v1/tickets', {
    config: { access: { permission: 'tickets.work' } },
    schema: { tags, summary: 'Create a ticket (with interactionId: from that interaction, in its division)', body: createBody },
  }, async (request, reply) => reply.status(201).send(await d.tickets.create(actorOf(request), request.body)));

  app.post('/api/v1/tickets/bulk', {
    config: { access: { permission: 'tickets.work' } },
    schema: { tags, summary: 'Change many tickets at once; answers per ticket', body: z.strictObject({ ids: z.array(uuid).min(1).max(200), set: setFields }) },
  }, async (request) => d.tickets.bulk(actorOf(request), request.body.ids, request.body.set));

  app.get('/api/v1/tickets/recent-interactions', {
    config: { access: { permission: 'tickets.work' } },
    schema: { tags, summary: 'Interactions a ticket can be created from: your own of the last days (all of your divisions with interactions.read)', querystring: z.object({ days: z.coerce.number().int().min(1).max(30).default(3) }) },
  }, async (request) => d.tickets.recentInteractions(actorOf(request), request.query));

  app.get('/api/v1/tickets/reports/resolution', {
    config: { access: { permission: 'reports.read' } },
    schema: {
      tags,
      summary: 'Who resolved what in a period: solved tickets by resolver, tier and group with first-contact resolution rates',
      querystring: z.object({ from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }), to: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }), divisionId: uuid.optional() }),
    },
  }, async (request) => d.reports(actorOf(request), request.query));

  app.get('/api/v1/tickets/:id', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, params: idParams },
  }, async (request) => d.tickets.get(actorOf(request), request.params.id));

  app.patch('/api/v1/tickets/:id', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, params: idParams, body: patchBody },
  }, async (request) => d.tickets.update(actorOf(request), request.params.id, request.body));

  app.get('/api/v1/tickets/:id/comments', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, params: idParams },
  }, async (request) => d.tickets.comments(actorOf(request), request.params.id));

  app.post('/api/v1/tickets/:id/comments', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, summary: 'A public reply or an internal note (staff: internal only)', params: idParams, body: commentBody },
  }, async (request, reply) => reply.status(201).send(await d.tickets.comment(actorOf(request), request.params.id, request.body)));

  app.get('/api/v1/tickets/:id/activity', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, summary: 'Every change of the ticket, oldest first', params: idParams },
  }, async (request) => d.tickets.activityLog(actorOf(request), request.params.id));

  app.get('/api/v1/tickets/:id/interactions', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, params: idParams },
  }, async (request) => d.tickets.interactions(actorOf(request), request.params.id));

  app.post('/api/v1/tickets/:id/interactions/:interactionId', {
    config: { access: { permission: 'tickets.work', resources: { id: 'ticket', interactionId: 'interaction' } } },
    schema: { tags, summary: 'Link an interaction (repeat contacts about the same matter mark earlier ones not resolved on first contact)', params: z.object({ id: uuid, interactionId: uuid }) },
  }, async (request) => d.tickets.link(actorOf(request), request.params.id, request.params.interactionId));

  app.post('/api/v1/tickets/:id/escalate', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, summary: 'Tiered escalation: move the ticket to the next tier (divisions with the tiered model)', params: idParams, body: z.strictObject({ note: z.string().max(5000).optional() }) },
  }, async (request) => d.tickets.escalate(actorOf(request), request.params.id, request.body.note));

  app.post('/api/v1/tickets/:id/merge/:otherId', {
    config: { access: { permission: 'tickets.work', resources: { id: 'ticket', otherId: 'ticket' } } },
    schema: { tags, summary: 'Merge otherId into id (comments, sub-tasks, interactions, followers and tags move; otherId closes)', params: z.object({ id: uuid, otherId: uuid }) },
  }, async (request) => d.tickets.merge(actorOf(request), request.params.id, request.params.otherId));

  app.post('/api/v1/tickets/:id/macros/:macroId', {
    config: { access: { permission: 'tickets.work', resources: { id: 'ticket', macroId: 'ticket_macro' } } },
    schema: { tags, summary: 'Apply a macro (set fields and/or reply)', params: z.object({ id: uuid, macroId: uuid }) },
  }, async (request) => {
    const actor = actorOf(request);
    return d.tickets.applyMacro(actor, request.params.id, await d.config.macro(actor, request.params.macroId));
  });

  app.get('/api/v1/tickets/:id/tasks', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, params: idParams },
  }, async (request) => d.tasks.list(actorOf(request), request.params.id));

  app.post('/api/v1/tickets/:id/tasks', {
    config: { access: { permission: 'tickets.work', resources: ticket } },
    schema: { tags, summary: 'A sub-task for a person or a department (any department)', params: idParams, body: taskBody },
  }, async (request, reply) => reply.status(201).send(await d.tasks.create(actorOf(request), request.params.id, request.body)));

  app.get('/api/v1/ticket-tasks', {
    config: { access: { permission: 'tickets.work', peopleOnly: true } },
    schema: { tags, summary: 'My sub-tasks: assigned to me or to my departments', querystring: z.object({ status: z.enum(['open', 'done', 'cancelled']).optional() }) },
  }, async (request) => d.tasks.mine(actorOf(request), request.query));

  app.patch('/api/v1/ticket-tasks/:id', {
    config: { access: { permission: 'tickets.work', resources: { id: 'ticket_task' } } },
    schema: { tags, summary: 'Complete (with a result), cancel, reopen or take a sub-task', params: idParams, body: taskPatch },
  }, async (request) => d.tasks.update(actorOf(request), request.params.id, request.body));

  configRoutes(app, d.config);
}

function configRoutes(app: App, c: TicketConfigService): void {
  const crud = <B extends z.ZodType>(
    path: string,
    kind: 'ticket_group' | 'ticket_calendar' | 'ticket_sla_policy' | 'ticket_macro',
    body: B,
    ops: {
      list: (a: ReturnType<typeof actorOf>) => Promise<unknown>;
      get: (a: ReturnType<typeof actorOf>, id: string) => Promise<unknown>;
      save: (a: ReturnType<typeof actorOf>, id: string | null, b: z.infer<B>) => Promise<unknown>;
      remove: (a: ReturnType<typeof actorOf>, id: string) => Promise<void>;
    },
  ) => {
    app.get(path, { config: { access: { permission: 'tickets.work' } }, schema: { tags } }, async (request) => ops.list(actorOf(request)));
    app.post(path, { config: { access: { permission: 'tickets.manage' } }, schema: { tags, body } }, async (request, reply) =>
      reply.status(201).send(await ops.save(actorOf(request), null, request.body as z.infer<B>)),
    );
    app.get(`${path}/:id`, { config: { access: { permission: 'tickets.work', resources: { id: kind } } }, schema: { tags, params: idParams } }, async (request) =>
      ops.get(actorOf(request), request.params.id),
    );
    app.patch(`${path}/:id`, { config: { access: { permission: 'tickets.manage', resources: { id: kind } } }, schema: { tags, params: idParams, body } }, async (request) =>
      ops.save(actorOf(request), request.params.id, request.body as z.infer<B>),
    );
    app.delete(`${path}/:id`, { config: { access: { permission: 'tickets.manage', resources: { id: kind } } }, schema: { tags, params: idParams } }, async (request, reply) => {
      await ops.remove(actorOf(request), request.params.id);
      return reply.status(204).send();
    });
  };
  crud('/api/v1/ticket-groups', 'ticket_group', groupBody, {
    list: (a) => c.groups(a),
    get: (a, id) => c.group(a, id),
    save: (a, id, b) => (id ? c.updateGroup(a, id, b) : c.createGroup(a, b)),
    remove: (a, id) => c.deleteGroup(a, id),
  });
  crud('/api/v1/ticket-calendars', 'ticket_calendar', calendarBody, {
    list: (a) => c.calendars(a),
    get: (a, id) => c.calendar(a, id),
    save: (a, id, b) => c.saveCalendar(a, id, b as Parameters<TicketConfigService['saveCalendar']>[2]),
    remove: (a, id) => c.deleteCalendar(a, id),
  });
  crud('/api/v1/ticket-sla-policies', 'ticket_sla_policy', policyBody, {
    list: (a) => c.policies(a),
    get: (a, id) => c.policy(a, id),
    save: (a, id, b) => c.savePolicy(a, id, b),
    remove: (a, id) => c.deletePolicy(a, id),
  });
  crud('/api/v1/ticket-macros', 'ticket_macro', macroBody, {
    list: (a) => c.macros(a),
    get: (a, id) => c.macro(a, id),
    save: (a, id, b) => c.saveMacro(a, id, b),
    remove: (a, id) => c.deleteMacro(a, id),
  });

  app.get('/api/v1/ticket-settings/:id', {
    config: { access: { permission: 'tickets.work', resources: { id: 'division' } } },
    schema: { tags, summary: "A division's ownership model and repeat-contact window", params: idParams },
  }, async (request) => c.settings(actorOf(request), request.params.id));

  app.put('/api/v1/ticket-settings/:id', {
    config: { access: { permission: 'tickets.manage', resources: { id: 'division' } } },
    schema: {
      tags,
      params: idParams,
      body: z.strictObject({ ownershipModel: z.enum(['first_contact', 'tiered']).optional(), repeatWindowDays: z.number().int().min(1).max(365).optional() }),
    },
  }, async (request) => c.saveSettings(actorOf(request), request.params.id, request.body));
}
