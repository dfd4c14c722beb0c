// Every route declares who may call it (STYLE.md, ARCHITECTURE.md §6): a route without an `access` declaration
// fails at registration. The declarations also form the route table that the tenant-isolation suite walks.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.ts';
import type { Permission } from '../auth/permissions.ts';

/** The kind of object a path parameter names; the isolation suite needs a fixture for each kind. */
export type ResourceKind = 'user' | 'kb_space' | 'kb_category' | 'kb_article' | 'kb_update' | 'kb_synonym' | 'kb_attachment' | 'division' | 'role' | 'api_key' | 'webhook' | 'voice_trunk' | 'voice_number' | 'voice_extension' | 'voice_outbound_rule' | 'interaction' | 'recording' | 'routing_queue' | 'routing_skill' | 'routing_away_reason' | 'routing_task' | 'contact' | 'company' | 'crm_field' | 'order' | 'crm_import' | 'ticket' | 'ticket_task' | 'ticket_group' | 'ticket_calendar' | 'ticket_sla_policy' | 'ticket_macro' | 'flow' | 'flow_secret' | 'flow_session' | 'flow_prompt' | 'chat_widget' | 'chat_attachment';

export type RouteAccess =
  | { public: true }
  | {
      /** The permission the route needs, or 'authenticated' for anything a signed-in actor may do. */
      permission: Permission | 'authenticated';
      /** What each path parameter refers to, e.g. `{ id: 'user' }`. */
      resources?: Record<string, ResourceKind>;
      /** Only people (session cookie) may call it, not API keys. */
      peopleOnly?: boolean;
    };

export interface RouteTableEntry {
  method: string;
  url: string;
  access: RouteAccess;
  /** The route's body schema (zod), if it takes a body. */
  bodySchema: unknown;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** The session's CSRF token, when the actor came with a session cookie. */
    sessionCsrfToken: string | null;
  }
}

/** The actor of an authenticated route (the auth hook guarantees one). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('actorOf called on a route without authentication');
  return request.actor;
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
