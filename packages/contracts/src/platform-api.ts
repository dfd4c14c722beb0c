// Response shapes of the platform API (docs/api.md). The server declares them as route response schemas (so a
// field that is not listed here can never leak into an answer) and the web app infers its types from them.
import { z } from 'zod';

const id = z.string();
const isoTime = z.string();

export const userSchema = z.object({
  id,
  email: z.string(),
  name: z.string(),
  locale: z.string(),
  roles: z.array(z.string()),
  divisionIds: z.array(id),
  status: z.enum(['active', 'disabled']),
  createdAt: isoTime,
});
export type User = z.infer<typeof userSchema>;

export const divisionSchema = z.object({ id, name: z.string(), description: z.string(), createdAt: isoTime });
export type Division = z.infer<typeof divisionSchema>;

export const roleSchema = z.object({ id, key: z.string(), name: z.string(), permissions: z.array(z.string()), builtIn: z.boolean() });
export type Role = z.infer<typeof roleSchema>;

export const permissionInfoSchema = z.object({ key: z.string(), description: z.string() });

export const apiKeySchema = z.object({
  id,
  name: z.string(),
  scopes: z.array(z.string()),
  prefix: z.string(),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;
export const createdApiKeySchema = z.object({ apiKey: apiKeySchema, secret: z.string() });

export const webhookSchema = z.object({ id, url: z.string(), events: z.array(z.string()), active: z.boolean(), createdAt: isoTime });
export type Webhook = z.infer<typeof webhookSchema>;
export const createdWebhookSchema = z.object({ webhook: webhookSchema, secret: z.string() });

export const webhookDeliverySchema = z.object({
  id,
  eventId: id,
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  responseStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoTime,
  deliveredAt: isoTime.nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const eventCatalogEntrySchema = z.object({ type: z.string(), description: z.string() });

export const auditEntrySchema = z.object({
  id,
  at: isoTime,
  actorId: id.nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** A page of a keyset-paginated list. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const loginResponseSchema = z.object({ user: userSchema, csrfToken: z.string() });

export const meSchema = z.object({
  user: userSchema.nullable(),
  apiKeyId: id.nullable(),
  tenant: z.object({ id, name: z.string() }),
  permissions: z.array(z.string()),
  divisions: z.array(z.object({ id, name: z.string() })),
  csrfToken: z.string().nullable(),
});
export type Me = z.infer<typeof meSchema>;

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  database: z.enum(['ok', 'unreachable']),
});
