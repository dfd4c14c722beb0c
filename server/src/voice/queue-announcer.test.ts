// The queued caller's announcements without a call: the words (zh, en), when they come (a fake clock), when they
// are skipped, and the estimate they carry taken from routing's own core (position × average handle time ÷ staffed
// agents).
import { describe, expect, test } from 'vitest';
import { FakeClock } from '@kefu/sip/testing';
import { RouterCore } from '../routing/router.core.ts';
import {
  announcementText, callbackConfirmationText, nextAnnouncement, spokenMinutes, WaitAnnouncer, zhCount, type Announcement, type QueueEstimate,
} from './queue-announcer.ts';

describe('announcement words', () => {
  test('Chinese counts the callers ahead, in characters the Mandarin voice reads', () => {
    expect(announcementText({ position: 3, estimatedWaitSeconds: 170, callbackDigit: '1' }, 'zh')).toBe('您前面还有两位客户。预计等待约三分钟。如需预约回电，请按一。');
    expect(announcementText({ position: 1, estimatedWaitSeconds: 40 }, 'zh')).toBe('您是下一位。预计等待不到一分钟。');
    expect(announcementText({ callbackDigit: '#' }, 'zh')).toBe('如需预约回电，请按井号键。');
    expect(announcementText({ position: 12, estimatedWaitSeconds: 7200 }, 'zh')).toBe('您前面还有十一位客户。预计等待超过一小时。');
  });

  test('English says the place in line', () => {
    expect(announcementText({ position: 3, estimatedWaitSeconds: 120, callbackDigit: '1' }, 'en'))
      .toBe('You are number 3 in line. Your estimated wait is about 2 minutes. To get a call back instead of waiting, press 1.');
    expect(announcementText({ position: 1, estimatedWaitSeconds: 61 }, 'en')).toBe('You are next in line. Your estimated wait is about 2 minutes.');
    expect(announcementText({ position: 2 }, 'en')).toBe('You are number 2 in line.');
    expect(callbackConfirmationText('en')).toMatch(/call you back/);
    expect(callbackConfirmationText('zh')).toMatch(/回电/);
  });

  test('numbers and minutes', () => {
    expect([1, 2, 10, 11, 20, 21, 105, 110, 1000, 2024].map(zhCount)).toEqual(['一', '两', '十', '十一', '二十', '二十一', '一百零五', '一百一十', '一千', '二千零二十四']);
    expect([0, 59, 60, 61, 180, 181].map(spokenMinutes)).toEqual([0, 0, 1, 2, 3, 4]);
  });
});

describe('what an announcement says', () => {
  const plan = { announcePosition: true, callback: { digit: '1', afterMs: 60_000 } };
  const estimate: QueueEstimate = { position: 2, estimatedWaitSeconds: 240 };

  test('position and wait; the callback offer from its time on', () => {
    expect(nextAnnouncement(plan, { waitedMs: 30_000, busy: false, estimate })).toEqual({ position: 2, estimatedWaitSeconds: 240 });
    expect(nextAnnouncement(plan, { waitedMs: 60_000, busy: false, estimate })).toEqual({ position: 2, estimatedWaitSeconds: 240, callbackDigit: '1' });
  });

  test('nothing while an agent rings or has the call, or when routing no longer knows the task', () => {
    expect(nextAnnouncement(plan, { waitedMs: 90_000, busy: true, estimate })).toBeUndefined();
    expect(nextAnnouncement(plan, { waitedMs: 90_000, busy: false, estimate: undefined })).toBeUndefined();
    expect(nextAnnouncement(plan, { waitedMs: 90_000, busy: false, estimate: { position: null, estimatedWaitSeconds: null } })).toBeUndefined();
  });

  test('no staffed agent: the place in line without a wait; only the offer when position is not announced', () => {
    expect(nextAnnouncement(plan, { waitedMs: 0, busy: false, estimate: { position: 4, estimatedWaitSeconds: null } })).toEqual({ position: 4 });
    expect(nextAnnouncement({ announcePosition: false, callback: { digit: '9', afterMs: 0 } }, { waitedMs: 0, busy: false, estimate })).toEqual({ callbackDigit: '9' });
    expect(nextAnnouncement({ announcePosition: false }, { waitedMs: 0, busy: false, estimate })).toBeUndefined();
  });
});

describe('the schedule', () => {
  /** An announcer on a fake clock whose announcements take `speakMs` of (fake) time. */
  function schedule(o: { everyMs: number; speakMs: number; busy?: () => boolean; estimate?: () => Promise<QueueEstimate | undefined>; callbackAfterMs?: number }) {
    const clock = new FakeClock();
    const heard: { at: number; a: Announcement }[] = [];
    const announcer = new WaitAnnouncer(
      { announceEveryMs: o.everyMs, announcePosition: true, ...(o.callbackAfterMs !== undefined ? { callback: { digit: '1', afterMs: o.callbackAfterMs } } : {}) },
      {
        busy: o.busy ?? (() => false),
        estimate: o.estimate ?? (async () => ({ position: 1, estimatedWaitSeconds: 90 })),
        announce: (a) => {
          heard.push({ at: clock.now(), a });
          return new Promise<void>((r) => clock.setTimeout(r, o.speakMs));
        },
      },
      clock,
    );
    return { clock, heard, announcer };
  }

  test('the first after one interval of music, each next one an interval after the previous ended', async () => {
    const { clock, heard, announcer } = schedule({ everyMs: 30_000, speakMs: 4000 });
    announcer.start();
    await clock.advance(29_999);
    expect(heard).toEqual([]);
    await clock.advance(1);
    await clock.advance(70_000);
    expect(heard.map((h) => h.at)).toEqual([30_000, 64_000, 98_000]);
    announcer.stop();
    await clock.advance(100_000);
    expect(heard).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });

  test('the callback offer joins once the caller waited long enough, and the key counts only from then', async () => {
    const { clock, heard, announcer } = schedule({ everyMs: 20_000, speakMs: 0, callbackAfterMs: 45_000 });
    announcer.start();
    await clock.advance(40_000);
    expect(heard.map((h) => h.a.callbackDigit)).toEqual([undefined, undefined]);
    expect(announcer.callbackOffered).toBe(false);
    await clock.advance(20_000);
    expect(heard.map((h) => h.a.callbackDigit)).toEqual([undefined, undefined, '1']);
    expect(announcer.callbackOffered).toBe(true);
    announcer.stop();
  });

  test('an announcement is skipped while an agent rings, and a failed estimate costs only that one', async () => {
    let ringing = true;
    let fail = false;
    const { clock, heard, announcer } = schedule({
      everyMs: 10_000, speakMs: 0, busy: () => ringing,
      estimate: async () => {
        if (fail) throw new Error('router busy');
        return { position: 1, estimatedWaitSeconds: 30 };
      },
    });
    announcer.start();
    await clock.advance(25_000);
    expect(heard).toEqual([]);
    ringing = false; // the agent let it ring out: back to waiting
    fail = true;
    await clock.advance(10_000);
    expect(heard).toEqual([]);
    fail = false;
    await clock.advance(10_000);
    expect(heard).toEqual([{ at: 40_000, a: { position: 1, estimatedWaitSeconds: 30 } }]);
    announcer.stop();
  });

  test("routing's estimate: position × today's average handle time ÷ staffed agents, as the caller hears it", async () => {
    const core = new RouterCore({ random: () => 0.5, day: () => 'd' });
    core.upsertQueue({ id: 'q1', strategy: 'longest_idle', serviceLevelSeconds: 20, maxWaitSeconds: null, overflow: [], priorityRules: [], agingPerMinute: 0, acwSeconds: 0 });
    core.upsertAgent({ id: 'a', state: 'available', capacity: { voice: 1, chat: 3 }, callBlocksChats: true, memberships: new Map([['q1', { skillLevel: 3, priority: 1 }]]), skills: new Map() }, 0);
    const call = (id: string, at: number) => core.enqueue({ id, queueId: 'q1', channel: 'voice', priority: 0, enqueuedAt: at, attributes: {}, previousAgentId: null, requiredSkills: [] });
    // Two calls handled today: 100 s and 140 s (average 120 s); the agent is on a third.
    for (const [id, handled] of [['t1', 100], ['t2', 140]] as const) {
      call(id, 1);
      for (const d of core.route(10)) core.accept(d.taskId, d.agentIds[0]!, 10);
      core.complete(id, 20, handled);
    }
    call('t3', 30);
    for (const d of core.route(40)) core.accept(d.taskId, d.agentIds[0]!, 40);
    call('t4', 50);
    call('t5', 60);
    const clock = new FakeClock();
    const heard: string[] = [];
    const announcer = new WaitAnnouncer({ announceEveryMs: 15_000, announcePosition: true }, {
      busy: () => false,
      estimate: async () => core.estimate('t5', clock.now()),
      announce: async (a) => void heard.push(announcementText(a, 'en'), announcementText(a, 'zh')),
    }, clock);
    announcer.start();
    await clock.advance(15_000);
    announcer.stop();
    // t5 is second behind t4; 2 × 120 s ÷ 1 busy agent = 240 s.
    expect(core.estimate('t5', 0)).toEqual({ position: 2, estimatedWaitSeconds: 240 });
    expect(heard).toEqual(['You are number 2 in line. Your estimated wait is about 4 minutes.', '您前面还有一位客户。预计等待约四分钟。']);
  });
});
