import { http, type Query } from './client.ts';
import type {
  ApiKey,
  AuditEntry,
  Division,
  EventType,
  LoginAnswer,
  Me,
  Page,
  Permission,
  Role,
  User,
  UserStatus,
  Webhook,
  WebhookDelivery,
} from './types.ts';

const v1 = '/api/v1';

/** docs/api.md lists some collections as bare arrays and others as pages; the UI accepts both (see itemsOf). */
export type Listing<T> = T[] | Page<T>;

export const authApi = {
  login: (email: string, password: string) => http.post<LoginAnswer>(`${v1}/auth/login`, { email, password }),
  logout: () => http.post<void>(`${v1}/auth/logout`),
  me: () => http.get<Me>(`${v1}/me`),
  changePassword: (currentPassword: string, newPassword: string) =>
    http.post<void>(`${v1}/me/password`, { currentPassword, newPassword }),
};

export interface UserInput {
  email: string;
  name: string;
  password: string;
  roles: string[];
  divisionIds: string[];
  locale?: string;
}

export interface UserPatch {
  name?: string;
  roles?: string[];
  divisionIds?: string[];
  status?: UserStatus;
  password?: string;
  locale?: string;
}

export const usersApi = {
  list: (query: { q?: string; cursor?: string | null; limit?: number }) => http.get<Page<User>>(`${v1}/users`, query),
  create: (input: UserInput) => http.post<User>(`${v1}/users`, input),
  update: (id: string, patch: UserPatch) => http.patch<User>(`${v1}/users/${encodeURIComponent(id)}`, patch),
};

export const divisionsApi = {
  list: (query?: Query) => http.get<Listing<Division>>(`${v1}/divisions`, query),
  create: (input: { name: string; description?: string }) => http.post<Division>(`${v1}/divisions`, input),
  update: (id: string, input: { name?: string; description?: string }) =>
    http.patch<Division>(`${v1}/divisions/${encodeURIComponent(id)}`, input),
  remove: (id: string) => http.delete(`${v1}/divisions/${encodeURIComponent(id)}`),
};

export const rolesApi = {
  permissions: () => http.get<Listing<Permission>>(`${v1}/permissions`),
  list: () => http.get<Listing<Role>>(`${v1}/roles`),
  create: (input: { key: string; name: string; permissions: string[] }) => http.post<Role>(`${v1}/roles`, input),
  update: (id: string, input: { name?: string; permissions?: string[] }) =>
    http.patch<Role>(`${v1}/roles/${encodeURIComponent(id)}`, input),
  remove: (id: string) => http.delete(`${v1}/roles/${encodeURIComponent(id)}`),
};

export const apiKeysApi = {
  list: () => http.get<Listing<ApiKey>>(`${v1}/api-keys`),
  create: (input: { name: string; scopes: string[] }) =>
    http.post<{ apiKey: ApiKey; secret: string }>(`${v1}/api-keys`, input),
  revoke: (id: string) => http.delete(`${v1}/api-keys/${encodeURIComponent(id)}`),
};

export const webhooksApi = {
  catalog: () => http.get<Listing<EventType>>(`${v1}/events/catalog`),
  list: () => http.get<Listing<Webhook>>(`${v1}/webhooks`),
  create: (input: { url: string; events: string[]; active?: boolean }) =>
    http.post<{ webhook: Webhook; secret: string }>(`${v1}/webhooks`, input),
  update: (id: string, input: { url?: string; events?: string[]; active?: boolean }) =>
    http.patch<Webhook>(`${v1}/webhooks/${encodeURIComponent(id)}`, input),
  remove: (id: string) => http.delete(`${v1}/webhooks/${encodeURIComponent(id)}`),
  /** Not in docs/api.md yet: the server sends a test event to the webhook (202). */
  ping: (id: string) => http.post<unknown>(`${v1}/webhooks/${encodeURIComponent(id)}/ping`),
  deliveries: (id: string) => http.get<Listing<WebhookDelivery>>(`${v1}/webhooks/${encodeURIComponent(id)}/deliveries`),
};

export interface AuditQuery {
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
  cursor?: string | null;
  limit?: number;
}

export const auditApi = {
  list: (query: AuditQuery) => http.get<Page<AuditEntry>>(`${v1}/audit`, { ...query }),
};

/** Some list endpoints answer a bare array, others a page: accept both so that the UI does not care. */
export function itemsOf<T>(answer: Listing<T> | undefined): T[] {
  if (answer === undefined) return [];
  return Array.isArray(answer) ? answer : answer.items;
}
