// espeak-ng speaks Mandarin and English prompts: the audio is measured with sox (not silent, a plausible length
// for the text), at 8 kHz for calls and 16 kHz for WebRTC, and the second request comes from the cache.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EspeakTts, PromptSynthesizer, wavOf, type SampleRate, type TtsProvider } from './tts.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-tts-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** sox's `stat` of a WAV: length in seconds and RMS amplitude (0–1). */
function measure(pcm: Int16Array, rate: number): { seconds: number; rms: number; rate: number } {
  const file = path.join(dir, `m-${Math.random().toString(36).slice(2)}.wav`);
  fs.writeFileSync(file, wavOf(pcm, rate));
  const stat = spawnSync('sox', [file, '-n', 'stat'], { encoding: 'utf8' }).stderr;
  const info = spawnSync('soxi', ['-r', file], { encoding: 'utf8' }).stdout;
  const value = (name: string) => Number(new RegExp(`${name}:\\s+([-\\d.e]+)`).exec(stat)?.[1]);
  return { seconds: value('Length \\(seconds\\)'), rms: value('RMS     amplitude'), rate: Number(info.trim()) };
}

class CountingTts implements TtsProvider {
  readonly name = 'espeak-ng';
  calls = 0;
  private readonly inner = new EspeakTts();
  synthesize(text: string, voice: string, rate: SampleRate): Promise<Int16Array> {
    this.calls++;
    return this.inner.synthesize(text, voice, rate);
  }
}

describe('espeak-ng prompts', () => {
  const provider = new CountingTts();
  const tts = new PromptSynthesizer({ provider, cacheDir: path.join(dir, 'cache') });

  test('a Mandarin prompt at 8 kHz is speech of a plausible length', async () => {
    const text = '欢迎致电演示中心。销售请按一，技术支持请按二。';
    const m = measure(await tts.speak(text, 'zh', 8000), 8000);
    expect(m.rate).toBe(8000);
    expect(m.rms).toBeGreaterThan(0.02);
    // 21 syllables: between 0.15 s and 0.6 s each.
    expect(m.seconds).toBeGreaterThan(21 * 0.15);
    expect(m.seconds).toBeLessThan(21 * 0.6);
  });

  test('an English prompt at 16 kHz is speech of a plausible length', async () => {
    const text = 'Welcome to the Kefu demo: press one for sales, two for support, nine to repeat.';
    const m = measure(await tts.speak(text, 'en', 16000), 16000);
    expect(m.rate).toBe(16000);
    expect(m.rms).toBeGreaterThan(0.02);
    // 15 words at 120–250 words per minute.
    expect(m.seconds).toBeGreaterThan(15 / 250 * 60);
    expect(m.seconds).toBeLessThan(15 / 120 * 60 + 1);
  });

  test('a mixed prompt is spoken by two voices, one run each, and comes from the cache the second time', async () => {
    const before = provider.calls;
    const first = await tts.speak('欢迎致电Kefu演示中心', 'auto', 8000);
    expect(provider.calls - before).toBe(3);
    const m = measure(first, 8000);
    expect(m.rms).toBeGreaterThan(0.02);
    expect(m.seconds).toBeGreaterThan(1);
    const again = await tts.speak('欢迎致电Kefu演示中心', 'auto', 8000);
    expect(provider.calls - before).toBe(3);
    expect(Buffer.from(again.buffer, again.byteOffset, again.byteLength).equals(Buffer.from(first.buffer, first.byteOffset, first.byteLength))).toBe(true);
  });

  test('the disk cache serves a new process (memory dropped) without synthesizing again', async () => {
    await tts.speak('Your order has shipped.', 'en', 8000);
    const calls = provider.calls;
    const fresh = new PromptSynthesizer({ provider, cacheDir: path.join(dir, 'cache') });
    const pcm = await fresh.speak('Your order has shipped.', 'en', 8000);
    expect(provider.calls).toBe(calls);
    expect(fresh.stats).toEqual({ hits: 1, misses: 0 });
    expect(measure(pcm, 8000).rms).toBeGreaterThan(0.02);
  });

  test('Cantonese has its own voice', async () => {
    const m = measure(await tts.speak('歡迎致電', 'yue', 8000), 8000);
    expect(m.rms).toBeGreaterThan(0.02);
    expect(m.seconds).toBeGreaterThan(0.5);
  });
});
