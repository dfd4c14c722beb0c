/** Monotonic milliseconds (never jumps with wall-clock changes). */
export function monotonicMs(): number {
  return globalThis.performance.now();
}

/**
 * Calls `onTick` every `periodMs` on a schedule computed from a monotonic start time
 * (tick n is due at start + n·period), so timer lateness never accumulates into drift.
 * After a long stall at most `maxCatchUp` missed ticks run back to back; the rest are skipped.
 */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private start = 0;
  private n = 0;
  private running = false;
  /** Largest lateness seen (ms), for diagnostics. */
  maxLateMs = 0;

  constructor(
    private readonly onTick: (nowMs: number) => void,
    private readonly periodMs = 20,
    private readonly maxCatchUp = 5,
    private readonly now: () => number = monotonicMs,
  ) {}

  startTicking(): void {
    if (this.running) return;
    this.running = true;
    this.start = this.now();
    this.n = 0;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get isRunning(): boolean {
    return this.running;
  }

  private schedule(): void {
    if (!this.running) return;
    const due = this.start + (this.n + 1) * this.periodMs;
    const delay = Math.max(0, due - this.now());
    this.timer = setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    const now = this.now();
    let dueCount = Math.floor((now - this.start) / this.periodMs) - this.n;
    if (dueCount > this.maxCatchUp) {
      this.n += dueCount - this.maxCatchUp;
      dueCount = this.maxCatchUp;
    }
    const late = now - (this.start + (this.n + 1) * this.periodMs);
    if (late > this.maxLateMs) this.maxLateMs = late;
    for (let i = 0; i < Math.max(1, dueCount); i++) {
      this.n++;
      try {
        this.onTick(now);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
    this.schedule();
  }
}
