// The CRM endpoints the contacts page uses (docs/crm.md).
import { http, type Query } from '../../api/client.ts';

const v1 = '/api/v1/crm';

export interface Identity {
  id: string;
  kind: 'phone' | 'email' | 'wechat_openid' | 'wechat_unionid' | 'visitor' | 'external';
  value: string;
  label: string;
  masked: boolean;
}

export interface Contact {
  id: string;
  divisionId: string;
  displayName: string;
  familyName: string | null;
  givenName: string | null;
  company: { id: string; name: string } | null;
  tags: string[];
  customFields: Record<string, string | number | string[]>;
  vipLevel: number;
  preferredLanguage: string | null;
  identities: Identity[];
  version: number;
  createdAt: string;
}

export interface TimelineEntry {
  id: string;
  at: string;
  kind: string;
  summary: string;
}

export interface Order {
  id: string;
  externalId: string | null;
  status: string;
  currency: string;
  amount: string;
  orderedAt: string;
}

export interface ImportState {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  dryRun: boolean;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  errors: number;
  failure: string | null;
}

export interface ImportError {
  line: number;
  field: string;
  message: string;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const crmApi = {
  contacts: (query: Query) => http.get<Page<Contact>>(`${v1}/contacts`, query),
  contact: (id: string) => http.get<Contact>(`${v1}/contacts/${encodeURIComponent(id)}`),
  reveal: (id: string) => http.post<Contact>(`${v1}/contacts/${encodeURIComponent(id)}/reveal`),
  timeline: (id: string) => http.get<Page<TimelineEntry>>(`${v1}/contacts/${encodeURIComponent(id)}/timeline`, { limit: 50 }),
  orders: (id: string) => http.get<Order[]>(`${v1}/contacts/${encodeURIComponent(id)}/orders`),
  addNote: (id: string, text: string) => http.post<TimelineEntry>(`${v1}/contacts/${encodeURIComponent(id)}/notes`, { text }),
  startImport: (input: { fileName: string; dryRun: boolean; content?: string; format?: 'xlsx'; contentBase64?: string }) =>
    http.post<ImportState>(`${v1}/imports`, input),
  importState: (id: string) => http.get<ImportState>(`${v1}/imports/${encodeURIComponent(id)}`),
  importErrors: (id: string) => http.get<Page<ImportError>>(`${v1}/imports/${encodeURIComponent(id)}/errors`, { limit: 200 }),
};
