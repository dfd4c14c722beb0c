// Prompt-library fixtures: audio made with sox (a sine tone of a known length) and uploaded through the API as
// the browser does (raw body, session cookie, CSRF token).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Reply, TestClient } from './http-client.ts';

/** A tone made by sox: `sox -n <options> out.<ext> synth <seconds> sine <hz>`; returns the file's bytes. */
export function soxTone(ext: 'wav' | 'mp3', seconds: number, options: string[] = [], hz = 440): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-tone-'));
  const file = path.join(dir, `tone.${ext}`);
  try {
    const r = spawnSync('sox', ['-n', ...options, file, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sox failed: ${r.stderr}`);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Uploads bytes as a prompt; any Content-Type (the server reads the type from the bytes). */
export async function uploadPrompt(c: TestClient, name: string, data: Buffer, contentType = 'application/octet-stream'): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (c.cookie) headers.cookie = c.cookie;
  if (c.csrfToken) headers['x-csrf-token'] = c.csrfToken;
  if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
  const res = await fetch(`${c.baseUrl}/api/v1/flow-prompts?name=${encodeURIComponent(name)}`, { method: 'POST', headers, body: data });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}
