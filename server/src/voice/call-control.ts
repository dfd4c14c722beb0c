// The CallControl port: what flows (server/src/flows), routing and the agent desktop may do with one live call.
// A call session implements it; callers never see SIP dialogs or media ids. Every operation acts on the customer
// leg unless it says otherwise (hold, mute and transfers act on the agent's side of the call). Operations on a
// call that has ended reject with CallEndedError; an AbortSignal passed in `signal` stops that one operation.

/** DTMF digits as RFC 4733 names them. */
export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** What to play to the customer. PCM is signed 16-bit mono; anything not at 8 kHz is resampled. */
export type AudioSource =
  | { file: string } // a WAV file (PCM 8/16-bit or G.711, any rate, mono or stereo: mixed down and resampled)
  | { pcm: Int16Array; sampleRate: 8000 | 16000 | 24000 | 48000 }
  | { tone: 'ringback' | 'busy' | 'congestion' | 'dial' };

export interface PlayOptions {
  /** Repeat the source: `true` until stopped, or a number of times. */
  loop?: boolean | number;
  /** Stop at the first DTMF digit of the customer; `play` then resolves with that digit. Default false. */
  bargeIn?: boolean;
  signal?: AbortSignal;
}

export interface PlayResult {
  /** `finished`: played to its end; `digit`: barged in; `stopped`: the signal aborted it; `hangup`: the call ended. */
  reason: 'finished' | 'digit' | 'stopped' | 'hangup';
  /** The digit that interrupted the prompt (reason `digit`). */
  digit?: DtmfDigit;
}

export interface CollectDigitsOptions {
  /** Fewest digits that make a valid answer (default 1). */
  min?: number;
  /** Collection ends at this many digits. */
  max: number;
  /** Time allowed for the first digit, counted after the prompt ends (default 5000 ms). */
  firstDigitTimeoutMs?: number;
  /** Time allowed between digits (default 3000 ms). */
  interDigitTimeoutMs?: number;
  /** A digit that ends the input and is not part of it (e.g. '#'); none by default. */
  terminator?: DtmfDigit;
  /** Played first with barge-in: a digit pressed during the prompt is the first collected digit. */
  prompt?: AudioSource;
  signal?: AbortSignal;
}

export interface CollectDigitsResult {
  digits: string;
  /** `max`/`terminator`: complete; `timeout`: time ran out (check digits.length against min); `stopped`; `hangup`. */
  reason: 'max' | 'terminator' | 'timeout' | 'stopped' | 'hangup';
}

export interface CaptureAudioOptions {
  /** Sample rate of the delivered PCM (the call is 8 kHz; 16 kHz is upsampled for recognizers that want it). */
  sampleRate: 8000 | 16000;
  /** Capture ends after this long whatever is said (required: a recognizer never listens forever). */
  maxDurationMs: number;
  /** End after this much silence once speech was heard (energy detector); off when omitted. */
  endOnSilenceMs?: number;
  /** End when nobody spoke at all within this long (default: maxDurationMs). */
  noSpeechTimeoutMs?: number;
  /** End at the first DTMF digit (reported in the result). Default false. */
  endOnDigit?: boolean;
  signal?: AbortSignal;
}

export interface CaptureAudioResult {
  reason: 'max_duration' | 'silence' | 'no_speech' | 'digit' | 'stopped' | 'hangup';
  durationMs: number;
  digit?: DtmfDigit;
}

/** The customer's audio as it arrives: 20 ms frames (160 samples at 8 kHz, 320 at 16 kHz). */
export interface AudioCapture extends AsyncIterable<Int16Array> {
  readonly sampleRate: 8000 | 16000;
  /** Settles when the capture ends (the iterator then finishes). */
  readonly done: Promise<CaptureAudioResult>;
  stop(): void;
}

/** Where a blind transfer sends the customer. */
export type TransferTarget =
  | { kind: 'agent'; userId: string } // rings the agent's device (SIP phone or browser)
  | { kind: 'extension'; extension: string }
  | { kind: 'queue'; queueId: string; priority?: number; skills?: SkillRequirement[] }
  | { kind: 'number'; number: string } // an outside number, through the division's outbound rules and trunk
  | { kind: 'flow'; flowId: string };

export interface SkillRequirement {
  skill: string;
  minLevel: number;
  weight?: number;
}

export interface RecordingControl {
  /** The voice_recordings id (listed on the interaction). */
  readonly recordingId: string;
}

export interface CallEnd {
  hangupBy: 'customer' | 'agent' | 'system';
  sipCause: number;
  endReason: string;
}

/** A consultation in progress: the customer waits on hold while the agent talks to the target. */
export interface Consultation {
  readonly target: TransferTarget;
  /** Connects the customer to the target and drops the agent (attended transfer). */
  complete(): Promise<void>;
  /** Hangs up the target and returns the agent to the customer (still on hold until `unhold`). */
  cancel(): Promise<void>;
  /** Settles when the consultation leg ends, however it ends. */
  readonly ended: Promise<void>;
}

export interface CallControl {
  readonly interactionId: string;
  readonly tenantId: string;
  readonly divisionId: string;
  /** The customer's number (From user part) and the number they dialled (or, outbound, the number called). */
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound' | 'internal' | 'outbound';
  /** The agent currently connected, if any. */
  readonly agent: { userId: string; extension: string | null } | undefined;
  /** Aborted when the call ends (any side); every pending operation settles with reason `hangup`. */
  readonly signal: AbortSignal;
  /** Settles once the call has ended and its CDR is written. */
  readonly ended: Promise<CallEnd>;

  /** Answers the customer's leg (200 OK). Idempotent: inbound calls are answered before a flow runs. */
  answer(): Promise<void>;
  play(source: AudioSource, options?: PlayOptions): Promise<PlayResult>;
  collectDigits(options: CollectDigitsOptions): Promise<CollectDigitsResult>;
  captureAudio(options: CaptureAudioOptions): AudioCapture;

  /** Starts recording (stereo: customer left, agent right); a second call while recording returns the same one. */
  startRecording(): Promise<RecordingControl>;
  stopRecording(): Promise<void>;
  /** PCI pause: the file gets silence for the paused time, so its timeline stays aligned with the call. */
  pauseRecording(): Promise<void>;
  resumeRecording(): Promise<void>;

  /** The customer hears music (the built-in arpeggio or `music`) and the agent hears nothing from them. */
  hold(options?: { music?: AudioSource }): Promise<void>;
  unhold(): Promise<void>;
  /** Mutes the agent toward the customer (the agent still hears the customer). */
  mute(on: boolean): Promise<void>;
  /** Sends DTMF to the customer's side (RFC 4733 telephone-events). */
  sendDtmf(digits: string): Promise<void>;

  /** The customer goes to the target; the current agent (if any) leaves the call. */
  blindTransfer(target: TransferTarget): Promise<void>;
  /** Puts the customer on hold and rings the target for the agent to talk to. */
  consultTransfer(target: Exclude<TransferTarget, { kind: 'queue' } | { kind: 'flow' }>): Promise<Consultation>;

  /** Ends the call for everyone (BYE to every leg); resolves when the CDR is written. `by` defaults to system. */
  hangup(cause?: { sipCause?: number; endReason?: string; by?: 'agent' | 'system' }): Promise<void>;
}

/** Raised by an operation on a call that has already ended. */
export class CallEndedError extends Error {
  readonly code = 'CALL_ENDED';
  constructor(message = 'the call has ended') {
    super(message);
  }
}
