import type { PlaybackEndReason } from '../mixing/player.ts';
import type { RecordingResult } from '../mixing/recorder.ts';

/** Events the engine reports to its owner (the voice service), all keyed by ids. */
export type MediaEvent =
  | { type: 'dtmf'; endpointId: string; digit: string; source: 'rfc4733' | 'inband'; durationMs: number }
  | { type: 'playback.ended'; playbackId: string; endpointId: string; reason: PlaybackEndReason }
  | { type: 'recording.stopped'; recordingId: string; result: RecordingResult }
  | { type: 'media.timeout'; endpointId: string; silentMs: number }
  | { type: 'endpoint.closed'; endpointId: string }
  | { type: 'audio'; tapId: string; endpointId: string; pcm: Int16Array };
