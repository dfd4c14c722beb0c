// The agent desktop's server side: the desk, wrap-ups and the directory. The page itself lives in apps/web/src/pages/agent.
import type { ModuleFactory } from '../module.ts';
import { routingServiceFor } from '../routing/routing.module.ts';
import { desktopRoutes } from './desktop.routes.ts';
import { DirectoryService } from './directory.service.ts';
import { WrapupService } from './wrapup.service.ts';

export const createDesktopModule: ModuleFactory = (ctx) => {
  const wrapups = new WrapupService(ctx.database, () => routingServiceFor(ctx));
  return {
    name: 'desktop',
    routes: (app) => desktopRoutes(app, wrapups, new DirectoryService(ctx.database)),
  };
};
