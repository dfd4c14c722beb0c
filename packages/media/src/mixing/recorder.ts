import { FRAME_SAMPLES } from '../audio/jitter-buffer.ts';
import { clamp16 } from '../audio/resample.ts';
import { WavFileWriter } from '../audio/wav.ts';
import type { MediaEndpoint } from '../endpoint/media-endpoint.ts';

export interface RecorderOptions {
  path: string;
  /** Customer side: left channel in stereo. */
  left: MediaEndpoint;
  /** Agent side: right channel in stereo. */
  right?: MediaEndpoint;
  /** 'stereo' (default) or 'mono' (a mix of both sides). */
  channels?: 'stereo' | 'mono';
}

export interface RecordingResult {
  path: string;
  durationMs: number;
  pausedMs: number;
}

const SILENCE = new Int16Array(FRAME_SAMPLES);

/**
 * Records what each leg sends, one 20 ms frame per tick, to a 16-bit 8 kHz WAV. Pausing (PCI DSS
 * card capture) writes silence instead of audio, so the file's timeline stays aligned with the call.
 */
export class Recorder {
  private readonly writer: WavFileWriter;
  private readonly release: (() => void)[];
  private paused = false;
  private frames = 0;
  private pausedFrames = 0;
  private stopped: Promise<RecordingResult> | undefined;
  private readonly stereo: boolean;

  constructor(readonly id: string, private readonly o: RecorderOptions) {
    this.stereo = (o.channels ?? 'stereo') === 'stereo';
    this.writer = new WavFileWriter(o.path, this.stereo ? 2 : 1);
    this.release = [o.left.enableDecoding(), ...(o.right ? [o.right.enableDecoding()] : [])];
  }

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  get isPaused(): boolean {
    return this.paused;
  }

  tick(): void {
    if (this.stopped) return;
    const l = this.paused ? SILENCE : (this.o.left.currentFrame ?? SILENCE);
    const r = this.paused ? SILENCE : (this.o.right?.currentFrame ?? SILENCE);
    if (this.paused) this.pausedFrames++;
    this.frames++;
    if (this.stereo) {
      const out = new Int16Array(FRAME_SAMPLES * 2);
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        out[2 * i] = l[i]!;
        out[2 * i + 1] = r[i]!;
      }
      this.writer.write(out);
    } else {
      const out = new Int16Array(FRAME_SAMPLES);
      for (let i = 0; i < FRAME_SAMPLES; i++) out[i] = clamp16(l[i]! + r[i]!);
      this.writer.write(out);
    }
  }

  stop(): Promise<RecordingResult> {
    this.stopped ??= (async () => {
      for (const r of this.release) r();
      await this.writer.close();
      return { path: this.o.path, durationMs: this.frames * 20, pausedMs: this.pausedFrames * 20 };
    })();
    return this.stopped;
  }
}
