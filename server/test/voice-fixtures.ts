// Voice test helpers: a stored recording without a call (for suites that need one object of every kind), and
// small waits.
import fs from 'node:fs/promises';
import { encodeWav } from '@kefu/media';
import type { VoiceModule } from '../src/voice/voice.module.ts';

export type { VoiceModule };

/** Opens an interaction and stores a one-second stereo recording on it; returns the recording id. */
export async function storedTestRecording(voice: VoiceModule, tenantId: string, divisionId: string): Promise<string> {
  const interaction = await voice.interactions.open(tenantId, { divisionId, channel: 'voice', direction: 'inbound', from: '13800000000', to: '4000' });
  const rec = await voice.recordings.start(tenantId, divisionId, interaction.id);
  await fs.writeFile(rec.spoolPath, encodeWav(new Int16Array(16000), 2, 8000));
  await voice.recordings.store(tenantId, rec.id, rec.spoolPath, 'stored', 1000);
  return rec.id;
}

export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
