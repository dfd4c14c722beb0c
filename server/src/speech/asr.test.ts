// pocketsphinx with a JSGF grammar of the phrases recognizes espeak-ng's 16 kHz speech (≥ 90 % of a fixed set),
// and the cloud adapter speaks its protocol to a local server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { CloudAsr, PocketsphinxAsr } from './asr.ts';
import { EspeakTts, PromptSynthesizer } from './tts.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-asr-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const PHRASES = [
  'sales', 'technical support', 'billing', 'account balance', 'order status',
  'cancel my order', 'speak to an agent', 'opening hours', 'reset my password', 'new account',
];

describe('pocketsphinx with a grammar', () => {
  const asr = new PocketsphinxAsr();
  const tts = new PromptSynthesizer({ provider: new EspeakTts(), cacheDir: path.join(dir, 'cache') });

  test('the grammar lists the phrases the dictionary can spell and leaves out the rest', () => {
    expect(asr.grammar(['Sales', 'order status', '销售', 'zzqxv'])).toBe('#JSGF V1.0;\ngrammar kefu;\npublic <choice> = sales | order status;\n');
  });

  test('recognizes at least 90 % of a fixed set of espeak-generated 16 kHz phrases', async () => {
    const heard: string[] = [];
    for (const phrase of PHRASES) {
      const pcm = await tts.speak(phrase, 'en', 16000);
      heard.push((await asr.recognize(pcm, { sampleRate: 16000, phrases: PHRASES, language: 'en' })).text);
    }
    const right = PHRASES.filter((p, i) => heard[i] === p).length;
    expect(right / PHRASES.length, JSON.stringify(heard)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  test('a language the model does not know yields no text rather than a guess', async () => {
    expect(await asr.recognize(new Int16Array(16000), { sampleRate: 16000, phrases: ['销售'], language: 'zh' })).toEqual({ text: '' });
  });
});

describe('cloud recognizer adapter', () => {
  test('posts base64 PCM with the phrases and a bearer key, and reads the text', async () => {
    let seen: { auth?: string | undefined; body?: Record<string, unknown> } = {};
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        seen = { auth: req.headers.authorization, body: JSON.parse(raw) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'order status', confidence: 0.93 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/recognize`;
      const asr = new CloudAsr({ url, apiKey: 'k-123' });
      const pcm = new Int16Array([1, -2, 3, 4]);
      const result = await asr.recognize(pcm, { sampleRate: 16000, phrases: ['order status'], language: 'en' });
      expect(result).toEqual({ text: 'order status', confidence: 0.93 });
      expect(seen.auth).toBe('Bearer k-123');
      expect(seen.body).toEqual({ sampleRate: 16000, encoding: 'pcm_s16le', language: 'en', phrases: ['order status'], audio: Buffer.from(pcm.buffer).toString('base64') });
    } finally {
      server.close();
    }
  });

  test('an error status from the recognizer is a failure', async () => {
    const server = http.createServer((_, res) => res.writeHead(503).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const asr = new CloudAsr({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, apiKey: 'k' });
      await expect(asr.recognize(new Int16Array(4), { sampleRate: 16000, phrases: [], language: 'en' })).rejects.toThrow(/503/);
    } finally {
      server.close();
    }
  });
});
