// Shapes of the platform REST API v1, inferred from the schemas the server declares (@kefu/contracts).
// Type-only imports: nothing of zod reaches the browser bundle.
import type {
  ApiKey,
  AuditEntry,
  Division,
  Me as ApiMe,
  Role,
  User,
  Webhook,
  WebhookDelivery,
} from '@kefu/contracts';

export type { ApiKey, AuditEntry, Division, Role, User, Webhook, WebhookDelivery };

export type UserStatus = User['status'];
export type DeliveryStatus = WebhookDelivery['status'];

/** The browser is always a signed-in person (never an API key), so it always has a user and a CSRF token. */
export type Me = Omit<ApiMe, 'user' | 'csrfToken' | 'apiKeyId'> & { user: User; csrfToken: string };

export interface LoginAnswer {
  user: User;
  csrfToken: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Permission {
  key: string;
  description: string;
}

export interface EventType {
  type: string;
  description: string;
}
