// The ticket endpoints the tickets pages use (docs/tickets.md).
import { http, type Query } from '../../api/client.ts';
import type { Page } from '../../api/types.ts';

export const statuses = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const priorities = ['low', 'normal', 'high', 'urgent'] as const;
export const types = ['question', 'incident', 'problem', 'task', 'complaint'] as const;
export const views = ['all', 'mine', 'my_team', 'unassigned', 'breaching_soon'] as const;
export type Status = (typeof statuses)[number];
export type Priority = (typeof priorities)[number];
export type TicketType = (typeof types)[number];
export type View = (typeof views)[number];

export interface SlaTarget {
  metric: 'first_response' | 'next_response' | 'resolution';
  state: 'running' | 'paused' | 'met' | 'breached';
  dueAt: string | null;
  remainingMs: number | null;
  breachedAt: string | null;
}

export interface Ticket {
  id: string;
  number: number;
  divisionId: string;
  subject: string;
  description: string;
  status: Status;
  priority: Priority;
  type: TicketType;
  requesterId: string | null;
  requesterName: string | null;
  assigneeUserId: string | null;
  assigneeUserName: string | null;
  assigneeGroupId: string | null;
  assigneeGroupName: string | null;
  ownerId: string | null;
  ownerName: string | null;
  tier: number;
  tags: string[];
  source: string;
  mergedInto: string | null;
  resolvedBy: string | null;
  resolvedFirstContact: boolean | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  sla: SlaTarget[];
}

export interface Comment {
  id: string;
  authorName: string | null;
  authorKind: 'agent' | 'customer' | 'system';
  visibility: 'public' | 'internal';
  body: string;
  createdAt: string;
}

export interface Task {
  id: string;
  ticketId: string;
  ticketNumber: number;
  ticketSubject: string;
  ticketStatus: Status;
  title: string;
  description: string;
  assigneeUserId: string | null;
  assigneeUserName: string | null;
  assigneeGroupName: string | null;
  status: 'open' | 'done' | 'cancelled';
  result: string;
  createdByName: string | null;
  doneByName: string | null;
  createdAt: string;
  doneAt: string | null;
}

export interface Activity {
  id: number;
  at: string;
  actorName: string | null;
  action: string;
  details: Record<string, unknown>;
}

export interface Group {
  id: string;
  kind: 'department' | 'team';
  name: string;
  tier: number | null;
  members: Array<{ id: string; name: string; email: string }>;
}

export interface Macro {
  id: string;
  name: string;
}

export interface RecentInteraction {
  id: string;
  channel: string;
  from: string;
  arrivedAt: string;
  contactId: string | null;
  contactName: string | null;
  tickets: number;
}

export interface TicketPatch {
  status?: Status;
  priority?: Priority;
  type?: TicketType;
  assigneeUserId?: string | null;
  assigneeGroupId?: string | null;
  addTags?: string[];
}

const v1 = '/api/v1';

export const ticketsApi = {
  list: (query: Query) => http.get<Page<Ticket>>(`${v1}/tickets`, query),
  get: (id: string) => http.get<Ticket>(`${v1}/tickets/${id}`),
  create: (body: { subject: string; description?: string; priority?: Priority; type?: TicketType; requesterId?: string; interactionId?: string }) =>
    http.post<Ticket>(`${v1}/tickets`, body),
  update: (id: string, body: TicketPatch) => http.patch<Ticket>(`${v1}/tickets/${id}`, body),
  bulk: (ids: string[], set: TicketPatch) => http.post<{ updated: number; failed: number }>(`${v1}/tickets/bulk`, { ids, set }),
  comments: (id: string) => http.get<Comment[]>(`${v1}/tickets/${id}/comments`),
  comment: (id: string, body: string, visibility: 'public' | 'internal') => http.post<Comment>(`${v1}/tickets/${id}/comments`, { body, visibility }),
  activity: (id: string) => http.get<Activity[]>(`${v1}/tickets/${id}/activity`),
  tasks: (id: string) => http.get<Task[]>(`${v1}/tickets/${id}/tasks`),
  addTask: (id: string, body: { title: string; assigneeUserId?: string; assigneeGroupId?: string }) => http.post<Task>(`${v1}/tickets/${id}/tasks`, body),
  myTasks: () => http.get<Task[]>(`${v1}/ticket-tasks`),
  updateTask: (id: string, body: { status?: 'open' | 'done' | 'cancelled'; result?: string }) => http.patch<Task>(`${v1}/ticket-tasks/${id}`, body),
  merge: (id: string, otherId: string) => http.post<Ticket>(`${v1}/tickets/${id}/merge/${otherId}`),
  escalate: (id: string) => http.post<Ticket>(`${v1}/tickets/${id}/escalate`, {}),
  applyMacro: (id: string, macroId: string) => http.post<Ticket>(`${v1}/tickets/${id}/macros/${macroId}`),
  groups: () => http.get<Group[]>(`${v1}/ticket-groups`),
  macros: () => http.get<Macro[]>(`${v1}/ticket-macros`),
  recentInteractions: () => http.get<RecentInteraction[]>(`${v1}/tickets/recent-interactions`),
  contacts: (q: string) => http.get<Page<{ id: string; displayName: string }>>(`${v1}/crm/contacts`, { q, limit: 20 }),
};

export interface Calendar {
  id: string;
  name: string;
  timeZone: string;
  hours: Array<Array<[number, number]>>;
  holidays: string[];
  workdays: string[];
}

export interface SlaPolicy {
  id: string;
  divisionId: string;
  priority: Priority;
  calendarId: string | null;
  firstResponseMinutes: number | null;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
  warnBeforeMinutes: number;
  escalateGroupId: string | null;
  escalateRaisePriority: boolean;
}

export interface DivisionSettings {
  divisionId: string;
  ownershipModel: 'first_contact' | 'tiered';
  repeatWindowDays: number;
}

export interface MacroFull {
  id: string;
  name: string;
  divisionId: string | null;
  actions: { set?: TicketPatch; reply?: { body: string; visibility: 'public' | 'internal' } };
}

export const ticketConfigApi = {
  saveGroup: (id: string | null, body: { kind?: 'department' | 'team'; name?: string; tier?: number | null; divisionId?: string | null; memberIds?: string[] }) =>
    id ? http.patch<Group>(`${v1}/ticket-groups/${id}`, body) : http.post<Group>(`${v1}/ticket-groups`, body),
  removeGroup: (id: string) => http.delete(`${v1}/ticket-groups/${id}`),
  calendars: () => http.get<Calendar[]>(`${v1}/ticket-calendars`),
  saveCalendar: (body: Omit<Calendar, 'id'>) => http.post<Calendar>(`${v1}/ticket-calendars`, body),
  removeCalendar: (id: string) => http.delete(`${v1}/ticket-calendars/${id}`),
  policies: () => http.get<SlaPolicy[]>(`${v1}/ticket-sla-policies`),
  savePolicy: (id: string | null, body: Partial<Omit<SlaPolicy, 'id'>>) =>
    id ? http.patch<SlaPolicy>(`${v1}/ticket-sla-policies/${id}`, body) : http.post<SlaPolicy>(`${v1}/ticket-sla-policies`, body),
  removePolicy: (id: string) => http.delete(`${v1}/ticket-sla-policies/${id}`),
  settings: (divisionId: string) => http.get<DivisionSettings>(`${v1}/ticket-settings/${divisionId}`),
  saveSettings: (divisionId: string, body: Partial<Omit<DivisionSettings, 'divisionId'>>) => http.put<DivisionSettings>(`${v1}/ticket-settings/${divisionId}`, body),
  macros: () => http.get<MacroFull[]>(`${v1}/ticket-macros`),
  saveMacro: (body: Omit<MacroFull, 'id'>) => http.post<MacroFull>(`${v1}/ticket-macros`, body),
  removeMacro: (id: string) => http.delete(`${v1}/ticket-macros/${id}`),
};
