// Text to speech: the provider interface, espeak-ng (Debian) as the local default, and the prompt synthesizer
// that splits mixed Chinese/English text by script, picks a voice per run, and caches each run's audio by a hash
// of provider + voice + rate + text in the data directory (and the hottest in memory).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { splitByScript } from './script-split.ts';

export type SampleRate = 8000 | 16000;

export interface TtsProvider {
  readonly name: string;
  /** Signed 16-bit mono PCM of the text spoken by the voice, at the rate asked for. */
  synthesize(text: string, voice: string, sampleRate: SampleRate, signal?: AbortSignal): Promise<Int16Array>;
}

/** Runs a child process with `input` on stdin and returns its stdout (rejects on a non-zero exit). */
export function runProcess(cmd: string, args: string[], input: Buffer | string | undefined, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`${cmd} exited with ${code}: ${err.slice(0, 300)}`))));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

export const toInt16 = (buf: Buffer): Int16Array => {
  const copy = Buffer.from(buf.subarray(0, buf.length - (buf.length % 2)));
  return new Int16Array(copy.buffer, copy.byteOffset, copy.length / 2);
};

/** espeak-ng writes a 22.05 kHz WAV; sox resamples it to the call's rate as raw 16-bit PCM. */
export class EspeakTts implements TtsProvider {
  readonly name = 'espeak-ng';

  async synthesize(text: string, voice: string, sampleRate: SampleRate, signal?: AbortSignal): Promise<Int16Array> {
    // Text goes on stdin (never as an argument: a prompt could start with "-").
    const wav = await runProcess('espeak-ng', ['-v', voice, '-s', '150', '--stdin', '--stdout'], text, signal);
    const raw = await runProcess('sox', ['-q', '-t', 'wav', '-', '-t', 'raw', '-r', String(sampleRate), '-e', 'signed', '-b', '16', '-c', '1', '-'], wav, signal);
    return toInt16(raw);
  }
}

/** Voices per language (Debian's espeak-ng 1.51 `cmn` voice reads Han characters as digits; `cmn-latn-pinyin` reads them). */
export const VOICES = { zh: 'cmn-latn-pinyin', yue: 'yue', en: 'en-us' } as const;

export interface SynthesizerOptions {
  provider: TtsProvider;
  /** Directory of the on-disk cache (`$KEFU_DATA_DIR/speech/tts-cache`). */
  cacheDir: string;
  /** Bytes of audio kept in memory (most recently used first). */
  memoryBytes?: number;
}

export interface SynthesisStats {
  hits: number;
  misses: number;
}

export class PromptSynthesizer {
  private readonly memory = new Map<string, Int16Array>();
  private memoryUsed = 0;
  private readonly inflight = new Map<string, Promise<Int16Array>>();
  readonly stats: SynthesisStats = { hits: 0, misses: 0 };

  constructor(private readonly o: SynthesizerOptions) {}

  /** Speaks a prompt: `auto` and `zh` read Han runs in Mandarin, `yue` in Cantonese, Latin runs in English. */
  async speak(text: string, language: 'auto' | 'zh' | 'en' | 'yue', sampleRate: SampleRate, signal?: AbortSignal): Promise<Int16Array> {
    const runs = splitByScript(text);
    const parts = await Promise.all(runs.map((r) => this.cached(r.text, r.script === 'latin' ? VOICES.en : language === 'yue' ? VOICES.yue : language === 'en' ? VOICES.zh : VOICES.zh, sampleRate, signal)));
    const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  key(text: string, voice: string, sampleRate: SampleRate): string {
    return createHash('sha256').update(`${this.o.provider.name}\0${voice}\0${sampleRate}\0${text}`).digest('hex');
  }

  /** One run of one voice: memory, then disk, then the provider (concurrent requests for one key share it). */
  async cached(text: string, voice: string, sampleRate: SampleRate, signal?: AbortSignal): Promise<Int16Array> {
    const key = this.key(text, voice, sampleRate);
    const hot = this.memory.get(key);
    if (hot) {
      this.memory.delete(key);
      this.memory.set(key, hot);
      this.stats.hits++;
      return hot;
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.load(key, text, voice, sampleRate, signal).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async load(key: string, text: string, voice: string, sampleRate: SampleRate, signal?: AbortSignal): Promise<Int16Array> {
    const file = path.join(this.o.cacheDir, key.slice(0, 2), `${key}.pcm`);
    let pcm: Int16Array;
    try {
      pcm = toInt16(await fs.readFile(file));
      this.stats.hits++;
    } catch {
      this.stats.misses++;
      pcm = await this.o.provider.synthesize(text, voice, sampleRate, signal);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Written under a temporary name and renamed, so a reader never sees half a file.
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      await fs.writeFile(tmp, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      await fs.rename(tmp, file);
    }
    this.remember(key, pcm);
    return pcm;
  }

  private remember(key: string, pcm: Int16Array): void {
    const limit = this.o.memoryBytes ?? 64 * 1024 * 1024;
    this.memory.set(key, pcm);
    this.memoryUsed += pcm.byteLength;
    for (const [k, v] of this.memory) {
      if (this.memoryUsed <= limit) break;
      this.memory.delete(k);
      this.memoryUsed -= v.byteLength;
    }
  }

  /** Forgets the in-memory copies (the benchmark measures disk hits and misses apart). */
  dropMemory(): void {
    this.memory.clear();
    this.memoryUsed = 0;
  }
}

/** A WAV file (RIFF, PCM 16-bit mono) around PCM, for the browser's TTS preview. */
export function wavOf(pcm: Int16Array, sampleRate: number): Buffer {
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
