// The transfer and consultation directory of the agent desktop: every active colleague of the tenant (any
// department: staff outside the contact center may be pulled into a call) with their state and extension, and the
// tenant's queues. Names and departments only: a directory is no way around users.read for emails.
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';

export interface DirectoryPerson {
  userId: string;
  name: string;
  departments: string;
  state: string;
  extension: string | null;
}

export interface DirectoryQueue {
  id: string;
  name: string;
  department: string;
}

export class DirectoryService {
  constructor(private readonly database: Database) {}

  async directory(actor: Actor): Promise<{ people: DirectoryPerson[]; queues: DirectoryQueue[] }> {
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const people = await tx.execute<{ user_id: string; name: string; departments: string | null; state: string; extension: string | null }>(sql`
        SELECT u.id AS user_id, u.name, coalesce(ra.state, 'offline') AS state,
          (SELECT string_agg(d.name, ', ' ORDER BY d.name) FROM user_divisions ud JOIN divisions d ON d.id = ud.division_id
            WHERE ud.tenant_id = u.tenant_id AND ud.user_id = u.id) AS departments,
          (SELECT min(e.extension) FROM voice_extensions e WHERE e.tenant_id = u.tenant_id AND e.user_id = u.id AND e.enabled) AS extension
        FROM users u LEFT JOIN routing_agents ra ON ra.user_id = u.id AND ra.tenant_id = u.tenant_id
        WHERE u.tenant_id = ${actor.tenantId} AND u.status = 'active' AND u.id IS DISTINCT FROM ${actor.userId}::uuid
        ORDER BY u.name, u.id
        LIMIT 1000`);
      const queues = await tx.execute<{ id: string; name: string; department: string }>(sql`
        SELECT q.id, q.name, d.name AS department FROM routing_queues q JOIN divisions d ON d.id = q.division_id
        WHERE q.tenant_id = ${actor.tenantId} ORDER BY q.name, q.id`);
      return {
        people: people.rows.map((r) => ({ userId: r.user_id, name: r.name, departments: r.departments ?? '', state: r.state, extension: r.extension })),
        queues: queues.rows,
      };
    });
  }
}
