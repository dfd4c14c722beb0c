// Business modules (routing, kb, crm, tickets, voice, …) plug into the composition root through this one
// interface: main.ts builds every factory in server/src/modules.ts with the platform's services, registers their
// routes before listening, starts them after, stops them in reverse order, and lets them add to the demo tenant.
import type { Config } from './platform/config.ts';
import type { ApiKeysService } from './platform/auth/api-keys.service.ts';
import type { AuthService } from './platform/auth/auth.service.ts';
import type { AuditService } from './platform/audit/audit.service.ts';
import type { BlobStore } from './platform/blob/blob-store.ts';
import type { SecretBox } from './platform/crypto/secret-box.ts';
import type { Database } from './platform/db/database.ts';
import type { Notifier } from './platform/db/notifier.ts';
import type { EventBus } from './platform/events/bus.ts';
import type { App } from './platform/http/server.ts';
import type { JobRunner } from './platform/jobs/job-runner.ts';
import type { Logger } from './platform/logger.ts';
import type { DivisionsService } from './platform/tenancy/divisions.service.ts';
import type { RolesService } from './platform/tenancy/roles.service.ts';
import type { TenantsService } from './platform/tenancy/tenants.service.ts';
import type { UsersService } from './platform/tenancy/users.service.ts';
import type { WebhooksService } from './platform/webhooks/webhooks.service.ts';

export interface PlatformServices {
  auth: AuthService;
  apiKeys: ApiKeysService;
  users: UsersService;
  divisions: DivisionsService;
  roles: RolesService;
  tenants: TenantsService;
  webhooks: WebhooksService;
  audit: AuditService;
}

export interface ModuleContext {
  config: Config;
  logger: Logger;
  database: Database;
  bus: EventBus;
  jobs: JobRunner;
  blobs: BlobStore;
  notifier: Notifier;
  secrets: SecretBox;
  services: PlatformServices;
}

export interface DemoTenant {
  tenantId: string;
  defaultDivisionId: string;
  /** Demo user ids by email (admin@demo.kefu, agent1@demo.kefu, …). */
  userIds: Record<string, string>;
  /** Everyone who signs in with the demo password; a module's seed that adds such a user appends it here. */
  logins: string[];
}

export interface KefuModule {
  name: string;
  /** Registers HTTP routes and WebSocket handlers. Every /api/v1 route must declare its `access`. */
  routes?(app: App): void;
  /** Called once the server listens (start loops, timers, subscriptions). */
  start?(): Promise<void>;
  /** Called on shutdown, in reverse order of start. */
  stop?(): Promise<void>;
  /** Adds this module's demo data to the demo tenant on the first start. */
  seedDemo?(demo: DemoTenant): Promise<void>;
}

export type ModuleFactory = (ctx: ModuleContext) => KefuModule | Promise<KefuModule>;
