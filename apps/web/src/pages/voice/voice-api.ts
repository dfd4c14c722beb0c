// The voice endpoints the telephony page uses (docs/voice.md).
import { http } from '../../api/client.ts';

export interface Extension { id: string; divisionId: string; extension: string; userId: string | null; password: string; enabled: boolean }
export interface VoiceNumber { id: string; divisionId: string; number: string; name: string }
export interface Trunk { id: string; name: string; kind: 'inbound_ip' | 'register'; inboundAddresses: string[]; host: string; port: number; enabled: boolean }
export interface Registration { extension: string; contact: string; expiresAt: string; transport: string | null; address: string | null }
export interface Call {
  id: string; direction: string; state: 'live' | 'ended'; from: string; to: string; agentId: string | null; arrivedAt: string;
  answeredAt: string | null; endedAt: string | null; talkMs: number | null; hangupBy: string | null; endReason: string | null;
  quality: { mos: number | null };
}
export interface Recording { id: string; state: string; channels: number; durationMs: number | null }

export const voiceApi = {
  settings: () => http.get<{ sipDomain: string | null; sipPort: number | null }>('/api/v1/voice/settings'),
  extensions: () => http.get<Extension[]>('/api/v1/voice/extensions'),
  numbers: () => http.get<VoiceNumber[]>('/api/v1/voice/numbers'),
  trunks: () => http.get<Trunk[]>('/api/v1/voice/trunks'),
  registrations: () => http.get<Registration[]>('/api/v1/voice/registrations'),
  calls: () => http.get<{ items: Call[] }>('/api/v1/interactions', { channel: 'voice', limit: 50 }),
  recordings: (interactionId: string) => http.get<Recording[]>(`/api/v1/interactions/${interactionId}/recordings`),
  audioUrl: (recordingId: string) => `/api/v1/recordings/${recordingId}/audio`,
};
