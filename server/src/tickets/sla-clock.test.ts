import { describe, expect, test } from 'vitest';
import {
  addBusinessMs,
  businessMsBetween,
  calendarProblem,
  chinaOfficeHours,
  isOpen,
  meetTarget,
  pauseTarget,
  resumeTarget,
  startTarget,
  VirtualClock,
  warnAt,
  type BusinessCalendar,
} from './sla-clock.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Beijing time → instant. 2026-10-01 is a Thursday (National Day), 2026-10-10 a Saturday. */
const bj = (local: string): number => Date.parse(`${local}+08:00`);
const iso = (at: number): string => new Date(at + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');

// 09:00–12:00 and 13:00–18:00 on weekdays; the 2026 National Day week closed, Saturday 10 Oct worked (调休).
const office: BusinessCalendar = {
  ...chinaOfficeHours,
  holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  workdays: ['2026-10-10'],
};

describe('business hours in Asia/Shanghai', () => {
  test.each([
    ['within one morning', '2026-09-14T09:30', 60, '2026-09-14 10:30'],
    ['across the lunch break', '2026-09-14T11:30', 60, '2026-09-14 13:30'],
    ['across the night', '2026-09-14T17:00', 120, '2026-09-15 10:00'],
    ['started before opening', '2026-09-14T06:00', 30, '2026-09-14 09:30'],
    ['started in the lunch break', '2026-09-14T12:10', 10, '2026-09-14 13:10'],
    ['Friday evening to Monday', '2026-09-18T17:30', 60, '2026-09-21 09:30'],
    ['started on a Sunday', '2026-09-20T15:00', 8 * 60, '2026-09-21 18:00'],
    ['due exactly at closing time', '2026-09-14T17:00', 60, '2026-09-14 18:00'],
    ['a whole working day (8 h) later', '2026-09-14T10:00', 8 * 60, '2026-09-15 10:00'],
    ['over the National Day holidays and weekend', '2026-09-30T17:00', 120, '2026-10-08 10:00'],
    ['onto the make-up Saturday (调休)', '2026-10-09T17:00', 120, '2026-10-10 10:00'],
  ])('%s: %s + %i business minutes = %s', (_name, start, minutes, due) => {
    expect(iso(addBusinessMs(office, bj(start), minutes * MIN))).toBe(due);
  });

  test('a Saturday that is no make-up day is closed, the make-up Saturday is open', () => {
    expect(isOpen(office, bj('2026-10-03T10:00'))).toBe(false);
    expect(isOpen(office, bj('2026-10-10T10:00'))).toBe(true);
    expect(isOpen(office, bj('2026-10-01T10:00'))).toBe(false);
    expect(isOpen(office, bj('2026-09-14T12:30'))).toBe(false);
    expect(isOpen(office, bj('2026-09-14T08:59'))).toBe(false);
    expect(isOpen(office, bj('2026-09-14T09:00'))).toBe(true);
    expect(isOpen(office, bj('2026-09-14T18:00'))).toBe(false);
  });

  test('business time between two instants counts only open hours', () => {
    expect(businessMsBetween(office, bj('2026-09-14T08:00'), bj('2026-09-14T20:00'))).toBe(8 * HOUR);
    expect(businessMsBetween(office, bj('2026-09-18T17:00'), bj('2026-09-21T10:00'))).toBe(2 * HOUR);
    expect(businessMsBetween(office, bj('2026-09-30T00:00'), bj('2026-10-09T00:00'))).toBe(8 * HOUR * 2);
    expect(businessMsBetween(office, bj('2026-09-14T10:00'), bj('2026-09-14T09:00'))).toBe(0);
  });

  test('adding and measuring agree for many starting points', () => {
    for (let start = bj('2026-09-25T00:00'); start < bj('2026-10-12T00:00'); start += 97 * MIN) {
      for (const minutes of [1, 45, 200, 600, 2000]) {
        const due = addBusinessMs(office, start, minutes * MIN);
        expect(businessMsBetween(office, start, due)).toBe(minutes * MIN);
        expect(due).toBeGreaterThan(start);
      }
    }
  });

  test('a calendar in another zone measures in its own local hours', () => {
    const berlin: BusinessCalendar = { ...chinaOfficeHours, timeZone: 'Europe/Berlin' };
    // 09:00 Berlin summer time is 15:00 Beijing; across the DST change (25 Oct 2026) opening moves to 16:00 Beijing.
    expect(iso(addBusinessMs(berlin, bj('2026-09-14T12:00'), 30 * MIN))).toBe('2026-09-14 15:30');
    expect(iso(addBusinessMs(berlin, bj('2026-10-26T12:00'), 30 * MIN))).toBe('2026-10-26 16:30');
  });

  test('no calendar means around the clock', () => {
    expect(addBusinessMs(null, bj('2026-09-19T23:00'), 2 * HOUR)).toBe(bj('2026-09-20T01:00'));
    expect(businessMsBetween(null, 0, 5000)).toBe(5000);
  });

  test('calendar validation names the field', () => {
    expect(calendarProblem(office)).toBeNull();
    expect(calendarProblem({ ...office, timeZone: 'Mars/Olympus' })?.[0]).toBe('timeZone');
    expect(calendarProblem({ ...office, hours: office.hours.slice(0, 6) })?.[0]).toBe('hours');
    expect(calendarProblem({ ...office, hours: [[], [[600, 540]], [], [], [], [], []] })?.[0]).toBe('hours');
    expect(calendarProblem({ ...office, holidays: ['2026-13-45'] })?.[0]).toBe('holidays');
    expect(calendarProblem({ ...office, hours: [[], [], [], [], [], [], []], workdays: [] })?.[0]).toBe('hours');
  });

  test('a calendar that never opens fails instead of looping', () => {
    const closed: BusinessCalendar = { ...office, hours: [[], [], [], [], [], [], []] };
    expect(() => addBusinessMs(closed, bj('2026-09-14T09:00'), MIN)).toThrow(/no business hours/);
  });
});

describe('SLA targets on a virtual clock', () => {
  test('pending pauses the resolution clock; time spent pending does not count', () => {
    const clock = new VirtualClock(bj('2026-09-14T09:00'));
    let t = startTarget(office, 'resolution', 8 * 60, clock.now());
    expect(iso(t.dueAt!)).toBe('2026-09-14 18:00');
    clock.set(bj('2026-09-14T11:00')); // two business hours used, then the ticket waits for the customer
    t = pauseTarget(office, t, clock.now());
    expect(t).toMatchObject({ state: 'paused', dueAt: null, remainingMs: 6 * HOUR });
    clock.set(bj('2026-09-16T14:00')); // the customer answers two days later
    t = resumeTarget(office, t, clock.now());
    expect(t.state).toBe('running');
    expect(iso(t.dueAt!)).toBe('2026-09-17 11:00');
  });

  test('a pause over a weekend and a holiday resumes with the same business time left', () => {
    const clock = new VirtualClock(bj('2026-09-30T16:00'));
    let t = startTarget(office, 'resolution', 4 * 60, clock.now());
    t = pauseTarget(office, t, bj('2026-09-30T17:00'));
    expect(t.remainingMs).toBe(3 * HOUR);
    t = resumeTarget(office, t, bj('2026-10-04T12:00')); // a Sunday in the holidays: the clock waits for 8 Oct
    expect(iso(t.dueAt!)).toBe('2026-10-08 12:00');
  });

  test('a target paused after its breach resumes already due', () => {
    let t = startTarget(office, 'first_response', 60, bj('2026-09-14T09:00'));
    t = pauseTarget(office, t, bj('2026-09-14T11:00'));
    expect(t.remainingMs).toBe(-HOUR);
    t = resumeTarget(office, t, bj('2026-09-15T09:30'));
    expect(t.dueAt).toBe(bj('2026-09-15T09:30'));
  });

  test('the warning comes the given business minutes before the due time', () => {
    const t = startTarget(office, 'first_response', 120, bj('2026-09-14T17:00'));
    expect(iso(t.dueAt!)).toBe('2026-09-15 10:00');
    expect(iso(warnAt(office, t, 30, bj('2026-09-14T17:00'))!)).toBe('2026-09-15 09:30');
    // Seen from 09:50 the warning is already due.
    expect(warnAt(office, t, 30, bj('2026-09-15T09:50'))).toBe(bj('2026-09-15T09:50'));
  });

  test('meeting a target stops it; a breached target stays breached when met', () => {
    const t = startTarget(office, 'first_response', 60, bj('2026-09-14T09:00'));
    expect(meetTarget(t, bj('2026-09-14T09:20'))).toMatchObject({ state: 'met', metAt: bj('2026-09-14T09:20') });
    const breached = { ...t, state: 'breached' as const, breachedAt: bj('2026-09-14T10:00') };
    expect(meetTarget(breached, bj('2026-09-14T10:30'))).toMatchObject({ state: 'breached', metAt: bj('2026-09-14T10:30') });
  });
});
