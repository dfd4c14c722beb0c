import { open, readFile, type FileHandle } from 'node:fs/promises';
import { decodeAlaw, decodeUlaw } from '../codec/g711.ts';
import { MediaError } from '../errors.ts';
import { resampleTo8k } from './resample.ts';

const WAVE_PCM = 1;
const WAVE_ALAW = 6;
const WAVE_MULAW = 7;
const WAVE_EXTENSIBLE = 0xfffe;

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** Mono mix at the file's rate. */
  samples: Int16Array;
}

/** Reads RIFF/WAVE with PCM 8/16-bit, µ-law or A-law data; mixes channels down to mono. */
export function decodeWav(buf: Buffer): DecodedWav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new MediaError('MEDIA_WAV_UNSUPPORTED', 'not a RIFF/WAVE file');
  }
  let o = 12;
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let data: Buffer | undefined;
  while (o + 8 <= buf.length) {
    const id = buf.toString('ascii', o, o + 4);
    let size = buf.readUInt32LE(o + 4);
    // Streams written without a final size (a writer that never closed) keep 0 or a too-large size.
    if (o + 8 + size > buf.length || (id === 'data' && size === 0)) size = buf.length - o - 8;
    if (id === 'fmt ') {
      format = buf.readUInt16LE(o + 8);
      channels = buf.readUInt16LE(o + 10);
      sampleRate = buf.readUInt32LE(o + 12);
      bits = buf.readUInt16LE(o + 22);
      if (format === WAVE_EXTENSIBLE && size >= 40) format = buf.readUInt16LE(o + 32);
    } else if (id === 'data') {
      data = buf.subarray(o + 8, o + 8 + size);
    }
    o += 8 + size + (size & 1);
  }
  if (!data || channels < 1 || sampleRate < 1) throw new MediaError('MEDIA_WAV_UNSUPPORTED', 'WAVE file without fmt or data chunk');
  let interleaved: Int16Array;
  if (format === WAVE_PCM && bits === 16) {
    data = data.subarray(0, data.length - (data.length % (2 * channels))); // drop a torn last frame
    interleaved = new Int16Array(data.length >> 1);
    for (let i = 0; i < interleaved.length; i++) interleaved[i] = data.readInt16LE(i * 2);
  } else if (format === WAVE_PCM && bits === 8) {
    interleaved = new Int16Array(data.length);
    for (let i = 0; i < data.length; i++) interleaved[i] = (data[i]! - 128) << 8;
  } else if (format === WAVE_MULAW && bits === 8) {
    interleaved = decodeUlaw(data);
  } else if (format === WAVE_ALAW && bits === 8) {
    interleaved = decodeAlaw(data);
  } else {
    throw new MediaError('MEDIA_WAV_UNSUPPORTED', `WAVE format ${format} with ${bits} bits is not supported`);
  }
  if (channels === 1) return { sampleRate, channels, samples: interleaved };
  const frames = Math.floor(interleaved.length / channels);
  const mono = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += interleaved[i * channels + c]!;
    mono[i] = Math.round(sum / channels);
  }
  return { sampleRate, channels, samples: mono };
}

/** Loads a WAV file as 8 kHz mono linear PCM (resampled when needed). */
export async function loadWav8k(path: string): Promise<Int16Array> {
  const wav = decodeWav(await readFile(path));
  return resampleTo8k(wav.samples, wav.sampleRate);
}

function header(channels: number, sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(WAVE_PCM, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export function encodeWav(interleaved: Int16Array, channels: number, sampleRate = 8000): Buffer {
  const body = Buffer.alloc(interleaved.length * 2);
  for (let i = 0; i < interleaved.length; i++) body.writeInt16LE(interleaved[i]!, i * 2);
  return Buffer.concat([header(channels, sampleRate, body.length), body]);
}

/**
 * Streams 16-bit PCM to a WAV file: a header with zero sizes first, data appended in
 * batches (about once a second), and the sizes patched in on close.
 */
export class WavFileWriter {
  private handle: FileHandle | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private written = 0;
  private chain: Promise<void>;

  constructor(
    readonly path: string,
    readonly channels: number,
    readonly sampleRate = 8000,
    private readonly flushBytes = sampleRate * channels * 2,
  ) {
    this.chain = open(path, 'w').then(async (h) => {
      this.handle = h;
      await h.write(header(channels, sampleRate, 0), 0, 44, 0);
    });
  }

  /** Appends interleaved frames. */
  write(interleaved: Int16Array): void {
    const b = Buffer.allocUnsafe(interleaved.length * 2);
    for (let i = 0; i < interleaved.length; i++) b.writeInt16LE(interleaved[i]!, i * 2);
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  get dataBytes(): number {
    return this.written + this.pendingBytes;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    const at = 44 + this.written;
    this.written += chunk.length;
    this.chain = this.chain.then(async () => {
      await this.handle!.write(chunk, 0, chunk.length, at);
    });
  }

  async close(): Promise<void> {
    this.flush();
    const total = this.written;
    this.chain = this.chain.then(async () => {
      await this.handle!.write(header(this.channels, this.sampleRate, total), 0, 44, 0);
      await this.handle!.close();
    });
    await this.chain;
  }
}
