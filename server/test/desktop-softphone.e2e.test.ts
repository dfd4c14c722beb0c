// The agent desktop's browser phone (Debian's chromium with a fake microphone playing 660 Hz, a real Kefu, baresip
// calling at 440 Hz): the call rings in the page with the caller's record on the offer, Alt+A answers it over
// WebRTC, the page hears the caller (level meter) and the caller hears the microphone (measured in what baresip
// decoded), the agent hangs up from the page and wraps up.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneShare } from '@kefu/media';
import { Baresip } from '@kefu/sip/testing';
import { ensureWebBuilt } from '../../tests/e2e/fixtures/web-shell.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { until, type VoiceModule } from './voice-fixtures.ts';

// ARCHITECTURE.md field notes: fake devices, loopback ICE, autoplay.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required'];
const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let sipPort: number;
let tmp: string;
const phones: Baresip[] = [];

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu({ env: { KEFU_SIP_PORT: '0', KEFU_SIP_HOST: '127.0.0.1', KEFU_RTP_PORT_MIN: '0' } });
  admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
  const voice = kefu.kefu.modules.voice as VoiceModule;
  sipPort = voice.sip!.port!;
  await voice.mediaEngine();
  const demoNumber = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
  expect((await admin.patch(`/api/v1/voice/numbers/${demoNumber.id}`, { flowId: null })).status).toBe(200);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-desktop-softphone-'));
  const mic = path.join(tmp, 'mic.wav');
  spawnSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', mic, 'synth', '120', 'sine', '660', 'vol', '0.5']);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...FLAGS, `--use-file-for-fake-audio-capture=${mic}`] });
}, 180_000);

afterAll(async () => {
  for (const p of phones) await p.stop();
  await browser?.close();
  await kefu?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

function bestShare(samples: Int16Array, hz: number): number {
  let best = 0;
  for (let at = 0; at + 1600 <= samples.length; at += 800) best = Math.max(best, toneShare(samples, hz, 8000, at, 1600));
  return best;
}

function channel(file: string): Int16Array {
  const out = spawnSync('sox', [file, '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-', 'remix', '1'], { maxBuffer: 64 << 20 });
  if (out.status !== 0) throw new Error(`sox failed: ${out.stderr.toString()}`);
  const b = out.stdout as Buffer;
  return new Int16Array(b.buffer, b.byteOffset, Math.floor(b.length / 2));
}

async function pick(page: Page, name: string, text: string): Promise<void> {
  await page.locator('.ant-select', { has: page.getByRole('combobox', { name }) }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: new RegExp(`^${text}$`) }).click();
}

describe('the browser phone on the agent desktop', () => {
  it('rings with the caller on screen, answers with Alt+A, carries audio both ways and hangs up from the page', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    try {
      await page.goto(`${kefu.baseUrl}/`);
      await page.getByRole('textbox', { name: /邮箱|Email/ }).fill('agent1@demo.kefu');
      await page.getByLabel(/密码|Password/).fill(kefu.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('navigation').getByRole('link', { name: '坐席工作台' }).click();
      await page.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
      await pick(page, '我的状态', '空闲');
      await page.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();

      const caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
      phones.push(caller);
      caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);

      // The browser rings; the offer shows who is calling before anyone answers.
      await page.locator('[data-testid="softphone"][data-state="ringing"]').waitFor({ timeout: 30_000 });
      await page.getByTestId('offer').getByRole('heading', { name: '王小明' }).waitFor();
      await page.keyboard.press('Alt+A');
      await page.locator('[data-testid="softphone"][data-state="in_call"]').waitFor();
      await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
      await page.getByTestId('call-controls').waitFor();

      // The page hears the caller; the caller hears the microphone.
      await until(async () => {
        const level = Number(await page.getByTestId('softphone-level').getAttribute('data-level'));
        return level > 0.02 || undefined;
      }, 'the caller heard in the page');
      await new Promise((r) => setTimeout(r, 3000));
      const live = (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt);
      expect(live).toBeTruthy();

      await page.getByTestId('call-controls').getByRole('button', { name: '挂断' }).click();
      await page.getByRole('dialog').getByRole('button', { name: '挂断' }).click();
      await caller.waitForEvent('CALL_CLOSED', 30_000);
      await page.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
      expect(bestShare(channel(caller.heardFile()), 660)).toBeGreaterThan(0.5);

      await pick(page, '小结代码', 'Resolved');
      await page.getByRole('button', { name: '保存小结' }).click();
      await page.getByText('小结已保存').waitFor();
    } finally {
      for (const p of phones.splice(0)) await p.stop();
      await context.close();
    }
  }, 240_000);
});
