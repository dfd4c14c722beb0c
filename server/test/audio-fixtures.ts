// Measuring call audio in tests: a WAV's channel as 8 kHz PCM (through sox), the strongest share of a tone in any
// 200 ms window (audio that changes over a call), and a fake microphone file for Chromium.
import { spawnSync } from 'node:child_process';
import { toneShare } from '@kefu/media';

/** The largest share of the energy at `hz` in any 200 ms window of `rate` Hz PCM. */
export function bestShare(samples: Int16Array, hz: number, rate = 8000): number {
  const win = rate / 5;
  let best = 0;
  for (let at = 0; at + win <= samples.length; at += win / 2) best = Math.max(best, toneShare(samples, hz, rate, at, win));
  return best;
}

/** One channel of a WAV as 8 kHz PCM; `remix` picks the channel of a stereo file (a mono file has only 1). */
export function channel(file: string, n: 1 | 2 = 1): Int16Array {
  const out = spawnSync('sox', [file, '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-', 'remix', String(n)], { maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`sox failed: ${out.stderr.toString()}`);
  const b = out.stdout as Buffer;
  return new Int16Array(b.buffer, b.byteOffset, Math.floor(b.length / 2));
}

/**
 * A WAV for `--use-file-for-fake-audio-capture`: a tone at `hz`, pulsing three times a second when `pulsed` (Chromium's
 * noise suppression learns a steady tone as background noise within seconds and removes it; a pulsing one stays).
 */
export function fakeMicrophone(file: string, hz: number, o: { seconds?: number; pulsed?: boolean } = {}): void {
  const effects = o.pulsed ? ['tremolo', '3', '100'] : [];
  const r = spawnSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file, 'synth', String(o.seconds ?? 120), 'sine', String(hz), ...effects, 'vol', '0.5']);
  if (r.status !== 0) throw new Error(`sox failed: ${r.stderr.toString()}`);
}
