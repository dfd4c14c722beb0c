// What a caller hears while waiting in a voice queue, besides the music: every so often the music stops for an
// announcement of their place in line and the estimated wait (routing's figures: server/src/routing/router.core.ts,
// `estimate`), and/or an offer to be called back instead; then the music resumes. This module decides when and
// what (the schedule and the words, in zh, en or yue); queue-wait.ts plays it and handles the caller's key.
//
// Schedule: the first announcement comes after `everyMs` of music, each next one `everyMs` after the previous one
// ended (the caller always hears that much music in between). An announcement is skipped while it would be
// meaningless: an agent's phone rings for this caller (the task is offered) or an agent has it, or routing no
// longer knows the task. The callback offer joins the announcements once the caller has waited `callbackAfterMs`.
import type { AudioSource } from './call-control.ts';

export type WaitLanguage = 'zh' | 'en' | 'yue';

/** Position (1 = next) and estimated wait in seconds; nulls when routing cannot say (no staffed agent: no EWT). */
export interface QueueEstimate {
  position: number | null;
  estimatedWaitSeconds: number | null;
}

/** One announcement: what the caller is told. */
export interface Announcement {
  position?: number | undefined;
  estimatedWaitSeconds?: number | undefined;
  /** The key that asks for a callback, when the offer is part of this announcement. */
  callbackDigit?: string | undefined;
}

/** What happened while the caller waited (for the flow's path log). */
export type QueueWaitEvent =
  | { kind: 'announce'; announcement: Announcement }
  | { kind: 'callback'; requestId: string }
  | { kind: 'result'; result: string };

/** How the wait sounds (the queue node's options); absent: ringback and nothing else (calls without a flow). */
export interface QueueWaitPlan {
  music: 'hold' | 'ringback';
  announceEveryMs: number;
  announcePosition: boolean;
  callback?: { digit: string; afterMs: number } | undefined;
  language: WaitLanguage;
  /** Speech for a text in the call's language (flows: the TTS of server/src/speech at 8 kHz). */
  say(text: string, language: WaitLanguage): Promise<AudioSource>;
  /** Records what happened (flows: the path log of the queue node). */
  log?(event: QueueWaitEvent): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** A count in Chinese characters (两 before a measure word), so that the Mandarin voice reads it naturally. */
export function zhCount(n: number): string {
  if (n === 2) return '两';
  if (n < 0 || n >= 10_000 || !Number.isInteger(n)) return String(n);
  if (n < 10) return ZH_DIGITS[n]!;
  const parts: string[] = [];
  const units = [[1000, '千'], [100, '百'], [10, '十']] as const;
  let rest = n;
  let zero = false;
  for (const [u, name] of units) {
    const d = Math.floor(rest / u);
    rest %= u;
    if (d) {
      if (zero) parts.push('零');
      zero = false;
      parts.push(u === 10 && d === 1 && !parts.length ? '' : ZH_DIGITS[d]!, name);
    } else if (parts.length) zero = true;
  }
  if (rest) parts.push(zero ? '零' : '', ZH_DIGITS[rest]!);
  return parts.join('');
}

/** Whole minutes the caller is told (rounded up: an estimate errs on the patient side); 0 = under a minute. */
export function spokenMinutes(seconds: number): number {
  return seconds < 60 ? 0 : Math.ceil(seconds / 60);
}

const MAX_SPOKEN_MINUTES = 60;

/** The words of an announcement. Chinese counts the callers ahead (您前面还有…位); English the place in line. */
export function announcementText(a: Announcement, language: WaitLanguage): string {
  const parts: string[] = [];
  const minutes = a.estimatedWaitSeconds !== undefined ? spokenMinutes(a.estimatedWaitSeconds) : undefined;
  if (language === 'en') {
    if (a.position !== undefined) parts.push(a.position <= 1 ? 'You are next in line.' : `You are number ${a.position} in line.`);
    if (minutes !== undefined) {
      parts.push(minutes === 0 ? 'Your estimated wait is less than a minute.'
        : minutes > MAX_SPOKEN_MINUTES ? 'Your estimated wait is more than an hour.'
          : `Your estimated wait is about ${minutes} minute${minutes === 1 ? '' : 's'}.`);
    }
    if (a.callbackDigit) parts.push(`To get a call back instead of waiting, press ${a.callbackDigit === '*' ? 'star' : a.callbackDigit === '#' ? 'the pound key' : a.callbackDigit}.`);
    return parts.join(' ');
  }
  // zh and yue share the written form; the voice differs.
  if (a.position !== undefined) parts.push(a.position <= 1 ? '您是下一位。' : `您前面还有${zhCount(a.position - 1)}位客户。`);
  if (minutes !== undefined) {
    parts.push(minutes === 0 ? '预计等待不到一分钟。' : minutes > MAX_SPOKEN_MINUTES ? '预计等待超过一小时。' : `预计等待约${zhCount(minutes)}分钟。`);
  }
  if (a.callbackDigit) parts.push(`如需预约回电，请按${a.callbackDigit === '*' ? '星号键' : a.callbackDigit === '#' ? '井号键' : zhDigitKey(a.callbackDigit)}。`);
  return parts.join('');
}

/** A key as read out in Chinese (一 is read 幺 on phones only in numbers; a single key is simply 一). */
function zhDigitKey(d: string): string {
  return /^\d$/.test(d) ? ZH_DIGITS[Number(d)]! : d;
}

/** Said after the callback key, before the call ends. */
export function callbackConfirmationText(language: WaitLanguage): string {
  return language === 'en'
    ? 'Thank you. We will call you back on this number as soon as an agent is free. Goodbye.'
    : '好的，客服人员空闲后会尽快给您回电，感谢您的来电，再见。';
}

/**
 * What to announce now, or nothing: `busy` when an agent's phone rings for the caller or an agent has the call.
 * The estimated wait is said only with the position (a wait without a place in line means little).
 */
export function nextAnnouncement(plan: Pick<QueueWaitPlan, 'announcePosition' | 'callback'>, state: { waitedMs: number; busy: boolean; estimate: QueueEstimate | undefined }): Announcement | undefined {
  if (state.busy || !state.estimate || state.estimate.position === null) return undefined;
  const a: Announcement = {};
  if (plan.announcePosition) {
    a.position = state.estimate.position;
    if (state.estimate.estimatedWaitSeconds !== null) a.estimatedWaitSeconds = state.estimate.estimatedWaitSeconds;
  }
  if (plan.callback && state.waitedMs >= plan.callback.afterMs) a.callbackDigit = plan.callback.digit;
  return a.position !== undefined || a.callbackDigit ? a : undefined;
}

export interface AnnouncerHooks {
  /** True while announcing would be meaningless (an agent rings or has the call). */
  busy(): boolean;
  estimate(): Promise<QueueEstimate | undefined>;
  /** Plays the announcement over the music; resolves when it has been heard (or stopped). */
  announce(a: Announcement): Promise<void>;
}

/** Runs the schedule of one wait until stopped. */
export class WaitAnnouncer {
  private timer: unknown;
  private stopped = false;
  private readonly startedAt: number;
  /** Whether the caller has been offered the callback (the key counts only from then on). */
  callbackOffered = false;
  /** Announcements made so far. */
  count = 0;

  constructor(private readonly plan: Pick<QueueWaitPlan, 'announceEveryMs' | 'announcePosition' | 'callback'>, private readonly hooks: AnnouncerHooks, private readonly clock: Clock = realClock) {
    this.startedAt = clock.now();
  }

  start(): void {
    if (!this.plan.announcePosition && !this.plan.callback) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.tick(), this.plan.announceEveryMs);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      if (this.stopped || this.hooks.busy()) return;
      const estimate = await this.hooks.estimate();
      const a = nextAnnouncement(this.plan, { waitedMs: this.clock.now() - this.startedAt, busy: this.hooks.busy(), estimate });
      if (!a || this.stopped) return;
      if (a.callbackDigit) this.callbackOffered = true;
      this.count++;
      await this.hooks.announce(a);
    } catch {
      // A failed estimate or prompt costs one announcement, never the wait: the music goes on.
    } finally {
      this.schedule();
    }
  }
}
