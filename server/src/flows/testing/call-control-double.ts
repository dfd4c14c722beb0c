// A CallControl for tests of nodes and flows: it answers collectDigits from a script of key presses (an empty
// entry is silence until the timeout), hands captureAudio the PCM a test queued (speech), and records what was
// played and how the call ended. No SIP and no media: the flow's side of the port only.
import type {
  AudioCapture, AudioSource, CallControl, CallEnd, CaptureAudioOptions, CaptureAudioResult, CollectDigitsOptions,
  CollectDigitsResult, Consultation, PlayOptions, PlayResult, RecordingControl, TransferTarget,
} from '../../voice/call-control.ts';

export interface Played {
  source: AudioSource;
  /** Samples at 8 kHz of PCM sources (0 for files and tones). */
  samples: number;
  during: 'play' | 'collect';
}

export class TestCallControl implements CallControl {
  readonly interactionId: string;
  readonly tenantId: string;
  readonly divisionId: string;
  readonly from = '13800138000';
  readonly to = '4000';
  readonly direction = 'inbound' as const;
  readonly agent = undefined;
  private readonly abort = new AbortController();
  readonly signal = this.abort.signal;
  readonly ended: Promise<CallEnd>;
  private endCall!: (end: CallEnd) => void;
  readonly played: Played[] = [];
  readonly collects: CollectDigitsOptions[] = [];
  hungUp = false;

  /** Each collectDigits takes the next entry: '2', '1234#' or '' (nothing pressed: timeout). */
  constructor(ids: { tenantId: string; divisionId: string; interactionId?: string }, private readonly keys: string[] = [], private readonly speech: Int16Array[] = []) {
    this.tenantId = ids.tenantId;
    this.divisionId = ids.divisionId;
    this.interactionId = ids.interactionId ?? '00000000-0000-4000-8000-000000000001';
    this.ended = new Promise((r) => (this.endCall = r));
  }

  private record(source: AudioSource, during: Played['during']): void {
    this.played.push({ source, during, samples: 'pcm' in source ? Math.round((source.pcm.length * 8000) / source.sampleRate) : 0 });
  }

  /** The caller hangs up now. */
  callerHangsUp(): void {
    this.abort.abort();
    this.endCall({ hangupBy: 'customer', sipCause: 200, endReason: 'normal' });
  }

  async answer(): Promise<void> {}

  async play(source: AudioSource, _options?: PlayOptions): Promise<PlayResult> {
    if (this.signal.aborted) return { reason: 'hangup' };
    this.record(source, 'play');
    return { reason: 'finished' };
  }

  async collectDigits(o: CollectDigitsOptions): Promise<CollectDigitsResult> {
    if (this.signal.aborted) return { digits: '', reason: 'hangup' };
    this.collects.push(o);
    if (o.prompt) this.record(o.prompt, 'collect');
    const next = this.keys.shift();
    if (next === undefined) {
      // The script ran out: the caller hangs up while the menu waits.
      this.callerHangsUp();
      return { digits: '', reason: 'hangup' };
    }
    if (!next) return { digits: '', reason: 'timeout' };
    if (o.terminator && next.endsWith(o.terminator)) return { digits: next.slice(0, -1), reason: 'terminator' };
    return { digits: next.slice(0, o.max), reason: next.length >= o.max ? 'max' : 'timeout' };
  }

  captureAudio(o: CaptureAudioOptions): AudioCapture {
    const pcm = this.speech.shift() ?? new Int16Array(0);
    const frame = o.sampleRate / 50;
    const result: CaptureAudioResult = { reason: pcm.length ? 'silence' : 'no_speech', durationMs: (pcm.length / o.sampleRate) * 1000 };
    return {
      sampleRate: o.sampleRate,
      done: Promise.resolve(result),
      stop() {},
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < pcm.length; i += frame) yield pcm.subarray(i, i + frame);
      },
    };
  }

  async startRecording(): Promise<RecordingControl> {
    return { recordingId: '00000000-0000-4000-8000-000000000002' };
  }
  async stopRecording(): Promise<void> {}
  async pauseRecording(): Promise<void> {}
  async resumeRecording(): Promise<void> {}
  async hold(): Promise<void> {}
  async unhold(): Promise<void> {}
  async mute(): Promise<void> {}
  async sendDtmf(): Promise<void> {}
  async blindTransfer(_target: TransferTarget): Promise<void> {}
  async consultTransfer(): Promise<Consultation> {
    throw new Error('not used by flows');
  }
  async hangup(): Promise<void> {
    this.hungUp = true;
    this.callerHangsUp();
  }
}
