// The RoutingService other modules, routes and the realtime methods call. On one node it is the engine. In a
// cluster (NATS_URL) each operation runs on the node that holds the tenant's router lease: locally when this
// node holds it, else as a NATS request to `kefu.routing.rpc.<tenantId>` (with a timeout); when no node holds
// the tenant yet, this node takes the lease and routes it.
import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { AppError, type ErrorCode } from '../platform/errors.ts';
import type { Database } from '../platform/db/database.ts';
import type { RoutingEngine } from './routing.engine.ts';
import { RouterLease } from './router-lease.ts';

const forwarded = ['enqueue', 'cancel', 'complete', 'requestCallback', 'accept', 'decline', 'setState', 'extendAcw', 'agentDisconnected', 'agentView', 'queueStats', 'agentStats', 'queueAgents', 'estimateOf', 'reloadConfig'] as const;
type Op = (typeof forwarded)[number];
type Rest<F> = F extends (tenantId: string, ...args: infer A) => unknown ? A : never;
type Result<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;

const codec = JSONCodec<{ op: Op; args: unknown[] } | { ok: true; result: unknown } | { ok: false; code: string; message: string }>();
export const rpcSubject = (tenantId: string) => `kefu.routing.rpc.${tenantId}`;

export class RoutingService {
  private readonly serving = new Map<string, Subscription>();
  private lease: RouterLease | undefined;
  private nc: NatsConnection | undefined;

  constructor(
    readonly engine: RoutingEngine,
    private readonly cluster?: { database: Database; natsUrl: string; pollMs: number; timeoutMs: number; onError(err: unknown): void },
  ) {
    // A router whose memory diverged from the database is rebuilt only where the tenant is still routed.
    engine.routes = (tenantId) => this.routes(tenantId);
  }

  /** In-process events of the tenants this node routes. */
  get events() {
    return this.engine.events;
  }

  async start(): Promise<void> {
    if (!this.cluster) return this.engine.start();
    const { database, natsUrl, pollMs, onError } = this.cluster;
    this.nc = await connect({ servers: natsUrl, name: 'kefu-routing', maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    this.lease = new RouterLease(database, {
      pollMs,
      onError,
      onAcquired: async (tenantId) => {
        await this.engine.dispatch(await this.engine.tenant(tenantId));
        this.serve(tenantId);
      },
      onLostAll: () => {
        for (const sub of this.serving.values()) sub.unsubscribe();
        this.serving.clear();
        void this.engine.stop();
      },
    });
    await this.lease.start();
  }

  async stop(): Promise<void> {
    for (const sub of this.serving.values()) sub.unsubscribe();
    this.serving.clear();
    // The engine finishes its tenants' operations while this node still holds their locks; only then are the
    // locks released, so the next holder reloads a settled database. No lease is taken once stopping began.
    if (this.lease) await this.lease.stop(() => this.engine.stop());
    else await this.engine.stop();
    await this.nc?.drain().catch(() => {});
  }

  /** Whether this node routes the tenant (always, on one node). */
  routes(tenantId: string): boolean {
    return !this.lease || this.lease.holds(tenantId);
  }

  private serve(tenantId: string): void {
    if (!this.nc || this.serving.has(tenantId)) return;
    const sub = this.nc.subscribe(rpcSubject(tenantId));
    this.serving.set(tenantId, sub);
    void (async () => {
      for await (const msg of sub) {
        const request = codec.decode(msg.data) as { op: Op; args: unknown[] };
        try {
          const result = await this.local(request.op, tenantId, request.args);
          msg.respond(codec.encode({ ok: true, result: result ?? null }));
        } catch (err) {
          const e = err instanceof AppError ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'internal error' };
          msg.respond(codec.encode({ ok: false, ...e }));
        }
      }
    })();
  }

  private local(op: Op, tenantId: string, args: unknown[]): Promise<unknown> {
    const fn = this.engine[op] as (tenantId: string, ...a: unknown[]) => Promise<unknown>;
    return fn.call(this.engine, tenantId, ...args);
  }

  private async call<K extends Op>(op: K, tenantId: string, ...args: Rest<RoutingEngine[K]>): Promise<Result<RoutingEngine[K]>> {
    const run = async (): Promise<unknown> => {
      if (this.routes(tenantId)) return this.local(op, tenantId, args);
      const deadline = Date.now() + this.cluster!.timeoutMs;
      for (;;) {
        try {
          const reply = codec.decode((await this.nc!.request(rpcSubject(tenantId), codec.encode({ op, args }), { timeout: Math.max(500, deadline - Date.now()) })).data) as
            | { ok: true; result: unknown }
            | { ok: false; code: ErrorCode; message: string };
          if (reply.ok) return reply.result;
          throw new AppError(reply.code, reply.message);
        } catch (err) {
          if (err instanceof AppError) throw err;
          // Nobody routes the tenant (no responders) or its router just died: take it, or wait for the one who did.
          if (await this.lease!.tryAcquire(tenantId)) return this.local(op, tenantId, args);
          if (Date.now() > deadline) throw new AppError('UNAVAILABLE', 'the router of this tenant does not answer', { retryable: true });
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    return run() as Promise<Result<RoutingEngine[K]>>;
  }

  enqueue = (t: string, ...a: Rest<RoutingEngine['enqueue']>) => this.call('enqueue', t, ...a);
  cancel = (t: string, ...a: Rest<RoutingEngine['cancel']>) => this.call('cancel', t, ...a);
  complete = (t: string, ...a: Rest<RoutingEngine['complete']>) => this.call('complete', t, ...a);
  requestCallback = (t: string, ...a: Rest<RoutingEngine['requestCallback']>) => this.call('requestCallback', t, ...a);
  accept = (t: string, ...a: Rest<RoutingEngine['accept']>) => this.call('accept', t, ...a);
  decline = (t: string, ...a: Rest<RoutingEngine['decline']>) => this.call('decline', t, ...a);
  setState = (t: string, ...a: Rest<RoutingEngine['setState']>) => this.call('setState', t, ...a);
  extendAcw = (t: string, ...a: Rest<RoutingEngine['extendAcw']>) => this.call('extendAcw', t, ...a);
  agentDisconnected = (t: string, ...a: Rest<RoutingEngine['agentDisconnected']>) => this.call('agentDisconnected', t, ...a);
  agentView = (t: string, ...a: Rest<RoutingEngine['agentView']>) => this.call('agentView', t, ...a);
  queueStats = (t: string, ...a: Rest<RoutingEngine['queueStats']>) => this.call('queueStats', t, ...a);
  agentStats = (t: string, ...a: Rest<RoutingEngine['agentStats']>) => this.call('agentStats', t, ...a);
  queueAgents = (t: string, ...a: Rest<RoutingEngine['queueAgents']>) => this.call('queueAgents', t, ...a);
  /** Position and estimated wait of a waiting task (a queued call's announcements). */
  estimateOf = (t: string, ...a: Rest<RoutingEngine['estimateOf']>) => this.call('estimateOf', t, ...a);
  reloadConfig = (t: string) => (this.routes(t) || !this.lease ? this.engine.reloadConfig(t) : this.call('reloadConfig', t));
  registerLiveness: RoutingEngine['registerLiveness'] = (channel, check) => this.engine.registerLiveness(channel, check);

  /** A task as stored, with position and estimated wait from the tenant's router. */
  async getTask(tenantId: string, taskId: string) {
    const row = await this.engine.taskRow(tenantId, taskId);
    return { ...row, ...(await this.call('estimateOf', tenantId, taskId)) };
  }
}
