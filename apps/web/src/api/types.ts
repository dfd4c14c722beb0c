// Shapes of the platform REST API v1 (docs/api.md). To be replaced by types inferred from @kefu/contracts once the
// server publishes its schemas there.

export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  email: string;
  name: string;
  locale: string | null;
  roles: string[];
  divisionIds: string[];
  status: UserStatus;
  createdAt: string;
}

export interface Me {
  user: User;
  tenant: { id: string; name: string };
  permissions: string[];
  divisions: { id: string; name: string }[];
  csrfToken: string;
}

export interface LoginAnswer {
  user: User;
  csrfToken: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Division {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface Permission {
  key: string;
  description: string;
}

export interface Role {
  id: string;
  key: string;
  name: string;
  permissions: string[];
  builtIn: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface EventType {
  type: string;
  description: string;
}

export interface Webhook {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: unknown;
}
