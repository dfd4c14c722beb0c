import { describe, expect, test } from 'vitest';
import { exactOrigin, isOpen, widgetSettings } from './widget-settings.ts';

const hours = { timezone: 'Asia/Shanghai', days: { mon: [['09:00', '18:00']] as [string, string][] } };

describe('business hours', () => {
  test('open inside the interval in the widget’s time zone, closed outside and on days without hours', () => {
    // Monday 2026-11-23 10:00 in Shanghai is 02:00 UTC.
    expect(isOpen(hours, new Date('2026-11-23T02:00:00Z'))).toBe(true);
    expect(isOpen(hours, new Date('2026-11-23T00:59:00Z'))).toBe(false); // 08:59
    expect(isOpen(hours, new Date('2026-11-23T10:00:00Z'))).toBe(false); // 18:00 is closing time
    expect(isOpen(hours, new Date('2026-11-24T02:00:00Z'))).toBe(false); // Tuesday
  });

  test('no hours configured means always open', () => {
    expect(isOpen(null, new Date())).toBe(true);
  });

  test('an unknown time zone is refused naming it', () => {
    const parsed = widgetSettings.safeParse({ businessHours: { timezone: 'Mars/Olympus', days: {} } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['businessHours', 'timezone']);
  });
});

describe('allowed origins', () => {
  test('only scheme, host and port', () => {
    expect(exactOrigin.safeParse('https://shop.example').success).toBe(true);
    expect(exactOrigin.safeParse('http://127.0.0.1:8080').success).toBe(true);
    expect(exactOrigin.safeParse('https://shop.example/').success).toBe(false);
    expect(exactOrigin.safeParse('https://shop.example/path').success).toBe(false);
    expect(exactOrigin.safeParse('javascript:alert(1)').success).toBe(false);
    expect(exactOrigin.safeParse('*').success).toBe(false);
  });
});
