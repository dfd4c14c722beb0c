// The demo IVR on a real call: baresip dials 4000 through the demo trunk, hears the bilingual menu (measured in
// what it decoded), presses 2 (RFC 2833 telephone-event), and the call waits in the Support queue; the path the
// call took is on its interaction.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toneShare } from '@kefu/media';
import { Baresip } from '@kefu/sip/testing';
import type { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { startVoiceKefu, until } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let sipPort: number;
let caller: Baresip | undefined;

beforeAll(async () => {
  ({ server, admin, sipPort } = await startVoiceKefu());
});
afterAll(async () => {
  await caller?.stop();
  await server?.stop();
});

interface PathRow { nodeId: string; event: string; port: string | null; input: string | null }
const pathOf = async (id: string): Promise<PathRow[]> => (await admin.get(`/api/v1/interactions/${id}/flow-path`)).body;

describe('a call to 4000', () => {
  test('hears the menu, presses 2 and waits in the Support queue', async () => {
    const support = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'Support');
    caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
    const call = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { to: string }) => i.to === '4000'), 'the live call');
    // The menu waits for a key while its prompt plays; let the caller hear part of it first.
    await until(async () => (await pathOf(call.id)).some((e) => e.nodeId === 'menu' && e.event === 'enter'), 'the menu', 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    await caller.sendDtmf('2');
    const path = await until(async () => {
      const p = await pathOf(call.id);
      return p.some((e) => e.nodeId === 'support' && e.event === 'leave') ? p : undefined;
    }, 'the Support queue node', 30_000);
    expect(path.map((e) => `${e.nodeId}:${e.event}:${e.port ?? ''}:${e.input ?? ''}`)).toEqual([
      'hours:enter::', 'hours:leave:open:', 'menu:enter::', 'menu:leave:key_2:2', 'support:enter::', 'support:leave:queue:',
    ]);
    const stats = await until(async () => {
      const s = (await admin.get(`/api/v1/routing/queues/${support.id}/stats`)).body;
      return s.waiting > 0 ? s : undefined;
    }, 'a task in the Support queue');
    expect(stats.waiting).toBe(1);
    // What the caller heard before pressing 2: the spoken menu, not silence.
    caller.command('hangup');
    await caller.waitForEvent('CALL_CLOSED', 15_000);
    const heard = spawnSync('sox', [caller.heardFile(), '-n', 'trim', '0', '3', 'stat'], { encoding: 'utf8' }).stderr;
    expect(Number(/RMS\s+amplitude:\s+([\d.]+)/.exec(heard)?.[1])).toBeGreaterThan(0.01);
    // Speech, not a tone: no single ringback frequency carries most of the energy.
    const raw = spawnSync('sox', [caller.heardFile(), '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-', 'trim', '0', '3'], { maxBuffer: 16 << 20 }).stdout as Buffer;
    const pcm = new Int16Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 2));
    for (const hz of [425, 440, 450, 480]) expect(toneShare(pcm, hz, 8000, 0, pcm.length), `${hz} Hz`).toBeLessThan(0.5);
  }, 120_000);
});
