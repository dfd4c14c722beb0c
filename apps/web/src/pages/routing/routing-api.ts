// The routing endpoints the admin page uses (docs/routing.md).
import { http } from '../../api/client.ts';

export const strategyNames = ['longest_idle', 'round_robin', 'fewest_interactions', 'least_occupied', 'best_skill', 'ring_all', 'sticky', 'random'] as const;
export const channelNames = ['voice', 'chat', 'email', 'sms', 'wechat', 'video', 'ticket'] as const;
export const capacityChannels = ['voice', 'chat', 'email', 'sms', 'wechat', 'video', 'ticket'] as const;
export const agentStates = ['offline', 'available', 'away', 'busy', 'acw', 'missed'] as const;
export type AgentState = (typeof agentStates)[number];

export type OverflowRule = { afterSeconds: number; action: 'queue'; queueId: string } | { afterSeconds: number; action: 'relax_skills'; by: number };
export interface PriorityRule { attribute: string; equals: string | number | boolean; boost: number }
export interface WrapupCode { code: string; label: string }

export interface Queue {
  id: string;
  divisionId: string;
  name: string;
  channels: string[];
  strategy: (typeof strategyNames)[number];
  serviceLevelSeconds: number;
  serviceLevelTarget: number;
  maxWaitSeconds: number | null;
  overflow: OverflowRule[];
  priorityRules: PriorityRule[];
  agingPerMinute: number;
  acwSeconds: number;
  offerTimeoutSeconds: number;
  callbacksOffered: boolean;
  /** What the caller hears while waiting: their position every N seconds (0: never), and the estimated wait. */
  announcements: { positionEverySeconds?: number; estimatedWait?: boolean };
  wrapupCodes: WrapupCode[];
}
export type QueueInput = Omit<Queue, 'id' | 'divisionId'> & { divisionId?: string };
export interface NamedItem { id: string; name: string }
export interface Member { userId: string; name: string; email: string; skillLevel: number; priority: number }
export interface Agent {
  userId: string;
  name: string;
  email: string;
  state: AgentState;
  since: string;
  awayReasonId: string | null;
  capacity: Partial<Record<(typeof capacityChannels)[number], number>>;
  callBlocksChats: boolean;
  skills: Record<string, number>;
  queues: { queueId: string; skillLevel: number; priority: number }[];
}
export interface AgentProfileInput { capacity: Agent['capacity']; callBlocksChats: boolean; skills: Record<string, number> }
export interface UserItem { id: string; name: string; email: string }

export const routingApi = {
  queues: () => http.get<Queue[]>('/api/v1/routing/queues'),
  createQueue: (input: QueueInput) => http.post<Queue>('/api/v1/routing/queues', input),
  updateQueue: (id: string, input: Omit<QueueInput, 'divisionId'>) => http.patch<Queue>(`/api/v1/routing/queues/${id}`, input),
  removeQueue: (id: string) => http.delete(`/api/v1/routing/queues/${id}`),
  members: (queueId: string) => http.get<Member[]>(`/api/v1/routing/queues/${queueId}/members`),
  putMember: (queueId: string, userId: string, input: { skillLevel: number; priority: number }) => http.put<Member>(`/api/v1/routing/queues/${queueId}/members/${userId}`, input),
  removeMember: (queueId: string, userId: string) => http.delete(`/api/v1/routing/queues/${queueId}/members/${userId}`),
  agents: () => http.get<Agent[]>('/api/v1/routing/agents'),
  updateAgent: (userId: string, input: AgentProfileInput) => http.patch<Agent>(`/api/v1/routing/agents/${userId}`, input),
  setAgentState: (userId: string, state: 'offline' | 'available' | 'away', awayReasonId: string | null) => http.put(`/api/v1/routing/agents/${userId}/state`, { state, awayReasonId }),
  users: () => http.get<{ items: UserItem[] }>('/api/v1/users?limit=200'),
  list: (kind: 'skills' | 'away-reasons') => http.get<NamedItem[]>(`/api/v1/routing/${kind}`),
  add: (kind: 'skills' | 'away-reasons', name: string) => http.post<NamedItem>(`/api/v1/routing/${kind}`, { name }),
  remove: (kind: 'skills' | 'away-reasons', id: string) => http.delete(`/api/v1/routing/${kind}/${id}`),
};
