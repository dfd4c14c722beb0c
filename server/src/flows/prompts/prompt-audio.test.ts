// Prompt uploads are typed by their bytes and decoded by sox: WAV at common rates and encodings and MP3 become
// 8 kHz and 16 kHz mono PCM of the same length; text renamed to .wav, a truncated MP3 and unknown WAV codecs are
// refused. Files are made with sox (Debian's, with libsox-fmt-all for MP3).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { detectFormat, PromptAudioError, transcodePrompt } from './prompt-audio.ts';

function tone(ext: string, seconds: number, options: string[]): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-prompt-test-'));
  try {
    const file = path.join(dir, `t.${ext}`);
    const r = spawnSync('sox', ['-n', ...options, file, 'synth', String(seconds), 'sine', '440', 'vol', '0.5'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((s, x) => s + (x / 32768) ** 2, 0) / pcm.length);

describe('prompt audio', () => {
  test.each([
    ['PCM 16-bit 44.1 kHz stereo', 'wav', ['-r', '44100', '-c', '2', '-b', '16'], 'wav pcm 16-bit 44100 Hz 2 ch'],
    ['PCM 8-bit 11.025 kHz', 'wav', ['-r', '11025', '-c', '1', '-b', '8'], 'wav pcm 8-bit 11025 Hz 1 ch'],
    ['µ-law 8 kHz', 'wav', ['-r', '8000', '-c', '1', '-e', 'u-law'], 'wav mu-law 8000 Hz 1 ch'],
    ['A-law 8 kHz', 'wav', ['-r', '8000', '-c', '1', '-e', 'a-law'], 'wav a-law 8000 Hz 1 ch'],
    ['PCM 24-bit 48 kHz', 'wav', ['-r', '48000', '-c', '1', '-b', '24'], 'wav pcm 24-bit 48000 Hz 1 ch'],
    ['MP3 44.1 kHz', 'mp3', ['-r', '44100', '-c', '2'], 'mp3'],
  ])('%s becomes 8 kHz and 16 kHz mono of the same length, not silent', async (_name, ext, options, description) => {
    const out = await transcodePrompt(tone(ext, 1.5, options));
    expect(out.format.description).toBe(description);
    // MP3 encoders pad the start and end by a frame or two.
    expect(out.durationMs).toBeGreaterThan(1450);
    expect(out.durationMs).toBeLessThan(ext === 'mp3' ? 1650 : 1510);
    expect(Math.abs(out.pcm[16000].length - 2 * out.pcm[8000].length)).toBeLessThanOrEqual(2);
    expect(rms(out.pcm[8000])).toBeGreaterThan(0.2);
  });

  test('text renamed to .wav is refused by its bytes', async () => {
    const text = Buffer.from('RIFF? no: this is a note saved as welcome.wav\n'.repeat(20));
    expect(detectFormat(text)).toBeUndefined();
    await expect(transcodePrompt(text)).rejects.toMatchObject({ reason: 'unsupported_type' });
  });

  test('bytes that look like a WAV but do not decode are refused by sox', async () => {
    const wav = tone('wav', 1, ['-r', '8000', '-c', '1']);
    const broken = Buffer.concat([wav.subarray(0, 20), Buffer.alloc(4, 0), wav.subarray(24, 44)]); // zero sample rate, no data
    await expect(transcodePrompt(broken)).rejects.toBeInstanceOf(PromptAudioError);
  });

  test('a WAV in a codec the media engine cannot take (GSM) is refused', async () => {
    const gsm = tone('wav', 1, ['-r', '8000', '-c', '1', '-e', 'gsm-full-rate']);
    expect(detectFormat(gsm)).toBeUndefined();
  });
});
