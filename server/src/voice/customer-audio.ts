// What a flow does with the customer's ear and voice: prompts (with barge-in), DTMF collection with timeouts and a
// terminator, and audio capture for speech recognition (20 ms PCM frames from a media-engine tap, an energy
// detector for end of speech). Timeouts of collection run on the wall clock; capture durations count frames, so
// they follow the call's own timeline even on a loaded machine.
import { resampleTo8k, type MediaEngine, type PlaySource } from '@kefu/media';
import type {
  AudioCapture, AudioSource, CaptureAudioOptions, CaptureAudioResult, CollectDigitsOptions, CollectDigitsResult, DtmfDigit, PlayOptions, PlayResult,
} from './call-control.ts';
import type { MediaEvents } from './media-events.ts';

const FRAME = 160; // 20 ms at 8 kHz
/** RMS above which a 20 ms frame counts as speech (≈ −36 dBFS; line noise sits well below, speech well above). */
const SPEECH_RMS = 520;

export function toPlaySource(source: AudioSource, loop: boolean | number | undefined): PlaySource {
  if ('file' in source) return { file: source.file, ...(loop !== undefined ? { loop } : {}) };
  if ('tone' in source) return { tone: source.tone };
  const pcm = source.sampleRate === 8000 ? source.pcm : resampleTo8k(source.pcm, source.sampleRate);
  return { pcm, ...(loop !== undefined ? { loop } : {}) };
}

/** Linear interpolation 8 kHz → 16 kHz (recognizers that want 16 kHz get the band a phone call has). */
function upsample2(pcm: Int16Array, last: number): Int16Array {
  const out = new Int16Array(pcm.length * 2);
  let prev = last;
  for (let i = 0; i < pcm.length; i++) {
    out[2 * i] = (prev + pcm[i]!) >> 1;
    out[2 * i + 1] = pcm[i]!;
    prev = pcm[i]!;
  }
  return out;
}

function rms(frame: Int16Array): number {
  let sum = 0;
  for (const v of frame) sum += v * v;
  return Math.sqrt(sum / frame.length);
}

/** Resolves on abort of any of the signals (and returns an unsubscribe). */
function onAnyAbort(signals: (AbortSignal | undefined)[], fn: () => void): () => void {
  const live = signals.filter((s): s is AbortSignal => !!s);
  if (live.some((s) => s.aborted)) {
    queueMicrotask(fn);
    return () => {};
  }
  for (const s of live) s.addEventListener('abort', fn, { once: true });
  return () => live.forEach((s) => s.removeEventListener('abort', fn));
}

export class CustomerAudio {
  constructor(
    private readonly media: MediaEngine,
    private readonly events: MediaEvents,
    private readonly endpointId: string,
    /** Aborted when the call ends. */
    private readonly call: AbortSignal,
  ) {}

  async play(source: AudioSource, o: PlayOptions = {}): Promise<PlayResult> {
    if (this.call.aborted) return { reason: 'hangup' };
    if (o.signal?.aborted) return { reason: 'stopped' };
    const { playbackId } = await this.media.request('play', this.endpointId, toPlaySource(source, o.loop), { bargeIn: o.bargeIn ?? false });
    const ended = this.events.playbackEnded(playbackId);
    const off = onAnyAbort([o.signal, this.call], () => void this.media.request('stopPlayback', playbackId).catch(() => {}));
    const reason = await ended;
    off();
    if (this.call.aborted || reason === 'closed') return { reason: 'hangup' };
    if (reason === 'dtmf') {
      const digit = this.events.lastDigitOf(this.endpointId) as DtmfDigit | undefined;
      return { reason: 'digit', ...(digit ? { digit } : {}) };
    }
    return { reason };
  }

  async collectDigits(o: CollectDigitsOptions): Promise<CollectDigitsResult> {
    const min = o.min ?? 1;
    const max = Math.max(o.max, min, 1);
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    // Subscribed before the prompt: the digit that barges in is the first digit collected.
    const offDigit = this.events.onDigit(this.endpointId, (d) => {
      queue.push(d);
      wake?.();
    });
    const offAbort = onAnyAbort([o.signal, this.call], () => wake?.());
    const stopped = (): CollectDigitsResult['reason'] | undefined => (this.call.aborted ? 'hangup' : o.signal?.aborted ? 'stopped' : undefined);
    let digits = '';
    try {
      if (o.prompt) {
        const r = await this.play(o.prompt, { bargeIn: true, ...(o.signal ? { signal: o.signal } : {}) });
        if (r.reason === 'hangup' || r.reason === 'stopped') return { digits, reason: r.reason };
      }
      for (;;) {
        const end = stopped();
        if (end) return { digits, reason: end };
        const next = queue.shift();
        if (next !== undefined) {
          if (o.terminator && next === o.terminator) return { digits, reason: 'terminator' };
          digits += next;
          if (digits.length >= max) return { digits, reason: 'max' };
          continue;
        }
        const timeout = digits.length ? (o.interDigitTimeoutMs ?? 3000) : (o.firstDigitTimeoutMs ?? 5000);
        const timedOut = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(true), timeout);
          wake = () => {
            clearTimeout(t);
            resolve(false);
          };
        });
        wake = undefined;
        if (timedOut) return { digits, reason: 'timeout' };
      }
    } finally {
      offDigit();
      offAbort();
    }
  }

  captureAudio(o: CaptureAudioOptions): AudioCapture {
    return new Capture(this.media, this.events, this.endpointId, this.call, o);
  }
}

/** One capture: a tap on the customer's leg turned into an async iterator of 20 ms frames. */
class Capture implements AudioCapture {
  readonly sampleRate: 8000 | 16000;
  readonly done: Promise<CaptureAudioResult>;
  private resolveDone!: (r: CaptureAudioResult) => void;
  private readonly frames: Int16Array[] = [];
  private wake: (() => void) | undefined;
  private finished = false;
  private tapId: string | undefined;
  private offs: (() => void)[] = [];
  private count = 0;
  private speechHeard = false;
  private silentRun = 0;
  private last = 0;

  constructor(
    private readonly media: MediaEngine,
    events: MediaEvents,
    endpointId: string,
    call: AbortSignal,
    private readonly o: CaptureAudioOptions,
  ) {
    this.sampleRate = o.sampleRate;
    this.done = new Promise((r) => (this.resolveDone = r));
    this.offs.push(onAnyAbort([o.signal], () => this.finish('stopped')));
    this.offs.push(onAnyAbort([call], () => this.finish('hangup')));
    if (o.endOnDigit) this.offs.push(events.onDigit(endpointId, (d) => this.finish('digit', d as DtmfDigit)));
    void media.request('tapAudio', endpointId, { framesPerChunk: 5 }).then(
      ({ tapId }) => {
        this.tapId = tapId;
        if (this.finished) return void media.request('stopTap', tapId).catch(() => {});
        this.offs.push(events.onAudio(tapId, (pcm) => this.onChunk(pcm)));
      },
      () => this.finish('hangup'),
    );
  }

  private onChunk(pcm: Int16Array): void {
    for (let at = 0; at + FRAME <= pcm.length && !this.finished; at += FRAME) {
      const frame = pcm.slice(at, at + FRAME);
      this.count++;
      if (rms(frame) >= SPEECH_RMS) {
        this.speechHeard = true;
        this.silentRun = 0;
      } else this.silentRun++;
      this.frames.push(this.sampleRate === 16000 ? upsample2(frame, this.last) : frame);
      this.last = frame[FRAME - 1]!;
      this.wake?.();
      const ms = this.count * 20;
      if (ms >= this.o.maxDurationMs) this.finish('max_duration');
      else if (this.speechHeard && this.o.endOnSilenceMs && this.silentRun * 20 >= this.o.endOnSilenceMs) this.finish('silence');
      else if (!this.speechHeard && ms >= (this.o.noSpeechTimeoutMs ?? this.o.maxDurationMs)) this.finish('no_speech');
    }
  }

  private finish(reason: CaptureAudioResult['reason'], digit?: DtmfDigit): void {
    if (this.finished) return;
    this.finished = true;
    for (const off of this.offs) off();
    if (this.tapId) void this.media.request('stopTap', this.tapId).catch(() => {});
    this.resolveDone({ reason, durationMs: this.count * 20, ...(digit ? { digit } : {}) });
    this.wake?.();
  }

  stop(): void {
    this.finish('stopped');
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Int16Array> {
    for (;;) {
      const f = this.frames.shift();
      if (f) {
        yield f;
        continue;
      }
      if (this.finished) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}
