// Every transaction timer in one place, derived from T1, T2 and T4 (RFC 3261 §17, table 4; RFC 6026 §8.11).

export interface TimerConfig {
  /** RTT estimate (default 500 ms). */
  T1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s). */
  T2: number;
  /** Maximum time a message remains in the network (default 5 s). */
  T4: number;
}

export const DEFAULT_TIMER_CONFIG: TimerConfig = { T1: 500, T2: 4000, T4: 5000 };

export interface Timers {
  /** INVITE request retransmit, initial interval (doubles). */
  A: number;
  /** INVITE transaction timeout. */
  B: number;
  /** Wait time for response retransmits (client INVITE, unreliable: at least 32 s). */
  D(reliable: boolean): number;
  /** Non-INVITE request retransmit, initial interval (doubles up to T2). */
  E: number;
  /** Non-INVITE transaction timeout. */
  F: number;
  /** INVITE response retransmit, initial interval (doubles up to T2). */
  G: number;
  /** Wait time for ACK receipt. */
  H: number;
  /** Wait time for ACK retransmits. */
  I(reliable: boolean): number;
  /** Wait time for non-INVITE request retransmits. */
  J(reliable: boolean): number;
  /** Wait time for response retransmits (client non-INVITE). */
  K(reliable: boolean): number;
  /** RFC 6026: server INVITE Accepted state lifetime (absorbs INVITE retransmissions after a 2xx). */
  L: number;
  /** RFC 6026: client INVITE Accepted state lifetime (passes 2xx retransmissions to the TU). */
  M: number;
  T1: number;
  T2: number;
  T4: number;
}

export function deriveTimers(cfg: Partial<TimerConfig> = {}): Timers {
  const { T1, T2, T4 } = { ...DEFAULT_TIMER_CONFIG, ...cfg };
  return {
    T1, T2, T4,
    A: T1,
    B: 64 * T1,
    D: (reliable) => (reliable ? 0 : Math.max(32_000, 64 * T1)),
    E: T1,
    F: 64 * T1,
    G: T1,
    H: 64 * T1,
    I: (reliable) => (reliable ? 0 : T4),
    J: (reliable) => (reliable ? 0 : 64 * T1),
    K: (reliable) => (reliable ? 0 : T4),
    L: 64 * T1,
    M: 64 * T1,
  };
}

/** The time source of every timer, injected so that tests can drive a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
