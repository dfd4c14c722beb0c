// The routing endpoints the admin page uses (docs/routing.md).
import { http } from '../../api/client.ts';

export const strategyNames = ['longest_idle', 'round_robin', 'fewest_interactions', 'least_occupied', 'best_skill', 'ring_all', 'sticky', 'random'] as const;
export const channelNames = ['voice', 'chat', 'email', 'sms', 'wechat', 'video', 'ticket'] as const;

export interface Queue {
  id: string;
  divisionId: string;
  name: string;
  channels: string[];
  strategy: (typeof strategyNames)[number];
  serviceLevelSeconds: number;
  serviceLevelTarget: number;
  acwSeconds: number;
  offerTimeoutSeconds: number;
  callbacksOffered: boolean;
}
export type QueueInput = Omit<Queue, 'id' | 'divisionId'> & { divisionId?: string };
export interface NamedItem { id: string; name: string }

export const routingApi = {
  queues: () => http.get<Queue[]>('/api/v1/routing/queues'),
  createQueue: (input: QueueInput) => http.post<Queue>('/api/v1/routing/queues', input),
  updateQueue: (id: string, input: Omit<QueueInput, 'divisionId'>) => http.patch<Queue>(`/api/v1/routing/queues/${id}`, input),
  removeQueue: (id: string) => http.delete(`/api/v1/routing/queues/${id}`),
  list: (kind: 'skills' | 'away-reasons') => http.get<NamedItem[]>(`/api/v1/routing/${kind}`),
  add: (kind: 'skills' | 'away-reasons', name: string) => http.post<NamedItem>(`/api/v1/routing/${kind}`, { name }),
  remove: (kind: 'skills' | 'away-reasons', id: string) => http.delete(`/api/v1/routing/${kind}/${id}`),
};
