import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { WavFileWriter } from '@kefu/media';
import { parseRange, repairWavHeader } from './wav-repair.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('repairWavHeader', () => {
  test('a stereo recording whose writer never closed becomes a WAV that sox reads with its real length', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-wav-'));
    const file = path.join(dir, 'partial.wav');
    // A writer that flushes every 40 ms of audio and is abandoned without close(), as in a crash.
    const writer = new WavFileWriter(file, 2, 8000, 1280);
    for (let i = 0; i < 50; i++) writer.write(new Int16Array(320).fill(1000)); // 50 × 20 ms
    await new Promise((r) => setTimeout(r, 200));
    const before = await fs.readFile(file);
    expect(before.readUInt32LE(40)).toBe(0); // the header still says "no data"
    // A torn last write: one byte of a sample frame.
    await fs.appendFile(file, Buffer.from([7]));
    const repaired = await repairWavHeader(file);
    expect(repaired).toEqual({ dataBytes: 50 * 320 * 2, channels: 2, durationMs: 1000 });
    const info = spawnSync('soxi', ['-D', file], { encoding: 'utf8' });
    expect(Number(info.stdout.trim())).toBeCloseTo(1, 2);
    expect(spawnSync('soxi', ['-c', file], { encoding: 'utf8' }).stdout.trim()).toBe('2');
  });

  test('a file that is not a WAV is left alone', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-wav-'));
    const file = path.join(dir, 'junk.wav');
    await fs.writeFile(file, Buffer.alloc(100, 1));
    expect(await repairWavHeader(file)).toBeUndefined();
  });
});

describe('parseRange', () => {
  test('reads the single-range forms of RFC 9110 and refuses what lies beyond the end', () => {
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=500-5000', 1000)).toEqual({ start: 500, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 1000)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-9', 1000)).toBeUndefined();
    expect(parseRange('items=0-1', 1000)).toBeUndefined();
  });
});
