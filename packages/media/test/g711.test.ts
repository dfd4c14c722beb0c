import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alawToUlaw, decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw, ulawToAlaw } from '../src/codec/g711.ts';
import { sox, withTempDir } from './helpers.ts';
import { writeFile } from 'node:fs/promises';

const everySample = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

describe('G.711', () => {
  it('decodes the G.711 reference code words', () => {
    // µ-law: 0x00/0x80 are the extremes, 0xFF/0x7F zero; A-law: 0xD5/0x55 are ±8, 0xAA/0x2A the extremes.
    expect(Array.from(decodeUlaw(Uint8Array.from([0x00, 0x80, 0xff, 0x7f, 0xf0, 0x70])))).toEqual([-32124, 32124, 0, 0, 120, -120]);
    expect(Array.from(decodeAlaw(Uint8Array.from([0xd5, 0x55, 0xaa, 0x2a, 0xd4])))).toEqual([8, -8, 32256, -32256, 24]);
  });

  it('encodes silence and full scale to the reference code words', () => {
    expect(Array.from(encodeUlaw(Int16Array.from([0, 32767, -32768, 120, -120])))).toEqual([0xff, 0x80, 0x00, 0xf0, 0x70]);
    expect(Array.from(encodeAlaw(Int16Array.from([0, 32767, -32768, -1])))).toEqual([0xd5, 0xaa, 0x2a, 0x55]);
  });

  it('encodes every 16-bit sample like sox does, up to rounding at decision thresholds', async () => {
    await withTempDir(async (dir) => {
      const raw = path.join(dir, 'all.raw');
      await writeFile(raw, Buffer.from(everySample.buffer));
      await sox(['-D', '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', raw, '-t', 'raw', '-e', 'u-law', path.join(dir, 'u.raw')]);
      await sox(['-D', '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', raw, '-t', 'raw', '-e', 'a-law', path.join(dir, 'a.raw')]);
      const u = await readFile(path.join(dir, 'u.raw'));
      const a = await readFile(path.join(dir, 'a.raw'));
      // sox rounds at a few decision thresholds where G.711's reference code (ITU-T G.191) truncates:
      // the two may differ only by one quantization step, on under 2 % of inputs.
      for (const [ours, theirs, decode] of [[encodeUlaw(everySample), u, decodeUlaw], [encodeAlaw(everySample), a, decodeAlaw]] as const) {
        let differing = 0;
        for (let i = 0; i < 65536; i++) {
          if (ours[i] === theirs[i]) continue;
          differing++;
          const mine = decode(ours.subarray(i, i + 1))[0]!;
          const sox = decode(theirs.subarray(i, i + 1))[0]!;
          expect(Math.abs(mine - sox)).toBeLessThanOrEqual(1024);
          expect(Math.abs(mine - everySample[i]!)).toBeLessThanOrEqual(1024);
        }
        expect(differing / 65536).toBeLessThan(0.02);
      }
    });
  });

  it('round-trips every code word through decode and encode', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    // µ-law 0x7F (-0) re-encodes as 0xFF (+0); every other word is stable.
    const u = encodeUlaw(decodeUlaw(all));
    for (let i = 0; i < 256; i++) expect(u[i]).toBe(i === 0x7f ? 0xff : i);
    expect(Array.from(encodeAlaw(decodeAlaw(all)))).toEqual(Array.from(all));
  });

  it('keeps the quantization error within half a segment step', () => {
    for (let s = -32000; s <= 32000; s += 7) {
      const pcm = Int16Array.of(s);
      const step = Math.max(16, 2 ** Math.ceil(Math.log2(Math.abs(s) + 1)) / 16);
      expect(Math.abs(decodeUlaw(encodeUlaw(pcm))[0]! - s)).toBeLessThanOrEqual(step);
      expect(Math.abs(decodeAlaw(encodeAlaw(pcm))[0]! - s)).toBeLessThanOrEqual(step);
    }
  });

  it('transcodes µ-law to A-law and back through the linear value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const a = ulawToAlaw(all);
    for (let i = 0; i < 256; i++) {
      expect(Math.abs(decodeAlaw(a.subarray(i, i + 1))[0]! - decodeUlaw(all.subarray(i, i + 1))[0]!)).toBeLessThanOrEqual(1024);
    }
    expect(decodeUlaw(alawToUlaw(Uint8Array.of(0xd5)))[0]).toBe(8);
  });
});
