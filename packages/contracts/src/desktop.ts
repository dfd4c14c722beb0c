// The agent desktop's API (server/src/desktop, docs/desktop.md): one piece of work on an agent's desk.

export interface DeskTask {
  id: string;
  queueId: string;
  queueName: string;
  channel: string;
  /** Routing's task status: offered, assigned (open work) or completed (owing its wrap-up). */
  status: string;
  attributes: Record<string, unknown>;
  contactId: string | null;
  /** The interaction the task carries (`attributes.interactionId`), when it has one. */
  interactionId: string | null;
  externalRef: string | null;
  /** Who the customer is on the channel: the caller's number, the visitor's address (for the screen pop). */
  customerAddress: string | null;
  assignedAt: string | null;
  endedAt: string | null;
  wrapupCodes: { code: string; label: string }[];
  wrapup: { code: string | null; notes: string; resolvedFirstContact: boolean | null; createdAt: string } | null;
}
