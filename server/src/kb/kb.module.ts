// The knowledge-base module: articles with review workflow and versions, Chinese/English search, agent
// assist, new-business updates, and the public help center (API and server-rendered pages).
import type { KefuModule, ModuleContext } from '../module.ts';
import { ArticlesService } from './articles.service.ts';
import { AttachmentsService } from './attachments.service.ts';
import { seedKnowledgeBase } from './demo-seed.ts';
import { HelpCenterService } from './help-center.service.ts';
import { helpPages } from './help-pages.ts';
import { helpRoutes } from './help.routes.ts';
import { kbRoutes } from './kb.routes.ts';
import { SearchService } from './search.service.ts';
import { TransferService } from './transfer.service.ts';
import { SpacesService } from './spaces.service.ts';
import { UpdatesService } from './updates.service.ts';

const SCHEDULE_INTERVAL_MS = 30_000;

export interface KbModule extends KefuModule {
  services: { spaces: SpacesService; articles: ArticlesService; search: SearchService; updates: UpdatesService; help: HelpCenterService; attachments: AttachmentsService };
}

export const createKbModule = (ctx: ModuleContext): KbModule => {
  const spaces = new SpacesService(ctx.database);
  const articles = new ArticlesService(ctx.database);
  const search = new SearchService(ctx.database, spaces);
  const updates = new UpdatesService(ctx.database);
  const help = new HelpCenterService(ctx.database, spaces);
  const attachments = new AttachmentsService(ctx.database, ctx.blobs, articles);
  const transfer = new TransferService(ctx.database, ctx.blobs, spaces, articles, attachments);
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'kb',
    services: { spaces, articles, search, updates, help, attachments },
    routes(app) {
      kbRoutes(app, { spaces, articles, search, updates, help, attachments, transfer });
      helpRoutes(app, help);
      helpPages(app, help, attachments);
    },
    async start() {
      // Scheduled publishing and expiry.
      timer = setInterval(() => {
        articles.runSchedule().catch((err: unknown) => ctx.logger.warn({ err }, 'kb schedule run failed'));
      }, SCHEDULE_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
    },
    seedDemo: (demo) => seedKnowledgeBase(ctx.database, articles, demo),
  };
};
