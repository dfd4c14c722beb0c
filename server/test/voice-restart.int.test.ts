// Crash safety: Kefu (the real `kefu start` process) is killed with SIGKILL during a live, recorded call. The
// next start closes the interaction with cause system_restart and keeps the partial recording playable.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toneShare } from '@kefu/media';
import { freePort } from '../src/platform/db/embedded-postgres.ts';
import { createTestDatabase, TEST_SECRET_KEY, type TestDatabase } from './database.ts';
import { TestClient } from './http-client.ts';
import { TEST_PASSWORD } from './kefu-server.ts';
import { Baresip } from '@kefu/sip/testing';
import { until } from './voice-fixtures.ts';

const kefuBin = path.resolve(import.meta.dirname, '../bin/kefu.mjs');
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-voice-restart-'));
const running = new Set<ChildProcess>();
const phones: Baresip[] = [];
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.database.close();
  fs.mkdirSync(path.join(base, 'web'));
  fs.writeFileSync(path.join(base, 'web', 'index.html'), '<!doctype html><title>Kefu</title>');
});
afterAll(async () => {
  for (const p of phones) await p.stop();
  for (const child of running) child.kill('SIGKILL');
  await db?.drop();
  fs.rmSync(base, { recursive: true, force: true });
});

async function startKefuProcess(httpPort: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [kefuBin, 'start'], {
    env: {
      ...process.env, DATABASE_URL: db.url, KEFU_DATA_DIR: path.join(base, 'data'), KEFU_HTTP_PORT: String(httpPort), KEFU_HTTP_HOST: '127.0.0.1',
      KEFU_WEB_DIST: path.join(base, 'web'), KEFU_SECRET_KEY: TEST_SECRET_KEY, KEFU_DEMO_PASSWORD: TEST_PASSWORD, KEFU_LOG_LEVEL: 'warn',
      KEFU_SIP_PORT: '0', KEFU_SIP_HOST: '127.0.0.1', KEFU_RTP_PORT_MIN: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await until(async () => {
    if (child.exitCode !== null) throw new Error(`kefu exited:\n${out}`);
    return (await fetch(`http://127.0.0.1:${httpPort}/api/health`).catch(() => undefined))?.ok || undefined;
  }, 'kefu to start', 90_000);
  return child;
}

describe('a restart during a live call', () => {
  test('leaves the interaction closed with system_restart and a playable partial stereo recording', async () => {
    const httpPort = await freePort();
    const first = await startKefuProcess(httpPort);
    const url = `http://127.0.0.1:${httpPort}`;
    let admin = await TestClient.login(url, 'admin@demo.kefu', TEST_PASSWORD);
    const { sipPort } = (await admin.get('/api/v1/voice/settings')).body;
    // Straight to the queue: the demo number's IVR (the flows module) is tested on its own.
    const demoNumber = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
    expect((await admin.patch(`/api/v1/voice/numbers/${demoNumber.id}`, { flowId: null })).status).toBe(200);
    const password = (await admin.get('/api/v1/voice/extensions')).body[0].password;
    const agent = await Baresip.start(`<sip:1001@127.0.0.1:${sipPort};transport=udp>;auth_pass=${password};regint=60;answermode=auto;audio_codecs=PCMU`, 1000);
    phones.push(agent);
    await until(async () => (await admin.get('/api/v1/voice/registrations')).body[0], 'the registration');
    const caller = await Baresip.start('<sip:13900139000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
    phones.push(caller);
    caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
    const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'the agent answering', 60_000);
    // Let the recorder write a few seconds to its spool file, then kill the process without warning.
    await new Promise((r) => setTimeout(r, 3500));
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await exited;

    await startKefuProcess(httpPort);
    admin = await TestClient.login(url, 'admin@demo.kefu', TEST_PASSWORD);
    const closed = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
    expect(closed).toMatchObject({ state: 'ended', endReason: 'system_restart', hangupBy: 'system', answeredAt: expect.any(String), endedAt: expect.any(String) });
    // The routing task of the dead call was withdrawn: agent1 has no work left.
    await until(async () => ((await admin.get(`/api/v1/routing/agents/${closed.agentId}`)).body.tasks?.length === 0) || undefined, 'the dead call\'s task withdrawn');
    const [recording] = (await admin.get(`/api/v1/interactions/${live.id}/recordings`)).body;
    expect(recording).toMatchObject({ state: 'partial', channels: 2 });
    expect(recording.durationMs).toBeGreaterThan(1000);
    const audio = await fetch(`${url}/api/v1/recordings/${recording.id}/audio`, { headers: { cookie: admin.cookie! } });
    expect(audio.status).toBe(200);
    const file = path.join(base, 'partial.wav');
    fs.writeFileSync(file, Buffer.from(await audio.arrayBuffer()));
    expect(Number(spawnSync('soxi', ['-D', file], { encoding: 'utf8' }).stdout.trim())).toBeCloseTo(recording.durationMs / 1000, 1);
    const left = spawnSync('sox', [file, '-t', 'raw', '-e', 'signed', '-b', '16', '-c', '1', '-', 'remix', '1']).stdout as Buffer;
    const pcm = new Int16Array(left.buffer, left.byteOffset, Math.floor(left.length / 2));
    let best = 0; // the caller's tone in some 200 ms of what was written before the kill
    for (let at = 0; at + 1600 <= pcm.length; at += 800) best = Math.max(best, toneShare(pcm, 440, 8000, at, 1600));
    expect(best).toBeGreaterThan(0.5);
  }, 240_000);
});
