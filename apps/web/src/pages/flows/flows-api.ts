// The flows endpoints the editor uses (docs/flows.md).
import type { FlowGraph, FlowOutput, FlowProblem } from '@kefu/contracts';
import { http } from '../../api/client.ts';

export interface FlowSummary {
  id: string;
  divisionId: string;
  name: string;
  channel: 'voice' | 'chat';
  publishedVersion: number | null;
}
export interface FlowVersion { id: string; version: number; comment: string; restoredFrom: number | null; publishedAt: string }
export interface FlowDetail extends FlowSummary { draft: FlowGraph; versions: FlowVersion[] }
export interface SavedFlow extends FlowSummary { draft: FlowGraph; problems: FlowProblem[] }
export interface GraphDiff { added: string[]; removed: string[]; changed: { nodeId: string; fields: string[] }[] }
export interface SimulationTurn {
  id: string;
  status: 'waiting' | 'ended';
  outputs: FlowOutput[];
  waiting: { kind: 'digits' | 'speech' | 'text'; buttons?: { id: string; label: string }[] | null } | null;
  outcome: { kind: string; queueId?: string } | null;
}

export const flowsApi = {
  list: () => http.get<FlowSummary[]>('/api/v1/flows'),
  get: (id: string) => http.get<FlowDetail>(`/api/v1/flows/${id}`),
  create: (input: { divisionId: string; name: string; channel: 'voice' | 'chat' }) => http.post<SavedFlow>('/api/v1/flows', input),
  save: (id: string, graph: FlowGraph) => http.patch<SavedFlow>(`/api/v1/flows/${id}`, { graph }),
  publish: (id: string) => http.post<FlowVersion>(`/api/v1/flows/${id}/publish`, {}),
  rollback: (id: string, version: number) => http.post<FlowVersion>(`/api/v1/flows/${id}/rollback`, { version }),
  diff: (id: string, from: number) => http.get<GraphDiff>(`/api/v1/flows/${id}/diff`, { from, to: 'draft' }),
  simulate: (id: string) => http.post<SimulationTurn>(`/api/v1/flows/${id}/simulations`, { version: 'draft' }),
  input: (session: string, body: { text?: string; timeout?: boolean }) => http.post<SimulationTurn>(`/api/v1/flow-simulations/${session}/input`, body),
  pathStats: (id: string) => http.get<{ nodeId: string; entered: number; dropped: number; exits: Record<string, number> }[]>(`/api/v1/flows/${id}/path-stats`),
  queues: () => http.get<{ id: string; name: string; divisionId: string }[]>('/api/v1/routing/queues'),
};

export const ttsPreviewUrl = (text: string, language = 'auto') => `/api/v1/flows/tts-preview?text=${encodeURIComponent(text)}&language=${language}&rate=16000`;
