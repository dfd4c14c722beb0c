// SIP scanning defence: sources that fail authentication repeatedly (SIPVicious-style REGISTER/INVITE probing
// of extensions) are banned for a while. Failures are counted per source address in a sliding window; the clock
// is injected so the logic is tested without waiting.
export interface ScannerGuardOptions {
  /** Failures within `windowMs` that trigger a ban (default 5). */
  maxFailures?: number;
  windowMs?: number;
  banMs: number;
  now?: () => number;
  /** Bound on tracked sources (oldest forgotten first). */
  maxTracked?: number;
}

export class ScannerGuard {
  private readonly failures = new Map<string, number[]>();
  private readonly bans = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly o: ScannerGuardOptions) {
    this.now = o.now ?? Date.now;
  }

  isBanned(address: string): boolean {
    const until = this.bans.get(address);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.bans.delete(address);
    return false;
  }

  /** Records one failure; returns true when this failure started a ban. */
  fail(address: string): boolean {
    if (this.o.banMs <= 0) return false;
    const now = this.now();
    const window = this.o.windowMs ?? 60_000;
    const list = (this.failures.get(address) ?? []).filter((t) => now - t < window);
    list.push(now);
    this.failures.delete(address);
    this.failures.set(address, list);
    this.trim(this.failures);
    if (list.length < (this.o.maxFailures ?? 5)) return false;
    this.failures.delete(address);
    this.bans.set(address, now + this.o.banMs);
    this.trim(this.bans);
    return true;
  }

  /** A success forgets the source's earlier failures (a phone that mistyped once). */
  succeed(address: string): void {
    this.failures.delete(address);
  }

  get bannedCount(): number {
    return this.bans.size;
  }

  private trim(map: Map<string, unknown>): void {
    const max = this.o.maxTracked ?? 100_000;
    while (map.size > max) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  }
}
