import type { MediaErrorCode } from '../errors.ts';
import type { MediaCore } from './media-core.ts';
import type { MediaEvent } from './media-events.ts';

/** MediaCore methods callable across the thread boundary. */
export const CORE_METHODS = [
  'createRtpEndpoint', 'createOffer', 'answer', 'acceptAnswer', 'configureRtp',
  'createWebRtcEndpoint', 'webrtcOffer', 'webrtcAnswer', 'webrtcAcceptAnswer',
  'play', 'pushPcm', 'stopPlayback',
  'record', 'pauseRecording', 'resumeRecording', 'stopRecording',
  'bridge', 'unbridge', 'muteBridge', 'tapAudio', 'stopTap',
  'createConference', 'joinConference', 'setParticipantMode', 'leaveConference', 'closeConference',
  'sendDtmf', 'setInbandDtmf', 'stats', 'listEndpoints', 'closeEndpoint', 'close', 'health',
] as const satisfies readonly (keyof MediaCore)[];

export type CoreMethod = (typeof CORE_METHODS)[number];

export interface WorkerRequest {
  id: number;
  method: CoreMethod;
  args: unknown[];
}

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: MediaErrorCode; message: string; retryable: boolean } }
  | { event: MediaEvent };
