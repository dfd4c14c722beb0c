// Speech recognition: the provider interface, pocketsphinx (Debian, en-us) with a JSGF grammar made from the
// node's phrases, and the adapter for a cloud recognizer that speaks Kefu's small HTTP protocol (docs/flows.md).
// Debian's en-us model is 16 kHz only: it recognizes wideband (WebRTC) audio, not 8 kHz phone audio.
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { runProcess, wavOf } from './tts.ts';

export interface Recognition {
  /** The phrase heard ('' when nothing in the grammar was). */
  text: string;
  confidence?: number | undefined;
}

export interface RecognizeOptions {
  sampleRate: 8000 | 16000;
  /** What the caller may say; recognizers with grammars listen for these only. */
  phrases: string[];
  language: 'zh' | 'en' | 'yue';
  signal?: AbortSignal | undefined;
}

export interface AsrProvider {
  readonly name: string;
  recognize(pcm: Int16Array, options: RecognizeOptions): Promise<Recognition>;
}

const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** Lower case, letters and digits only: the form pocketsphinx's dictionary uses. */
export const grammarWords = (phrase: string): string[] => phrase.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);

export class PocketsphinxAsr implements AsrProvider {
  readonly name = 'pocketsphinx';
  private dictionary: Set<string> | undefined;

  constructor(private readonly o: { modelDir?: string; binary?: string } = {}) {}

  private words(): Set<string> {
    // The dictionary (135k words) is read once; a grammar word missing from it would make pocketsphinx fail.
    this.dictionary ??= new Set(readFileSync(path.join(this.o.modelDir ?? MODEL_DIR, 'cmudict-en-us.dict'), 'utf8').split('\n').map((l) => l.split(' ')[0]!).filter(Boolean));
    return this.dictionary;
  }

  /** The JSGF grammar of the phrases the dictionary can spell (others, Chinese ones included, are left out). */
  grammar(phrases: string[]): string | undefined {
    const dict = this.words();
    const usable = [...new Set(phrases.map((p) => grammarWords(p)).filter((w) => w.length && w.every((x) => dict.has(x))).map((w) => w.join(' ')))];
    if (!usable.length) return undefined;
    return `#JSGF V1.0;\ngrammar kefu;\npublic <choice> = ${usable.join(' | ')};\n`;
  }

  async recognize(pcm: Int16Array, o: RecognizeOptions): Promise<Recognition> {
    if (o.language !== 'en') return { text: '' };
    const grammar = this.grammar(o.phrases);
    if (!grammar) return { text: '' };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-asr-'));
    try {
      const id = randomUUID();
      await fs.writeFile(path.join(dir, `${id}.jsgf`), grammar);
      await fs.writeFile(path.join(dir, `${id}.wav`), wavOf(pcm, o.sampleRate));
      const model = this.o.modelDir ?? MODEL_DIR;
      const out = await runProcess(this.o.binary ?? 'pocketsphinx_continuous', [
        '-infile', path.join(dir, `${id}.wav`), '-jsgf', path.join(dir, `${id}.jsgf`), '-hmm', path.join(model, 'en-us'),
        '-dict', path.join(model, 'cmudict-en-us.dict'), '-samprate', String(o.sampleRate), '-logfn', '/dev/null',
      ], undefined, o.signal);
      return { text: out.toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean).join(' ') };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}

/**
 * A cloud recognizer behind Kefu's HTTP protocol: POST <url> with `Authorization: Bearer <key>` and
 * `{ "sampleRate", "encoding": "pcm_s16le", "language", "phrases": [...], "audio": <base64> }`; the answer is
 * `{ "text": string, "confidence"?: number }` (200), anything else is a failure.
 */
export class CloudAsr implements AsrProvider {
  readonly name = 'cloud';

  constructor(private readonly o: { url: string; apiKey: string; timeoutMs?: number; fetch?: typeof fetch }) {}

  async recognize(pcm: Int16Array, o: RecognizeOptions): Promise<Recognition> {
    const audio = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
    const timeout = AbortSignal.timeout(this.o.timeoutMs ?? 10_000);
    const res = await (this.o.fetch ?? fetch)(this.o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.apiKey}` },
      body: JSON.stringify({ sampleRate: o.sampleRate, encoding: 'pcm_s16le', language: o.language, phrases: o.phrases, audio }),
      signal: o.signal ? AbortSignal.any([timeout, o.signal]) : timeout,
    });
    if (res.status !== 200) throw new Error(`the cloud recognizer answered ${res.status}`);
    const body = (await res.json()) as { text?: unknown; confidence?: unknown };
    if (typeof body.text !== 'string') throw new Error('the cloud recognizer answered without text');
    return { text: body.text, confidence: typeof body.confidence === 'number' ? body.confidence : undefined };
  }
}
