export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz

export interface JitterBufferStats {
  late: number;
  concealed: number;
  dropped: number;
  underruns: number;
  targetFrames: number;
  depthFrames: number;
}

/**
 * Adaptive playout buffer for 20 ms linear frames keyed by RTP timestamp. The target depth follows
 * the measured jitter (about 3× jitter plus one frame, 1..10 frames); a missing frame is concealed by
 * repeating the last one at decreasing level, then silence; a buffer running deep drops a frame.
 */
export class JitterBuffer {
  private frames = new Map<number, Int16Array>();
  private playTs: number | undefined;
  private last: Int16Array | undefined;
  private lossRun = 0;
  private deepTicks = 0;
  private target = 2;
  readonly stats: JitterBufferStats = { late: 0, concealed: 0, dropped: 0, underruns: 0, targetFrames: 2, depthFrames: 0 };

  constructor(private readonly maxFrames = 10) {}

  /** Sets the target from the current interarrival jitter (ms). */
  adapt(jitterMs: number): void {
    this.target = Math.max(1, Math.min(this.maxFrames, Math.ceil((3 * jitterMs) / 20) + 1));
    this.stats.targetFrames = this.target;
  }

  push(timestamp: number, pcm: Int16Array): void {
    const ts = timestamp >>> 0;
    if (this.playTs !== undefined) {
      const ahead = (ts - this.playTs) | 0;
      if (ahead < 0) {
        this.stats.late++;
        return;
      }
      if (ahead > FRAME_SAMPLES * 50) this.reset(); // a timestamp jump: new source or talkspurt
    }
    this.frames.set(ts, pcm);
    if (this.frames.size > this.maxFrames * 3) {
      const oldest = this.oldest();
      if (oldest !== undefined) this.frames.delete(oldest);
      this.stats.dropped++;
    }
  }

  reset(): void {
    this.frames.clear();
    this.playTs = undefined;
    this.lossRun = 0;
  }

  private oldest(): number | undefined {
    let best: number | undefined;
    for (const ts of this.frames.keys()) {
      const ref = this.playTs ?? ts;
      if (best === undefined || ((ts - ref) | 0) < ((best - ref) | 0)) best = ts;
    }
    return best;
  }

  /** One 20 ms frame for this tick, or undefined when nothing is playing (no stream, or priming). */
  pull(): Int16Array | undefined {
    this.stats.depthFrames = this.frames.size;
    if (this.playTs === undefined) {
      if (this.frames.size < this.target) return undefined;
      this.playTs = this.oldest();
    }
    const ts = this.playTs!;
    const frame = this.frames.get(ts);
    this.playTs = (ts + FRAME_SAMPLES) >>> 0;
    if (frame) {
      this.frames.delete(ts);
      this.last = frame;
      this.lossRun = 0;
      this.trimIfDeep();
      return frame;
    }
    this.lossRun++;
    if (this.frames.size === 0 && this.lossRun > 3) {
      this.stats.underruns++;
      this.reset();
      return undefined;
    }
    if (this.lossRun >= 3 && this.frames.size > 0) {
      // A gap in timestamps (silence suppression, or a burst lost): resume at the next frame we have.
      this.playTs = this.oldest();
    }
    this.stats.concealed++;
    return this.conceal();
  }

  private conceal(): Int16Array {
    const out = new Int16Array(FRAME_SAMPLES);
    if (!this.last || this.lossRun > 3) return out;
    const gain = 0.5 ** this.lossRun;
    for (let i = 0; i < FRAME_SAMPLES; i++) out[i] = this.last[i]! * gain;
    return out;
  }

  private trimIfDeep(): void {
    if (this.frames.size > this.target + 2) this.deepTicks++;
    else this.deepTicks = 0;
    if (this.deepTicks >= 25) {
      // Half a second running deep: drop one frame to bring the delay down.
      this.frames.delete(this.playTs!);
      this.playTs = (this.playTs! + FRAME_SAMPLES) >>> 0;
      this.stats.dropped++;
      this.deepTicks = 0;
    }
  }
}
