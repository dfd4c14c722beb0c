// The transactional outbox: an event is a row written in the same transaction as the change it announces.
// It is published (bus, webhooks) by the dispatcher only after that transaction commits, and never if it
// rolls back.
import { eventCatalog, type EventPayload, type EventType } from '@kefu/contracts';
import type { Tx } from '../db/database.ts';
import { outbox } from '../db/schema.ts';

export async function appendEvent<T extends EventType>(tx: Tx, tenantId: string, type: T, data: EventPayload<T>): Promise<string> {
  const payload = eventCatalog[type].payload.parse(data);
  const [row] = await tx.insert(outbox).values({ tenantId, type, payload }).returning({ id: outbox.id });
  return row!.id;
}
