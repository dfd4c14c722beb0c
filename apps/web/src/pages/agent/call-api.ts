// The voice service's call control for the desktop (docs/voice.md): state and actions on the agent's live call,
// and the directory of transfer and consultation targets (docs/desktop.md).
import { http } from '../../api/client.ts';

export interface CallState {
  interactionId: string;
  agent: { userId: string; extension: string } | null;
  onHold: boolean;
  muted: boolean;
  recording: boolean;
  consulting: boolean;
  colleagues: string[];
}

export type CallAction = 'hold' | 'unhold' | 'mute' | 'unmute' | 'hangup' | 'recording/pause' | 'recording/resume';

export type TransferTarget =
  | { kind: 'agent'; userId: string }
  | { kind: 'queue'; queueId: string }
  | { kind: 'number'; number: string };

export interface Directory {
  people: { userId: string; name: string; departments: string; state: string; extension: string | null }[];
  queues: { id: string; name: string; department: string }[];
}

const call = (id: string) => `/api/v1/interactions/${encodeURIComponent(id)}/voice`;

export const callApi = {
  state: (id: string) => http.get<CallState>(call(id)),
  act: (id: string, action: CallAction) => http.post<CallState>(`${call(id)}/${action}`),
  dtmf: (id: string, digits: string) => http.post<CallState>(`${call(id)}/dtmf`, { digits }),
  transfer: (id: string, target: TransferTarget) => http.post<CallState>(`${call(id)}/transfer`, { target }),
  consult: (id: string, target: Exclude<TransferTarget, { kind: 'queue' }>) => http.post<CallState>(`${call(id)}/consult`, { target }),
  finishConsult: (id: string, how: 'complete' | 'cancel') => http.post<CallState>(`${call(id)}/consult/${how}`),
  directory: () => http.get<Directory>('/api/v1/desktop/directory'),
};
