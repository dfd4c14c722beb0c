import { afterEach, describe, expect, it, vi } from 'vitest';
import { JitterBuffer } from '../src/audio/jitter-buffer.ts';
import { Ticker } from '../src/engine/clock.ts';

const frame = (v: number) => new Int16Array(160).fill(v);

describe('jitter buffer', () => {
  it('waits for its target depth, then plays frames in timestamp order despite reordering', () => {
    const jb = new JitterBuffer();
    jb.push(160, frame(2));
    expect(jb.pull()).toBeUndefined(); // priming (target 2 frames)
    jb.push(0, frame(1));
    jb.push(480, frame(4));
    jb.push(320, frame(3));
    expect([jb.pull(), jb.pull(), jb.pull(), jb.pull()].map((f) => f?.[0])).toEqual([1, 2, 3, 4]);
  });

  it('conceals a lost frame by repeating the last one at half level, and drops late arrivals', () => {
    const jb = new JitterBuffer();
    jb.push(0, frame(1000));
    jb.push(160, frame(1000));
    jb.push(480, frame(7));
    expect(jb.pull()?.[0]).toBe(1000);
    expect(jb.pull()?.[0]).toBe(1000);
    expect(jb.pull()?.[0]).toBe(500); // ts 320 missing
    jb.push(320, frame(3)); // too late
    expect(jb.stats.late).toBe(1);
    expect(jb.pull()?.[0]).toBe(7);
    expect(jb.stats.concealed).toBe(1);
  });

  it('grows its target with jitter and falls back to priming after an underrun', () => {
    const jb = new JitterBuffer();
    jb.adapt(0);
    expect(jb.stats.targetFrames).toBe(1);
    jb.adapt(40);
    expect(jb.stats.targetFrames).toBe(7);
    jb.adapt(1000);
    expect(jb.stats.targetFrames).toBe(10);
    jb.adapt(0);
    jb.push(0, frame(1));
    expect(jb.pull()?.[0]).toBe(1);
    for (let i = 0; i < 4; i++) jb.pull();
    expect(jb.stats.underruns).toBe(1);
    expect(jb.pull()).toBeUndefined();
  });

  it('skips ahead over a timestamp gap (silence suppression) instead of concealing forever', () => {
    const jb = new JitterBuffer();
    jb.adapt(0);
    jb.push(0, frame(1));
    jb.pull();
    jb.push(160 * 20, frame(9)); // next talkspurt 400 ms later
    const out = Array.from({ length: 5 }, () => jb.pull()?.[0]);
    expect(out).toContain(9);
  });
});

describe('monotonic ticker', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps its schedule from the start time, so late timers do not accumulate drift', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const at: number[] = [];
    const t = new Ticker((now) => at.push(now), 20);
    t.startTicking();
    vi.advanceTimersByTime(1000);
    t.stop();
    expect(at).toHaveLength(50);
    expect(at.at(-1)).toBeCloseTo(1000, 0);
  });

  it('catches up a bounded number of ticks after a stall, then keeps the original phase', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let clock = 0;
    const at: number[] = [];
    const t = new Ticker((now) => at.push(now), 20, 5, () => clock);
    t.startTicking();
    clock = 20;
    vi.advanceTimersByTime(20);
    expect(at).toEqual([20]);
    clock = 260; // the thread stalled for 240 ms (12 ticks due)
    vi.advanceTimersByTime(20);
    expect(at).toHaveLength(1 + 5);
    clock = 280;
    vi.advanceTimersByTime(20);
    expect(at).toHaveLength(7);
    t.stop();
  });
});
