// The CRM module: contacts and companies with identities, custom fields, timeline, orders, consent, duplicates,
// imports and export (docs/crm.md). Other modules use `contacts`, `findByIdentity` and `addTimelineEntry`.
import type { KefuModule, ModuleFactory } from '../module.ts';
import { CompaniesService } from './companies.service.ts';
import { ConsentsService } from './consents.service.ts';
import { ContactsService } from './contacts.service.ts';
import { contactRoutes } from './contacts.routes.ts';
import { crmRoutes } from './crm.routes.ts';
import { seedCrmDemo } from './crm.seed.ts';
import { DuplicatesService } from './duplicates.service.ts';
import { ExportService } from './export.service.ts';
import { FieldsService } from './fields.service.ts';
import { recordInteractionOnTimeline } from './interaction-timeline.ts';
import { CRM_IMPORT_JOB, ImportService } from './import/import.service.ts';
import { OrdersService } from './orders.service.ts';
import { TimelineService } from './timeline.service.ts';

export interface CrmModule extends KefuModule {
  contacts: ContactsService;
  orders: OrdersService;
  timeline: TimelineService;
  consents: ConsentsService;
}

export const createCrmModule: ModuleFactory = (ctx): CrmModule => {
  const contacts = new ContactsService(ctx.database);
  const companies = new CompaniesService(ctx.database);
  const fields = new FieldsService(ctx.database);
  const timeline = new TimelineService(ctx.database);
  const orders = new OrdersService(ctx.database);
  const consents = new ConsentsService(ctx.database);
  const duplicates = new DuplicatesService(ctx.database);
  const imports = new ImportService(ctx.database, ctx.blobs, () => ctx.jobs.wake());
  const exports = new ExportService(ctx.database);
  ctx.jobs.register(CRM_IMPORT_JOB, imports.handler());
  const offs: Array<() => void> = [];
  return {
    name: 'crm',
    contacts,
    orders,
    timeline,
    consents,
    routes: (app) => {
      contactRoutes(app, { contacts, timeline, consents, duplicates, orders });
      crmRoutes(app, { companies, fields, orders, imports, exports });
    },
    async start() {
      offs.push(
        ctx.bus.subscribe('interaction.ended', async (event) => {
          const { interactionId } = event.data as { interactionId: string };
          try {
            await recordInteractionOnTimeline(ctx.database, event.tenantId, interactionId);
          } catch (err) {
            ctx.logger.error({ err, interactionId }, 'crm: the interaction did not reach its contact timeline');
          }
        }),
      );
    },
    async stop() {
      for (const off of offs.splice(0)) off();
    },
    seedDemo: (demo) => seedCrmDemo(ctx.database, demo),
  };
};
