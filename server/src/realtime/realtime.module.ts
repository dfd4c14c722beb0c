// The realtime platform piece as a module: the hub (shared with the modules that push to agents and
// supervisors, through `realtimeHubFor(ctx)`) and its WebSocket route.
import type { KefuModule, ModuleContext, ModuleFactory } from '../module.ts';
import { InProcessFanout, NatsFanout } from './realtime.fanout.ts';
import { RealtimeHub } from './realtime.hub.ts';
import { realtimeRoutes } from './realtime.routes.ts';

const hubs = new WeakMap<ModuleContext, Promise<RealtimeHub>>();

/** The one hub of a Kefu instance: every module built from the same context gets the same hub. */
export function realtimeHubFor(ctx: ModuleContext): Promise<RealtimeHub> {
  let hub = hubs.get(ctx);
  if (!hub) {
    hub = (async () => {
      const h = new RealtimeHub(ctx.config.natsUrl ? await NatsFanout.connect(ctx.config.natsUrl) : new InProcessFanout());
      h.isSingleNode = !ctx.config.natsUrl;
      return h;
    })();
    hubs.set(ctx, hub);
  }
  return hub;
}

export const REALTIME_HEARTBEAT_MS = 25_000;

export interface RealtimeModule extends KefuModule {
  hub: RealtimeHub;
}

export const createRealtimeModule: ModuleFactory = async (ctx): Promise<RealtimeModule> => {
  const hub = await realtimeHubFor(ctx);
  let closeAll = () => {};
  return {
    name: 'realtime',
    hub,
    routes(app) {
      ({ closeAll } = realtimeRoutes(app, {
        hub,
        heartbeatMs: REALTIME_HEARTBEAT_MS,
        async stillValid({ sessionToken, bearer }) {
          if (bearer) return (await ctx.services.apiKeys.resolve(bearer, null)) !== undefined;
          if (sessionToken) return (await ctx.services.auth.resolveSession(sessionToken, null)) !== undefined;
          return false;
        },
      }));
    },
    async stop() {
      closeAll();
      await hub.close();
    },
  };
};
