// Business-time arithmetic for SLA targets, pure: no database, no wall clock. A calendar says when the clock runs
// (weekly hours in a time zone, closed holidays, and 调休 make-up workdays that are worked although their weekday is
// closed); `null` means around the clock. Instants are epoch milliseconds.

export interface BusinessCalendar {
  /** IANA zone the hours are in, e.g. Asia/Shanghai. */
  timeZone: string;
  /** Index 0 = Sunday … 6 = Saturday: [start, end) minute ranges of that weekday, e.g. [[540, 720], [780, 1080]]. */
  hours: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  /** Closed dates (YYYY-MM-DD, local). */
  holidays: readonly string[];
  /** Dates worked on an otherwise closed weekday (调休); they take Monday's hours. */
  workdays: readonly string[];
}

/** Where "now" comes from: the real clock in the server, a virtual one in tests. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class VirtualClock implements Clock {
  constructor(private at: number) {}
  now(): number {
    return this.at;
  }
  set(at: number | string): void {
    this.at = typeof at === 'string' ? Date.parse(at) : at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Validates a calendar's shape; returns the first problem as [field, message] or null. */
export function calendarProblem(cal: BusinessCalendar): [string, string] | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: cal.timeZone });
  } catch {
    return ['timeZone', 'is not an IANA time zone'];
  }
  if (cal.hours.length !== 7) return ['hours', 'must have 7 weekdays (Sunday first)'];
  for (const [day, ranges] of cal.hours.entries()) {
    let last = -1;
    for (const [start, end] of ranges) {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 1440 || start >= end || start < last) {
        return ['hours', `weekday ${day}: ranges must be ascending [start, end) minutes within 0–1440`];
      }
      last = end;
    }
  }
  for (const [field, dates] of [['holidays', cal.holidays], ['workdays', cal.workdays]] as const) {
    const bad = dates.find((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)));
    if (bad) return [field, `${bad} is not a YYYY-MM-DD date`];
  }
  if (!cal.hours.some((r) => r.length > 0) && cal.workdays.length === 0) return ['hours', 'must open on at least one weekday'];
  return null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
function offsetAt(timeZone: string, at: number): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The local calendar day containing an instant, as the UTC midnight of that date (a day key). */
function localDay(timeZone: string, at: number): number {
  const local = at + offsetAt(timeZone, at);
  return Math.floor(local / DAY) * DAY;
}

/** The instant of local `minute` on local day `day` (a day key). */
function instantOf(timeZone: string, day: number, minute: number): number {
  const guess = day + minute * MINUTE;
  // Two passes settle the offset across a DST change (zones without DST need one).
  let at = guess - offsetAt(timeZone, guess);
  at = guess - offsetAt(timeZone, at);
  return at;
}

const dateText = (day: number): string => new Date(day).toISOString().slice(0, 10);

/** The open [from, to) instants of one local day. */
function openRanges(cal: BusinessCalendar, day: number): Array<[number, number]> {
  const date = dateText(day);
  if (cal.holidays.includes(date)) return [];
  const weekday = new Date(day).getUTCDay();
  let ranges = cal.hours[weekday] ?? [];
  if (ranges.length === 0 && cal.workdays.includes(date)) ranges = cal.hours[1] ?? [];
  return ranges.map(([s, e]) => [instantOf(cal.timeZone, day, s), instantOf(cal.timeZone, day, e)]);
}

/** Safety stop: a calendar that never opens (all holidays) must not loop forever. */
const MAX_DAYS = 3660;

/** Business milliseconds between two instants (0 when `to` <= `from`). */
export function businessMsBetween(cal: BusinessCalendar | null, from: number, to: number): number {
  if (to <= from) return 0;
  if (!cal) return to - from;
  let total = 0;
  let day = localDay(cal.timeZone, from);
  for (let i = 0; i < MAX_DAYS; i++, day += DAY) {
    for (const [s, e] of openRanges(cal, day)) {
      const lo = Math.max(s, from);
      const hi = Math.min(e, to);
      if (hi > lo) total += hi - lo;
    }
    if (instantOf(cal.timeZone, day + DAY, 0) >= to) break;
  }
  return total;
}

/** The instant at which `ms` business milliseconds after `from` have elapsed. */
export function addBusinessMs(cal: BusinessCalendar | null, from: number, ms: number): number {
  if (!cal) return from + ms;
  let left = ms;
  let day = localDay(cal.timeZone, from);
  for (let i = 0; i < MAX_DAYS; i++, day += DAY) {
    for (const [s, e] of openRanges(cal, day)) {
      const lo = Math.max(s, from);
      if (e <= lo) continue;
      // A target due exactly at a closing time is due then, not at the next opening.
      if (left <= e - lo) return lo + left;
      left -= e - lo;
    }
  }
  throw new Error('the calendar has no business hours in the next ten years');
}

/** Whether the clock runs at an instant. */
export function isOpen(cal: BusinessCalendar | null, at: number): boolean {
  if (!cal) return true;
  return openRanges(cal, localDay(cal.timeZone, at)).some(([s, e]) => at >= s && at < e);
}

export type SlaMetric = 'first_response' | 'next_response' | 'resolution';

/** A target's state as the engine stores it. */
export interface SlaTarget {
  metric: SlaMetric;
  state: 'running' | 'paused' | 'met' | 'breached';
  startedAt: number;
  dueAt: number | null;
  remainingMs: number | null;
  warnedAt: number | null;
  breachedAt: number | null;
  metAt: number | null;
}

/** A new running target of `minutes` business minutes from `now`. */
export function startTarget(cal: BusinessCalendar | null, metric: SlaMetric, minutes: number, now: number): SlaTarget {
  return { metric, state: 'running', startedAt: now, dueAt: addBusinessMs(cal, now, minutes * MINUTE), remainingMs: null, warnedAt: null, breachedAt: null, metAt: null };
}

/** Pausing keeps the business time left (negative once breached); the due time is unknown until resumed. */
export function pauseTarget(cal: BusinessCalendar | null, t: SlaTarget, now: number): SlaTarget {
  if (t.state !== 'running' || t.dueAt === null) return t;
  const left = t.dueAt >= now ? businessMsBetween(cal, now, t.dueAt) : -businessMsBetween(cal, t.dueAt, now);
  return { ...t, state: 'paused', dueAt: null, remainingMs: left };
}

export function resumeTarget(cal: BusinessCalendar | null, t: SlaTarget, now: number): SlaTarget {
  if (t.state !== 'paused' || t.remainingMs === null) return t;
  const dueAt = t.remainingMs >= 0 ? addBusinessMs(cal, now, t.remainingMs) : now;
  return { ...t, state: 'running', dueAt, remainingMs: null };
}

export function meetTarget(t: SlaTarget, now: number): SlaTarget {
  if (t.state === 'met') return t;
  // A target met after its breach stays breached (the breach happened); it records when it was met.
  return { ...t, state: t.state === 'breached' ? 'breached' : 'met', dueAt: t.state === 'breached' ? t.dueAt : null, remainingMs: null, metAt: now };
}

/**
 * The instant a warning is due: `warnMinutes` business minutes before the due time, seen from `now` (a target
 * with less than that left warns at once).
 */
export function warnAt(cal: BusinessCalendar | null, t: SlaTarget, warnMinutes: number, now: number): number | null {
  if (t.state !== 'running' || t.dueAt === null) return null;
  const left = businessMsBetween(cal, now, t.dueAt);
  const lead = warnMinutes * MINUTE;
  return left <= lead ? now : addBusinessMs(cal, now, left - lead);
}

/** A weekday 09:00–18:00 calendar in Asia/Shanghai with a 12:00–13:00 lunch break (the demo's). */
export const chinaOfficeHours: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  hours: [[], [[540, 720], [780, 1080]], [[540, 720], [780, 1080]], [[540, 720], [780, 1080]], [[540, 720], [780, 1080]], [[540, 720], [780, 1080]], []],
  holidays: [],
  workdays: [],
};
