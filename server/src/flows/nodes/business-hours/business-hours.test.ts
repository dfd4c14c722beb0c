import { describe, expect, test } from 'vitest';
import { localTime } from './business-hours.node.ts';
import { businessHoursConfig } from './business-hours.spec.ts';
import { ends, graph, runOnCall } from '../../testing/flow-harness.ts';

const config = {
  timezone: 'Asia/Shanghai',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '18:00' })),
  holidays: [{ date: '2026-10-01', name: '国庆节' }],
};
const run = (iso: string, next: Record<string, string> = { open: 'o', closed: 'c', holiday: 'h' }) =>
  runOnCall(graph([{ id: 'bh', type: 'business_hours', config, next }, ...ends('o', 'c', 'h')]), { services: { now: () => new Date(iso) } });

describe('business hours node', () => {
  test('the spec checks HH:MM', () => {
    expect(businessHoursConfig.safeParse({ weekly: [{ day: 1, from: '9:00', to: '18:00' }] }).success).toBe(false);
  });

  test('reads the local time of the time zone', () => {
    expect(localTime(new Date('2026-11-23T16:30:00Z'), 'Asia/Shanghai')).toEqual({ day: 2, date: '2026-11-24', minutes: 30 });
  });

  test('open on a weekday within hours (Beijing time), closed after hours and at weekends', async () => {
    expect((await run('2026-11-23T02:00:00Z')).exits[0]).toBe('bh:open'); // Monday 10:00
    expect((await run('2026-11-23T10:00:00Z')).exits[0]).toBe('bh:closed'); // Monday 18:00
    expect((await run('2026-11-22T02:00:00Z')).exits[0]).toBe('bh:closed'); // Sunday
  });

  test('a holiday takes the holiday exit, or closed when it is not connected', async () => {
    expect((await run('2026-10-01T02:00:00Z')).exits[0]).toBe('bh:holiday');
    expect((await run('2026-10-01T02:00:00Z', { open: 'o', closed: 'c' })).exits[0]).toBe('bh:closed');
  });
});
