// What the agent desktop asks the server: the agent's routing state, the desk (docs/desktop.md), away reasons, and
// the CRM record of the customer for the screen pop.
import type { DeskTask } from '@kefu/contracts';
import { http } from '../../api/client.ts';
import type { Contact, Order } from '../crm/crm-api.ts';

export type AgentState = 'offline' | 'available' | 'away' | 'busy' | 'acw' | 'missed';

export interface AgentView {
  userId: string;
  state: AgentState;
  since: string;
  awayReasonId: string | null;
  acwEndsAt: string | null;
  tasks: string[];
  offers: { offerId: string; taskId: string; expiresAt: number }[];
}

export type { DeskTask };

export interface AwayReason {
  id: string;
  name: string;
}


/** An `offer` pushed on the realtime socket (packages/contracts realtime.ts). */
export interface Offer {
  offerId: string;
  taskId: string;
  queueId: string;
  queueName: string;
  channel: string;
  expiresAt: number;
  attributes: Record<string, unknown>;
  contactId: string | null;
}

export interface WrapupInput {
  code?: string;
  notes?: string;
  resolvedFirstContact?: boolean;
}

export const agentApi = {
  me: () => http.get<AgentView>('/api/v1/routing/me'),
  awayReasons: () => http.get<AwayReason[]>('/api/v1/routing/away-reasons'),
  extendAcw: (seconds: number) => http.post<AgentView>('/api/v1/routing/me/acw/extend', { seconds }),
  work: () => http.get<{ items: DeskTask[] }>('/api/v1/desktop/work'),
  task: (id: string) => http.get<DeskTask>(`/api/v1/desktop/tasks/${encodeURIComponent(id)}`),
  wrapUp: (id: string, input: WrapupInput) => http.post<DeskTask>(`/api/v1/desktop/tasks/${encodeURIComponent(id)}/wrap-up`, input),
  contact: (id: string) => http.get<Contact>(`/api/v1/crm/contacts/${encodeURIComponent(id)}`),
  lookupPhone: (value: string) => http.get<{ contact: Contact | null; orders: Order[] }>('/api/v1/crm/lookup', { kind: 'phone', value }),
  timeline: (id: string) => http.get<{ items: { id: string; at: string; kind: string; summary: string }[] }>(`/api/v1/crm/contacts/${encodeURIComponent(id)}/timeline`, { limit: 8 }),
  orders: (id: string) => http.get<Order[]>(`/api/v1/crm/contacts/${encodeURIComponent(id)}/orders`),
};

/** The caller's number: the task's customer address, or a number under the names the channels use. */
export function phoneOf(attributes: Record<string, unknown>, customerAddress?: string | null): string | null {
  for (const value of [customerAddress, attributes.from, attributes.phone, attributes.callerId, attributes.ani]) {
    if (typeof value === 'string' && /\d{3,}/.test(value)) return value;
  }
  return null;
}

export const createContact = (input: { displayName: string; phone: string }) =>
  http.post<Contact>('/api/v1/crm/contacts', { displayName: input.displayName, identities: [{ kind: 'phone', value: input.phone }] });

/** A ticket for work that outlives the contact, created from the wrap-up (docs/tickets.md). */
export const createTicket = (input: { subject: string; description?: string; interactionId?: string; requesterId?: string }) =>
  http.post<{ id: string; number: number }>('/api/v1/tickets', input);
