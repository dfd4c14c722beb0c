// Every interaction on its customer's timeline (issue 11: "every interaction on one timeline"): when an interaction
// ends, the contact it belongs to — set by the channel, or found by the caller's number — gets an entry, and the
// interaction remembers its contact (screen pops and repeat-contact detection read it). Idempotent: the entry is
// keyed by the interaction, so a redelivered event or a second node adds nothing.
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/database.ts';
import { findByIdentity } from './contacts.service.ts';
import { one } from './crm-sql.ts';
import { requireIdentity } from './identities.ts';
import { addTimelineEntry } from './timeline.service.ts';

interface InteractionRow extends Record<string, unknown> {
  id: string;
  channel: string;
  direction: string;
  from_address: string;
  to_address: string;
  contact_id: string | null;
  agent_id: string | null;
  agent_name: string | null;
  talk_ms: number | null;
  arrived_at: Date;
  end_reason: string | null;
}

/** m:ss of talk time. */
function talk(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export async function recordInteractionOnTimeline(database: Database, tenantId: string, interactionId: string): Promise<string | null> {
  return database.withTenant(tenantId, async (tx) => {
    const i = await one<InteractionRow>(tx, sql`
      SELECT i.id, i.channel, i.direction, i.from_address, i.to_address, i.contact_id, i.agent_id, u.name AS agent_name,
        i.talk_ms, i.arrived_at, i.end_reason
      FROM interactions i LEFT JOIN users u ON u.id = i.agent_id
      WHERE i.tenant_id = ${tenantId} AND i.id = ${interactionId}`);
    if (!i) return null;
    let contactId = i.contact_id;
    if (!contactId && i.channel === 'voice') {
      // The customer's side of the call: who called in, or whom we called.
      const address = i.direction === 'outbound' ? i.to_address : i.from_address;
      try {
        contactId = await findByIdentity(tx, tenantId, requireIdentity('phone', address, 'from'));
      } catch {
        contactId = null; // an extension, an anonymous caller or a number that is not a phone number
      }
      if (contactId) await tx.execute(sql`UPDATE interactions SET contact_id = ${contactId} WHERE tenant_id = ${tenantId} AND id = ${i.id} AND contact_id IS NULL`);
    }
    if (!contactId) return null;
    const who = i.agent_name ? ` · ${i.agent_name}` : '';
    await addTimelineEntry(tx, tenantId, {
      contactId,
      kind: 'interaction',
      at: new Date(i.arrived_at),
      source: { type: 'interaction', id: i.id },
      actorId: i.agent_id,
      summary: `${i.channel} ${i.direction} · ${talk(i.talk_ms)}${who}`,
      data: { interactionId: i.id, channel: i.channel, direction: i.direction, talkMs: i.talk_ms, endReason: i.end_reason, agentId: i.agent_id },
    });
    return contactId;
  });
}
