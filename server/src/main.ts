// The composition root: builds every module from the parsed config and wires them together. The CLI and the
// tests start Kefu through createKefu().
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './platform/config.ts';
import { ApiKeysService } from './platform/auth/api-keys.service.ts';
import { AuthService } from './platform/auth/auth.service.ts';
import { AuditService } from './platform/audit/audit.service.ts';
import { LocalBlobStore, type BlobStore } from './platform/blob/blob-store.ts';
import { SecretBox } from './platform/crypto/secret-box.ts';
import { Database } from './platform/db/database.ts';
import { startEmbeddedPostgres, type RunningPostgres } from './platform/db/embedded-postgres.ts';
import { openDatabase } from './platform/db/open-database.ts';
import { Notifier } from './platform/db/notifier.ts';
import type { EventBus } from './platform/events/bus.ts';
import { OutboxDispatcher, WEBHOOK_DELIVER_JOB } from './platform/events/dispatcher.ts';
import { InProcessBus } from './platform/events/in-process-bus.ts';
import { NatsBus } from './platform/events/nats-bus.ts';
import { buildHttpServer, type App } from './platform/http/server.ts';
import type { RouteTableEntry } from './platform/http/access.ts';
import { JobRunner, type JobRunnerOptions } from './platform/jobs/job-runner.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { adminRoutes } from './platform/routes/admin.routes.ts';
import { authRoutes } from './platform/routes/auth.routes.ts';
import { healthRoutes } from './platform/routes/health.routes.ts';
import { seedDemo, writeDemoCredentials, type DemoSeedResult } from './platform/seed/demo-seed.ts';
import { DivisionsService } from './platform/tenancy/divisions.service.ts';
import { RolesService } from './platform/tenancy/roles.service.ts';
import { syncBuiltInRoles, TenantsService } from './platform/tenancy/tenants.service.ts';
import { UsersService } from './platform/tenancy/users.service.ts';
import { webhookDeliveryHandler } from './platform/webhooks/webhook-delivery.ts';
import type { KefuModule, ModuleContext, ModuleFactory, PlatformServices } from './module.ts';
import { moduleFactories } from './modules.ts';
import { WebhooksService } from './platform/webhooks/webhooks.service.ts';

export const version: string = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')).version;

export interface KefuOptions {
  logger?: Logger;
  /** Overrides for tests: faster job retries and polling. */
  jobs?: Partial<JobRunnerOptions>;
  webhookTimeoutMs?: number;
  /** Modules added after the registered ones (tests). */
  extraModules?: ModuleFactory[];
}

export interface Kefu {
  config: Config;
  app: App;
  routeTable: RouteTableEntry[];
  url: string;
  database: Database;
  bus: EventBus;
  blobs: BlobStore;
  jobs: JobRunner;
  dispatcher: OutboxDispatcher;
  services: PlatformServices;

  demo: DemoSeedResult | undefined;
  embedded: RunningPostgres | undefined;
  /** The business modules by name (tests reach their services through here). */
  modules: Record<string, KefuModule>;
  stop(): Promise<void>;
}

/** Ensures the `kefu` database exists in an embedded cluster and returns its URL. */
async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (!exists) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createKefu(config: Config, options: KefuOptions = {}): Promise<Kefu> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const log = (line: string, fields: Record<string, unknown> = {}) => logger.info(fields, line);
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => logger.error({ err }, 'shutdown step failed'));
    cleanups.length = 0;
  };

  try {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o750 });
    let embedded: RunningPostgres | undefined;
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), port: config.database.embeddedPort, log: (l) => log(l) });
      const running = embedded;
      cleanups.push(() => running.stop());
      databaseUrl = await ensureDatabase(embedded.adminUrl, 'kefu');
    }

    const secrets = config.secretKeyHex ? SecretBox.fromHex(config.secretKeyHex) : SecretBox.fromDataDir(config.dataDir);
    const database = await openDatabase(databaseUrl, secrets, logger);
    cleanups.push(() => database.close());
    await database.withSystem((tx) => syncBuiltInRoles(tx));

    const blobs = new LocalBlobStore(path.join(config.dataDir, 'blobs'));
    const services = {
      auth: new AuthService(database, config.session.hours),
      apiKeys: new ApiKeysService(database),
      users: new UsersService(database),
      divisions: new DivisionsService(database),
      roles: new RolesService(database),
      tenants: new TenantsService(database),
      webhooks: new WebhooksService(database, secrets),
      audit: new AuditService(database),
    };

    const seedNeeded = config.demo.enabled && (await services.tenants.count()) === 0;

    const onHandlerError = (err: unknown, event: { type: string; id: string }) =>
      logger.error({ err, eventType: event.type, eventId: event.id }, 'event subscriber failed');
    const bus: EventBus = config.natsUrl ? await NatsBus.connect(config.natsUrl, onHandlerError) : new InProcessBus(onHandlerError);
    cleanups.push(() => bus.close());

    const notifier = new Notifier(database.options.url, (l) => logger.warn(l));
    await notifier.start();
    cleanups.push(() => notifier.close());

    const jobs = new JobRunner(database, (l, f) => logger.info(f ?? {}, l), options.jobs);
    jobs.register(WEBHOOK_DELIVER_JOB, webhookDeliveryHandler(database, secrets, { timeoutMs: options.webhookTimeoutMs ?? 10_000 }));
    const dispatcher = new OutboxDispatcher(database, bus, (l, f) => logger.error(f ?? {}, l), {
      pollMs: options.jobs?.pollMs ?? 1000,
      batch: 100,
      webhookMaxAttempts: 8,
    });

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: 'kefu_' });
    const { app, routeTable } = await buildHttpServer({
      logger,
      bodyLimit: config.http.bodyLimit,
      trustProxy: config.http.trustProxy,
      webDist: config.webDist,
      metrics,
      auth: services.auth,
      apiKeys: services.apiKeys,
      version,
    });
    healthRoutes(app, { database, metrics, version });
    authRoutes(app, { ...services, cookieSecure: config.session.cookieSecure });
    adminRoutes(app, services);

    const moduleContext: ModuleContext = { config, logger, database, bus, jobs, blobs, notifier, secrets, services };
    const modules: KefuModule[] = [];
    for (const factory of [...moduleFactories, ...(options.extraModules ?? [])]) modules.push(await factory(moduleContext));
    for (const module of modules) module.routes?.(app);

    let demo: DemoSeedResult | undefined;
    if (seedNeeded) {
      demo = await seedDemo(database, { password: config.demo.password, dataDir: config.dataDir });
      for (const module of modules) await module.seedDemo?.(demo.tenant);
      await writeDemoCredentials(demo);
    }

    await app.listen({ port: config.http.port, host: config.http.host });
    cleanups.push(() => app.close());

    jobs.start(notifier);
    dispatcher.start(notifier);
    cleanups.push(() => jobs.stop());
    cleanups.push(() => dispatcher.stop());
    for (const module of modules) {
      await module.start?.();
      if (module.stop) cleanups.push(() => module.stop!());
    }

    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
    return {
      config,
      app,
      routeTable,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      database,
      bus,
      blobs,
      jobs,
      dispatcher,
      services,
      demo,
      embedded,
      modules: Object.fromEntries(modules.map((m) => [m.name, m])),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
