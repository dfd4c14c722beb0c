// Checks and transcodes an uploaded prompt: the type is read from the bytes (a RIFF/WAVE header with a PCM,
// IEEE-float, A-law or µ-law format, or an MP3 stream: ID3 tag or an MPEG audio frame header), never from the
// file name; sox then has to decode it (a file that only looks like audio fails here), and writes the copies the
// media engine plays: 8 kHz 16-bit mono for calls and 16 kHz for WebRTC and the browser preview.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const MAX_PROMPT_BYTES = 10 * 1024 * 1024;
/** Longest prompt kept (an MP3 of a few MB can decode to hours: the decode stops here and the upload is refused). */
export const MAX_PROMPT_SECONDS = 600;

export type PromptRate = 8000 | 16000;

export class PromptAudioError extends Error {
  constructor(readonly reason: 'unsupported_type' | 'undecodable' | 'too_long' | 'empty', message: string) {
    super(message);
    this.name = 'PromptAudioError';
  }
}

export interface DetectedFormat {
  container: 'wav' | 'mp3';
  /** e.g. `wav pcm_s16le 44100 Hz 2 ch`, `wav mu-law 8000 Hz 1 ch`, `mp3`. */
  description: string;
}

const WAV_CODECS: Record<number, string> = { 1: 'pcm', 3: 'float', 6: 'a-law', 7: 'mu-law' };

/** Reads the format from the first bytes; undefined when the bytes are neither a WAV nor an MP3. */
export function detectFormat(data: Buffer): DetectedFormat | undefined {
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WAVE') {
    // Walk the chunks to `fmt ` (it is usually first, but need not be).
    for (let at = 12; at + 8 <= data.length;) {
      const id = data.toString('latin1', at, at + 4);
      const size = data.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 8 + 16 <= data.length) {
        let codec = data.readUInt16LE(at + 8);
        // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
        if (codec === 0xfffe && size >= 40 && at + 8 + 26 <= data.length) codec = data.readUInt16LE(at + 8 + 24);
        const name = WAV_CODECS[codec];
        if (!name) return undefined;
        const channels = data.readUInt16LE(at + 10);
        const rate = data.readUInt32LE(at + 12);
        const bits = data.readUInt16LE(at + 22);
        return { container: 'wav', description: `wav ${name}${name === 'pcm' || name === 'float' ? ` ${bits}-bit` : ''} ${rate} Hz ${channels} ch` };
      }
      at += 8 + size + (size % 2);
    }
    return undefined;
  }
  if (data.length >= 10 && data.toString('latin1', 0, 3) === 'ID3') return { container: 'mp3', description: 'mp3' };
  // An MPEG audio frame header: 11 sync bits, a valid version, layer III, a bitrate index that is not 0000/1111.
  if (data.length >= 4 && data[0] === 0xff && (data[1]! & 0xe0) === 0xe0) {
    const version = (data[1]! >> 3) & 0x3;
    const layer = (data[1]! >> 1) & 0x3;
    const bitrate = data[2]! >> 4;
    const rate = (data[2]! >> 2) & 0x3;
    if (version !== 1 && layer === 1 && bitrate !== 0 && bitrate !== 15 && rate !== 3) return { container: 'mp3', description: 'mp3' };
  }
  return undefined;
}

function run(cmd: string, args: string[], signal?: AbortSignal): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(signal ? { signal } : {}) });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

export interface TranscodedPrompt {
  format: DetectedFormat;
  /** 16-bit mono PCM at each rate. */
  pcm: Record<PromptRate, Int16Array>;
  durationMs: number;
}

/** Detects, decodes and resamples an upload; throws PromptAudioError for anything that is not usable audio. */
export async function transcodePrompt(data: Buffer): Promise<TranscodedPrompt> {
  const format = detectFormat(data);
  if (!format) throw new PromptAudioError('unsupported_type', 'the file is not a WAV (PCM, A-law or µ-law) or MP3 audio file');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-prompt-'));
  try {
    // sox reads by the type we detected (`-t`), not by a name the uploader chose.
    const input = path.join(dir, `in-${randomBytes(4).toString('hex')}`);
    await fs.writeFile(input, data);
    const pcm = {} as Record<PromptRate, Int16Array>;
    for (const rate of [8000, 16000] as const) {
      const out = path.join(dir, `out-${rate}.raw`);
      // Mixed down to mono, resampled, 16-bit; cut at the maximum length (+1 sample to notice a longer file).
      const r = await run('sox', ['-q', '-t', format.container, input, '-t', 'raw', '-r', String(rate), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', out, 'trim', '0', `${MAX_PROMPT_SECONDS * rate + 1}s`]);
      if (r.code !== 0) throw new PromptAudioError('undecodable', `the audio cannot be decoded as ${format.container.toUpperCase()}`);
      const raw = await fs.readFile(out);
      pcm[rate] = new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength >> 1).slice();
    }
    const samples = pcm[8000].length;
    if (samples === 0) throw new PromptAudioError('empty', 'the audio has no samples');
    if (samples > MAX_PROMPT_SECONDS * 8000) throw new PromptAudioError('too_long', `the prompt is longer than ${MAX_PROMPT_SECONDS / 60} minutes`);
    return { format, pcm, durationMs: Math.round((samples / 8000) * 1000) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The PCM of a WAV this module wrote (wavOf: a 44-byte canonical header, 16-bit mono). */
export function pcmOfStoredWav(wav: Buffer): Int16Array {
  if (wav.length < 44 || wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 36, 40) !== 'data') throw new Error('not a stored prompt WAV');
  const data = wav.subarray(44);
  return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + (data.byteLength & ~1)));
}
