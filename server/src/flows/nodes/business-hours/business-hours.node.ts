// Business hours and holidays in the flow's time zone: `holiday` on a listed date (or `closed` when the holiday
// exit is not connected — the runner falls back), `open` within a weekday's hours, else `closed`.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';

/** Weekday (0 = Sunday), date and minutes since midnight of an instant in a time zone. */
export function localTime(now: Date, timeZone: string): { day: number; date: string; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(now).map((p) => [p.type, p.value]),
  );
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { day, date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export const businessHoursNode: FlowNodeImpl<'business_hours'> = {
  type: 'business_hours',
  async run(ctx) {
    const c = ctx.config;
    const t = localTime(ctx.services.now(), c.timezone);
    if (c.holidays.some((h) => h.date === t.date)) return { port: ctx.node.next.holiday ? 'holiday' : 'closed', input: t.date };
    const open = c.weekly.some((w) => w.day === t.day && t.minutes >= minutes(w.from) && t.minutes < minutes(w.to));
    return { port: open ? 'open' : 'closed' };
  },
};
