// Voice test helpers: a server ready for real calls, a stored recording without a call (for suites that need one
// object of every kind), and small waits.
import fs from 'node:fs/promises';
import { encodeWav } from '@kefu/media';
import { Baresip } from '@kefu/sip/testing';
import type { VoiceModule } from '../src/voice/voice.module.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

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

export interface VoiceKefuOptions extends NonNullable<Parameters<typeof startKefu>[0]> {
  /** Start the media engine before returning (default true); a test that only provisions can leave it off. */
  mediaEngine?: boolean;
  /** Send the demo number 4000 straight to the General queue, past the demo IVR (the flows suites test that). */
  demoNumberToQueue?: boolean;
}

/**
 * A Kefu with its SIP service on a free loopback port and the media engine started, and the demo admin signed in:
 * what a test that places real calls needs before its first call.
 */
export async function startVoiceKefu(options: VoiceKefuOptions = {}): Promise<{ server: TestKefu; admin: TestClient; voice: VoiceModule; sipPort: number }> {
  const { mediaEngine = true, demoNumberToQueue = false, ...kefuOptions } = options;
  const server = await startKefu({ ...kefuOptions, env: { KEFU_SIP_PORT: '0', KEFU_SIP_HOST: '127.0.0.1', KEFU_RTP_PORT_MIN: '0', ...options.env } });
  const admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  const voice = server.kefu.modules.voice as VoiceModule;
  if (mediaEngine) await voice.mediaEngine();
  if (demoNumberToQueue) {
    const demoNumber = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
    const r = await admin.patch(`/api/v1/voice/numbers/${demoNumber.id}`, { flowId: null });
    if (r.status !== 200) throw new Error(`demo number to the queue: HTTP ${r.status}`);
  }
  return { server, admin, voice, sipPort: voice.sip!.port! };
}

/**
 * baresip as the desk phone of a provisioned extension (G.711 μ-law, playing `hz`, answering by itself unless
 * `answermode` says otherwise), returned once the registrar has it.
 */
export async function registerDeskPhone(admin: TestClient, sipPort: number, extension: string, hz: number, answermode: 'auto' | 'manual' = 'auto'): Promise<Baresip> {
  const ext = (await admin.get('/api/v1/voice/extensions')).body.find((e: { extension: string }) => e.extension === extension);
  const phone = await Baresip.start(`<sip:${extension}@127.0.0.1:${sipPort};transport=udp>;auth_pass=${ext.password};regint=60;answermode=${answermode};audio_codecs=PCMU`, hz);
  try {
    await until(async () => (await admin.get('/api/v1/voice/registrations')).body.find((r: { extension: string }) => r.extension === extension), `extension ${extension} registered`);
  } catch (err) {
    await phone.stop(); // the caller never gets it to stop
    throw err;
  }
  return phone;
}
