import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export async function sox(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('sox', args, { maxBuffer: 1 << 24 });
}

/** `sox file -n stats` (per channel with remix) parsed into name → value. */
export async function soxStats(file: string, channel?: number, effects: string[] = []): Promise<Record<string, number>> {
  const args = channel === undefined ? [file, '-n', ...effects, 'stats'] : [file, '-n', 'remix', String(channel), ...effects, 'stats'];
  const { stderr } = await sox(args);
  const out: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    const m = /^(.+?)\s{2,}(-?[\d.]+|-inf)/.exec(line.trim());
    if (m) out[m[1]!.trim()] = m[2] === '-inf' ? -Infinity : Number(m[2]);
  }
  return out;
}

export async function soxInfo(file: string): Promise<{ channels: number; rate: number; durationS: number }> {
  const { stdout } = await run('sox', ['--i', file]);
  const channels = Number(/Channels\s*:\s*(\d+)/.exec(stdout)?.[1]);
  const rate = Number(/Sample Rate\s*:\s*(\d+)/.exec(stdout)?.[1]);
  const samples = Number(/=\s*(\d+)\s*samples/.exec(stdout)?.[1]);
  return { channels, rate, durationS: samples / rate };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kefu-media-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
