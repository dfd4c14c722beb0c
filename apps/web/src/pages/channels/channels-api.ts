// The web chat endpoints the admin page and the agent's chat panel use (docs/webchat.md).
import type { ChatMessage } from '@kefu/contracts';
import { http } from '../../api/client.ts';

export interface WidgetSettings {
  color: string;
  position: 'right' | 'left';
  title: Partial<Record<'zh-CN' | 'en', string>>;
  greeting: Partial<Record<'zh-CN' | 'en', string>>;
  languages: ('zh-CN' | 'en')[];
  prechat: { field: 'name' | 'email' | 'phone' | 'question'; required: boolean }[];
  businessHours: { timezone: string; days: Record<string, [string, string][]> } | null;
  /** Who may turn a chat into a voice call. */
  voiceCall: 'off' | 'agent' | 'agent_and_visitor';
  /** Leave-a-message also when nobody in the queue is staffed. */
  offlineWhenNoAgents?: boolean;
  /** Auto-reply after the visitor's message went unanswered this long (null: off). */
  autoReply?: { afterSeconds: number; text: Partial<Record<'zh-CN' | 'en', string>> } | null;
}

export interface Widget {
  id: string;
  divisionId: string;
  queueId: string | null;
  name: string;
  allowedOrigins: string[];
  settings: WidgetSettings;
  enabled: boolean;
  identitySecret?: string;
}

export interface WidgetInput {
  name: string;
  divisionId?: string;
  allowedOrigins: string[];
  settings: Partial<WidgetSettings>;
  enabled?: boolean;
}

export interface AgentChat {
  interactionId: string;
  visitorName: string;
  status: string;
  contactId: string | null;
  verifiedUserId: string | null;
  prechat: { name?: string; email?: string; phone?: string; question?: string; context?: Record<string, string> };
  pageUrl: string | null;
  referrer: string | null;
}

export const channelsApi = {
  widgets: () => http.get<Widget[]>('/api/v1/webchat/widgets'),
  widget: (id: string) => http.get<Widget>(`/api/v1/webchat/widgets/${id}`),
  createWidget: (input: WidgetInput) => http.post<Widget>('/api/v1/webchat/widgets', input),
  updateWidget: (id: string, input: WidgetInput) => http.patch<Widget>(`/api/v1/webchat/widgets/${id}`, { ...input, divisionId: undefined }),
  rotateSecret: (id: string) => http.post<Widget>(`/api/v1/webchat/widgets/${id}/rotate-secret`),
  myChats: () => http.get<AgentChat[]>('/api/v1/chats'),
  chat: (id: string) => http.get<AgentChat>(`/api/v1/chats/${id}`),
  messages: (id: string) => http.get<{ items: ChatMessage[] }>(`/api/v1/chats/${id}/messages`),
  send: (id: string, clientMessageId: string, text: string) => http.post<ChatMessage>(`/api/v1/chats/${id}/messages`, { clientMessageId, text }),
  read: (id: string, seq: number) => http.post(`/api/v1/chats/${id}/read`, { seq }),
  typing: (id: string, on: boolean) => http.post(`/api/v1/chats/${id}/typing`, { on }),
  end: (id: string) => http.post(`/api/v1/chats/${id}/end`),
  /** Invites the visitor to a voice call (the widget asks them; the agent's browser phone answers by itself). */
  call: (id: string) => http.post<{ state: 'invited' }>(`/api/v1/chats/${id}/call`),
  hangupCall: (id: string) => http.post(`/api/v1/chats/${id}/call/hangup`),
  attachmentUrl: (id: string, attachmentId: string) => `/api/v1/chats/${id}/attachments/${attachmentId}`,
};

/** The snippet an admin pastes into the site's pages. */
export const snippetFor = (origin: string, widgetId: string) => `<script src="${origin}/widget/loader.js" data-widget="${widgetId}" async></script>`;
