import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, WavFileWriter } from '../src/audio/wav.ts';
import { resampleTo8k } from '../src/audio/resample.ts';
import { shareAt } from '../src/testing/index.ts';
import { soxInfo, withTempDir } from './helpers.ts';

describe('WAV files', () => {
  it('writes a streamed stereo file that sox reads with the right length', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 's.wav');
      const w = new WavFileWriter(file, 2, 8000, 1280);
      for (let i = 0; i < 50; i++) w.write(new Int16Array(320).fill(i));
      await w.close();
      expect(await soxInfo(file)).toEqual({ channels: 2, rate: 8000, durationS: 1 });
    });
  });

  it('reads a file whose writer never closed (data size still 0), dropping a torn last frame', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'partial.wav');
      const w = new WavFileWriter(file, 1, 8000, 320);
      for (let i = 0; i < 10; i++) w.write(new Int16Array(160).fill(500));
      await new Promise((r) => setTimeout(r, 100)); // flushed, never closed
      const buf = Buffer.concat([await readFile(file), Buffer.from([7])]);
      expect(buf.readUInt32LE(40)).toBe(0);
      const wav = decodeWav(buf);
      expect(wav.samples.length).toBe(1600);
      expect(wav.samples[1599]).toBe(500);
    });
  });

  it('mixes stereo down to mono and resamples 16 kHz to 8 kHz keeping the tone', () => {
    const n = 16000;
    const stereo = new Int16Array(n * 2);
    for (let i = 0; i < n; i++) stereo[2 * i] = stereo[2 * i + 1] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const wav = decodeWav(encodeWav(stereo, 2, 16000));
    expect(wav).toMatchObject({ channels: 2, sampleRate: 16000 });
    const eight = resampleTo8k(wav.samples, 16000);
    expect(eight.length).toBe(8000);
    expect(shareAt(eight, 1000)).toBeGreaterThan(0.95);
  });

  it('rejects files that are not RIFF/WAVE or use an unsupported format', () => {
    expect(() => decodeWav(Buffer.alloc(64))).toThrow(/RIFF/);
    const float = encodeWav(new Int16Array(10), 1);
    float.writeUInt16LE(3, 20); // IEEE float
    expect(() => decodeWav(float)).toThrow(/not supported/);
  });
});
