import { FRAME_SAMPLES } from '../audio/jitter-buffer.ts';
import type { MediaEndpoint } from '../endpoint/media-endpoint.ts';

const SILENCE = new Int16Array(FRAME_SAMPLES);

/**
 * Hands what one leg sends (decoded, 8 kHz) to the engine's owner, e.g. for speech recognition: one 20 ms frame
 * per tick, delivered in chunks of `framesPerChunk` so that a worker thread posts a few messages a second
 * rather than fifty. A leg that sends nothing yields silence, so the chunks keep the call's timeline.
 */
export class AudioTap {
  private readonly release: () => void;
  private buffer: Int16Array;
  private filled = 0;
  private closed = false;

  constructor(
    readonly id: string,
    readonly endpoint: MediaEndpoint,
    private readonly framesPerChunk: number,
    private readonly deliver: (pcm: Int16Array) => void,
  ) {
    this.release = endpoint.enableDecoding();
    this.buffer = new Int16Array(FRAME_SAMPLES * framesPerChunk);
  }

  tick(): void {
    if (this.closed) return;
    this.buffer.set(this.endpoint.currentFrame ?? SILENCE, this.filled * FRAME_SAMPLES);
    if (++this.filled === this.framesPerChunk) this.flush();
  }

  private flush(): void {
    if (!this.filled) return;
    const chunk = this.filled === this.framesPerChunk ? this.buffer : this.buffer.slice(0, this.filled * FRAME_SAMPLES);
    this.buffer = new Int16Array(FRAME_SAMPLES * this.framesPerChunk);
    this.filled = 0;
    this.deliver(chunk);
  }

  /** Delivers what is buffered and stops reading the leg. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.release();
  }
}
