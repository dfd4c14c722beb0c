import { AppError } from '../errors.ts';
import type { Permission } from './permissions.ts';

/** Who makes a request: a person with a session, a system with an API key, or Kefu itself (CLI, seed). */
export interface Actor {
  kind: 'user' | 'api_key' | 'system';
  tenantId: string;
  userId: string | null;
  email: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  permissions: ReadonlySet<Permission>;
  /** Divisions the actor may see: every division of the tenant, or the granted ones. */
  divisions: 'all' | readonly string[];
  ip: string | null;
}

export function systemActor(tenantId: string): Actor {
  return {
    kind: 'system',
    tenantId,
    userId: null,
    email: null,
    apiKeyId: null,
    sessionId: null,
    permissions: new Set(),
    divisions: 'all',
    ip: null,
  };
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (actor.kind !== 'system' && !actor.permissions.has(permission)) {
    throw new AppError('FORBIDDEN', `this needs the permission ${permission}`);
  }
}

export function canSeeDivision(actor: Actor, divisionId: string): boolean {
  return actor.divisions === 'all' || actor.divisions.includes(divisionId);
}
