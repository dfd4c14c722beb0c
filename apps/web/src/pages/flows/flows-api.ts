// The flows endpoints the editor uses (docs/flows.md).
import type { FlowGraph, FlowOutput, FlowProblem } from '@kefu/contracts';
import { ApiError, http } from '../../api/client.ts';

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

export interface FlowPrompt { id: string; name: string; sourceFormat: string; sourceBytes: number; durationMs: number; createdAt: string }
export interface HttpAllowList { entries: string[]; updatedAt: string | null }

/** Uploads an audio file as the raw request body (the server reads its type from the bytes, not the name). */
async function uploadPrompt(file: File, name: string, csrfToken: string): Promise<FlowPrompt> {
  const response = await fetch(`/api/v1/flow-prompts?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrfToken, accept: 'application/json' },
    credentials: 'same-origin',
    body: file,
  });
  const data = (await response.json().catch(() => undefined)) as (FlowPrompt & { error?: { message?: string; code?: string; field?: string; requestId?: string } }) | undefined;
  if (!response.ok) throw new ApiError(response.status, data?.error?.code ?? `HTTP_${response.status}`, data?.error?.message ?? response.statusText, data?.error?.field, data?.error?.requestId, undefined);
  return data!;
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
  prompts: () => http.get<FlowPrompt[]>('/api/v1/flow-prompts'),
  uploadPrompt,
  renamePrompt: (id: string, name: string) => http.patch<FlowPrompt>(`/api/v1/flow-prompts/${id}`, { name }),
  deletePrompt: (id: string) => http.delete<void>(`/api/v1/flow-prompts/${id}`),
  allowList: () => http.get<HttpAllowList>('/api/v1/flow-settings/http-allowlist'),
  saveAllowList: (entries: string[]) => http.put<HttpAllowList>('/api/v1/flow-settings/http-allowlist', { entries }),
};

/** A library prompt as 16 kHz WAV, for the browser's audio element. */
export const promptAudioUrl = (id: string) => `/api/v1/flow-prompts/${id}/audio?rate=16000`;
/** A prompt's name from its file name: without the extension. */
export const promptNameOf = (fileName: string) => fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '').trim().slice(0, 200) || 'prompt';

export const ttsPreviewUrl = (text: string, language = 'auto') => `/api/v1/flows/tts-preview?text=${encodeURIComponent(text)}&language=${language}&rate=16000`;
