// What the supervisor console reads: queues with their live statistics (pushed every second on
// `queue-stats:<queueId>`), agents with their state, and the state change a supervisor may make for an agent.
import { http } from '../../api/client.ts';
import type { AgentState } from '../agent/agent-api.ts';

export interface QueueSummary {
  id: string;
  name: string;
  divisionId: string;
  channels: string[];
  serviceLevelSeconds: number;
  serviceLevelTarget: number;
}

export interface QueueStats {
  queueId: string;
  at: string;
  waiting: number;
  longestWaitSeconds: number;
  offeredToday: number;
  answeredToday: number;
  abandonedToday: number;
  answeredWithinTargetToday: number;
  serviceLevelToday: number | null;
  averageHandleSeconds: number | null;
  estimatedWaitSeconds: number | null;
  agentsByState: Partial<Record<AgentState, number>>;
}

export interface AgentRow {
  userId: string;
  name: string;
  email: string;
  state: AgentState;
  since: string;
  awayReasonId: string | null;
  tasks: string[];
  queues: { queueId: string }[];
}

export const supervisorApi = {
  queues: () => http.get<QueueSummary[]>('/api/v1/routing/queues'),
  queueStats: (id: string) => http.get<QueueStats>(`/api/v1/routing/queues/${encodeURIComponent(id)}/stats`),
  agents: () => http.get<AgentRow[]>('/api/v1/routing/agents'),
  setAgentState: (userId: string, state: 'available' | 'away' | 'offline', awayReasonId?: string) =>
    http.put<unknown>(`/api/v1/routing/agents/${encodeURIComponent(userId)}/state`, { state, ...(awayReasonId ? { awayReasonId } : {}) }),
};
