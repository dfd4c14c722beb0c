// A fake clock for timer tests: time moves only when the test calls advance().
import type { Clock } from '../transaction/timers.ts';

interface Scheduled {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private t = 0;
  private nextId = 0;
  private queue: Scheduled[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const s = { id: ++this.nextId, at: this.t + Math.max(0, ms), fn };
    this.queue.push(s);
    return s.id;
  }

  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((s) => s.id !== handle);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Moves time forward, firing due timers in order and letting I/O callbacks run between them. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await flush();
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

/** Lets pending microtasks and immediates run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
