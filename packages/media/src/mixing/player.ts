import { FRAME_SAMPLES } from '../audio/jitter-buffer.ts';
import { ToneGenerator, type ToneSpec } from '../audio/tones.ts';
import type { MediaEndpoint } from '../endpoint/media-endpoint.ts';
import type { DetectedDigit } from '../dtmf/rfc4733.ts';

export type PlaybackEndReason = 'finished' | 'stopped' | 'dtmf' | 'closed';

/** Where a player's samples come from (8 kHz linear). */
export interface SampleSource {
  /** Fills `out`; returns false when the source is exhausted (the rest of `out` is zero). */
  read(out: Int16Array): boolean;
}

export class BufferSource implements SampleSource {
  private pos = 0;
  private pass = 0;
  /** `loop`: true for endless (music on hold), or a number of plays. */
  constructor(private readonly samples: Int16Array, private readonly loop: boolean | number = false) {}
  read(out: Int16Array): boolean {
    const plays = this.loop === true ? Infinity : typeof this.loop === 'number' ? Math.max(1, this.loop) : 1;
    let i = 0;
    while (i < out.length) {
      if (this.pos >= this.samples.length) {
        this.pass++;
        if (this.pass >= plays || this.samples.length === 0) {
          out.fill(0, i);
          return i > 0;
        }
        this.pos = 0;
      }
      const n = Math.min(out.length - i, this.samples.length - this.pos);
      out.set(this.samples.subarray(this.pos, this.pos + n), i);
      i += n;
      this.pos += n;
    }
    return true;
  }
}

export class ToneSource implements SampleSource {
  private readonly gen: ToneGenerator;
  private left: number;
  constructor(spec: ToneSpec, durationMs?: number) {
    this.gen = new ToneGenerator(spec);
    this.left = durationMs === undefined ? Infinity : durationMs * 8;
  }
  read(out: Int16Array): boolean {
    if (this.left <= 0) return false;
    this.gen.fill(out);
    this.left -= out.length;
    return true;
  }
}

/** PCM pushed by the application (e.g. streaming TTS); ends after `end()` once drained. */
export class StreamSource implements SampleSource {
  private chunks: Int16Array[] = [];
  private ended = false;
  push(samples: Int16Array): void {
    this.chunks.push(samples);
  }
  end(): void {
    this.ended = true;
  }
  read(out: Int16Array): boolean {
    let i = 0;
    while (i < out.length && this.chunks.length) {
      const c = this.chunks[0]!;
      const n = Math.min(c.length, out.length - i);
      out.set(c.subarray(0, n), i);
      i += n;
      if (n === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(n);
    }
    out.fill(0, i);
    return i > 0 || !this.ended;
  }
}

/**
 * Plays a source into an endpoint one 20 ms frame per tick. While playing it owns the endpoint's
 * output (bridged audio toward that leg pauses). With `bargeIn`, a DTMF digit stops it.
 */
export class Player {
  private done = false;
  private readonly frame = new Int16Array(FRAME_SAMPLES);
  private readonly owner: string;
  private readonly onDtmf = (_d: DetectedDigit) => this.stop('dtmf');

  constructor(
    readonly id: string,
    readonly endpoint: MediaEndpoint,
    private readonly source: SampleSource,
    private readonly onEnd: (reason: PlaybackEndReason) => void,
    bargeIn = false,
  ) {
    this.owner = `player:${id}`;
    endpoint.setOutputOwner(this.owner);
    if (bargeIn) endpoint.on('dtmf', this.onDtmf);
  }

  get finished(): boolean {
    return this.done;
  }

  tick(): void {
    if (this.done) return;
    if (!this.source.read(this.frame)) {
      this.stop('finished');
      return;
    }
    this.endpoint.writeFrame(this.frame, this.owner);
  }

  stop(reason: PlaybackEndReason = 'stopped'): void {
    if (this.done) return;
    this.done = true;
    this.endpoint.off('dtmf', this.onDtmf);
    this.endpoint.setOutputOwner(undefined);
    this.onEnd(reason);
  }
}
