// The tickets module (docs/tickets.md): tickets with comments, sub-tasks for any department, activity, views,
// bulk changes, macros and merge; the SLA engine on the job runner; first-contact ownership or tiered escalation
// per division; repeat-contact (FCR) detection; tickets from the help-center contact form; and realtime notices
// to the people who are assigned work.
import type { EventEnvelope } from '@kefu/contracts';
import type { KefuModule, ModuleFactory } from '../module.ts';
import { realtimeHubFor } from '../realtime/realtime.module.ts';
import type { JobHandler } from '../platform/jobs/job-runner.ts';
import { TicketConfigService } from './config.service.ts';
import { NOTICE_JOB, noticeHandler } from './notices.ts';
import { resolutionReport } from './resolution-report.ts';
import { ticketFromHelpCenter } from './help-center.hook.ts';
import { conversationTicketIntake } from './conversation.hook.ts';
import { ticketIntakeSlotFor } from '../channels/conversation-intake.ts';
import { systemClock, type Clock } from './sla-clock.ts';
import { SLA_JOB, SlaEngine, type SlaJobPayload } from './sla.engine.ts';
import { TasksService } from './tasks.service.ts';
import { seedTicketsDemo } from './tickets.seed.ts';
import { ticketRoutes } from './tickets.routes.ts';
import { TicketsService } from './tickets.service.ts';

export interface TicketsModule extends KefuModule {
  tickets: TicketsService;
  tasks: TasksService;
  config: TicketConfigService;
  sla: SlaEngine;
}

export function createTicketsModuleWith(clock: Clock): ModuleFactory {
  return async (ctx): Promise<TicketsModule> => {
    const sla = new SlaEngine(ctx.database, clock, () => ctx.jobs.wake());
    const tickets = new TicketsService(ctx.database, sla);
    const tasks = new TasksService(ctx.database, sla);
    const config = new TicketConfigService(ctx.database);
    // Web chat offline messages (and chats nobody took) become tickets through this port.
    ticketIntakeSlotFor(ctx).intake = conversationTicketIntake(ctx.database, tickets);
    ctx.jobs.register(SLA_JOB, sla.handler() as JobHandler);
    const hub = await realtimeHubFor(ctx);
    ctx.jobs.register(NOTICE_JOB, noticeHandler((tenantId, userId, name, data) => hub.sendToUser(tenantId, userId, { type: 'event', name, data })) as JobHandler);
    const offs: Array<() => void> = [];
    return {
      name: 'tickets',
      tickets,
      tasks,
      config,
      sla,
      routes: (app) => ticketRoutes(app, { tickets, tasks, config, reports: (actor, q) => resolutionReport(ctx.database, actor, q) }),
      async start() {
        offs.push(
          ctx.bus.subscribe('kb_contact.requested', async (event) => {
            try {
              await ticketFromHelpCenter(ctx.database, tickets, event as EventEnvelope<'kb_contact.requested'>);
            } catch (err) {
              ctx.logger.error({ err, requestId: (event.data as { requestId: string }).requestId }, 'tickets: help-center request did not become a ticket');
            }
          }),
        );
      },
      async stop() {
        for (const off of offs.splice(0)) off();
      },
      seedDemo: (demo) => seedTicketsDemo(ctx.database, tickets, demo),
    };
  };
}

export const createTicketsModule: ModuleFactory = createTicketsModuleWith(systemClock);

export type { SlaJobPayload };
