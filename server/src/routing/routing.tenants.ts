// The tenants this engine routes: each tenant's router is loaded from the database on first use, replaced by a
// fresh load when its memory diverged from the database, and closed (timers off) when discarded or stopped.
// Operations run through `write` (the tenant's transaction pipeline); counted facts are written by `flushFacts`.
import type { Database } from '../platform/db/database.ts';
import type { RealtimeHub } from '../realtime/realtime.hub.ts';
import { addAgentFacts } from './routing.agent-stats.ts';
import type { Clock } from './routing.engine.ts';
import { addFacts } from './routing.store.ts';
import { TenantRouter, type Liveness, type Write } from './tenant-router.ts';

export interface TenantRegistryDeps {
  database: Database;
  hub: RealtimeHub;
  clock: Clock;
  random: () => number;
  liveness: Map<string, Liveness>;
  /** Whether this node still routes the tenant (in a cluster): a diverged router is reloaded only then. */
  routes: (tenantId: string) => boolean;
  /** The full routing pass, after a reload. */
  dispatch: (router: TenantRouter) => Promise<void>;
  onError?: (err: unknown, what: string) => void;
}

export class TenantRegistry {
  private readonly tenants = new Map<string, Promise<TenantRouter>>();
  /** The routers `tenants` resolved to, so that a diverged one is replaced only once. */
  private readonly loaded = new Map<string, TenantRouter>();

  constructor(private readonly deps: TenantRegistryDeps) {}

  /** Finishes every operation in flight, writes the counted facts, and forgets every tenant. */
  async stop(): Promise<void> {
    const routers = [...this.tenants.values()];
    this.tenants.clear();
    this.loaded.clear();
    for (const pending of routers) {
      const router = await pending.catch(() => undefined);
      if (!router) continue;
      await router.settled();
      this.close(router);
      await this.flushFacts(router).catch((e) => this.deps.onError?.(e, 'interval facts'));
    }
  }

  tenant(tenantId: string): Promise<TenantRouter> {
    let router = this.tenants.get(tenantId);
    if (!router) {
      router = this.load(tenantId, Promise.resolve());
      this.tenants.set(tenantId, router);
    }
    return router;
  }

  private load(tenantId: string, after: Promise<unknown>): Promise<TenantRouter> {
    const router = after.then(() => TenantRouter.load(this.deps.database, tenantId, this.deps.clock.now(), this.deps.random, this.deps.liveness));
    router.then(
      (r) => {
        if (this.tenants.get(tenantId) === router) this.loaded.set(tenantId, r);
        else this.close(r);
      },
      () => {
        if (this.tenants.get(tenantId) === router) this.tenants.delete(tenantId);
      },
    );
    return router;
  }

  /** The tenant's router if this node has loaded (or is loading) it. */
  loadedTenant(tenantId: string): Promise<TenantRouter> | undefined {
    return this.tenants.get(tenantId);
  }

  loadedTenants(): Promise<TenantRouter>[] {
    return [...this.tenants.values()];
  }

  /** A discarded router: its timers do nothing and its offers are withdrawn from the agents' screens. */
  private close(router: TenantRouter): void {
    if (router.closed) return;
    router.closed = true;
    for (const offer of router.offers.values()) this.deps.clock.clearTimeout(offer.timer);
    for (const agent of router.agents.values()) if (agent.acwTimer) this.deps.clock.clearTimeout(agent.acwTimer);
  }

  /**
   * Memory and database disagree (a write failed after memory moved, or another router changed a task): drop
   * this router and rebuild the tenant from the database once its operations in flight have settled.
   */
  private diverged(router: TenantRouter, err: unknown): void {
    this.deps.onError?.(err, 'routing write (the tenant is reloaded)');
    if (this.loaded.get(router.tenantId) !== router) return;
    this.loaded.delete(router.tenantId);
    this.close(router);
    for (const offer of router.offers.values()) {
      for (const agentId of offer.agentIds) this.deps.hub.sendToUser(router.tenantId, agentId, { type: 'event', name: 'offer.revoked', data: { offerId: offer.offerId, taskId: offer.taskId, reason: 'cancelled' } });
    }
    const facts = router.takeFacts();
    const agentFacts = router.agentCounters.takeFacts();
    if (!this.deps.routes(router.tenantId)) {
      this.tenants.delete(router.tenantId);
      return;
    }
    const next = this.load(router.tenantId, router.settled());
    this.tenants.set(router.tenantId, next);
    void next
      .then(async (r) => {
        r.putBackFacts(facts);
        r.agentCounters.putBackFacts(agentFacts);
        await this.deps.dispatch(r);
      })
      .catch((e) => this.deps.onError?.(e, 'routing reload'));
  }

  /** Runs one operation of the tenant in its pipeline (see `TenantRouter.transact`). */
  write<T>(router: TenantRouter, fn: (w: Write) => Promise<T>): Promise<T> {
    return router.transact(this.deps.database, () => this.deps.clock.now(), fn, (err) => this.diverged(router, err), (err) => this.deps.onError?.(err, 'routing effect'));
  }

  /** Writes the facts counted since the last write (outside the pipeline: they only add up). */
  async flushFacts(router: TenantRouter): Promise<void> {
    const facts = router.takeFacts();
    const agentFacts = router.agentCounters.takeFacts();
    if (facts.length === 0 && agentFacts.length === 0) return;
    try {
      await this.deps.database.withTenant(router.tenantId, async (tx) => {
        await addFacts(tx, router.tenantId, facts);
        await addAgentFacts(tx, router.tenantId, agentFacts);
      });
    } catch (err) {
      router.putBackFacts(facts);
      router.agentCounters.putBackFacts(agentFacts);
      throw err;
    }
  }
}
