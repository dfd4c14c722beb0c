// A supervisor monitors a live call from the console (Debian's chromium with a fake microphone playing 1,500 Hz;
// baresip as the caller at 440 Hz and as agent1's desk phone at 1,000 Hz): listening, the supervisor hears the call;
// whispering, the agent hears the supervisor and the caller does not (measured in what each baresip decoded).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baresip } from '@kefu/sip/testing';
import { ensureWebBuilt } from '../../tests/e2e/fixtures/web-shell.ts';
import { bestShare, channel } from './audio-fixtures.ts';
import { launchChromiumWithMicrophone, signInTo } from './desktop-fixtures.ts';
import type { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { registerDeskPhone, startVoiceKefu, until } from './voice-fixtures.ts';

const SUPERVISOR_HZ = 1500;
let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let sipPort: number;
let tmp: string;
const phones: Baresip[] = [];

beforeAll(async () => {
  ensureWebBuilt();
  ({ server: kefu, admin, sipPort } = await startVoiceKefu({ demoNumberToQueue: true }));
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-monitor-'));
  // Pulsing: Chromium's noise suppression removes a steady tone within seconds (audio-fixtures.ts).
  browser = await launchChromiumWithMicrophone(tmp, SUPERVISOR_HZ, { pulsed: true });
}, 180_000);

afterAll(async () => {
  for (const p of phones) await p.stop();
  await browser?.close();
  await kefu?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});



describe('supervisor monitoring', () => {
  it('listens to a live call, then whispers: the agent hears the supervisor, the caller does not', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    try {
      // agent1 on their desk phone (phone login makes them available), 王小明 calling 4000.
      const deskPhone = await registerDeskPhone(admin, sipPort, '1001', 1000);
      phones.push(deskPhone);
      const caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
      phones.push(caller);
      caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
      await deskPhone.waitForEvent('CALL_ESTABLISHED', 30_000);

      // The supervisor opens the console; the browser phone is ready and the call is listed with its agent.
      await signInTo(page, kefu.baseUrl, 'supervisor@demo.kefu', kefu.password, '主管监控台');
      await page.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
      const row = page.getByTestId('live-calls').getByRole('row', { name: /13800138000/ });
      await row.getByText('坐席一 Agent 1').waitFor();

      // Listen: the supervisor's browser joins and hears the call.
      await row.getByRole('button', { name: '监听' }).click();
      await page.locator('[data-testid="softphone"][data-state="in_call"]').waitFor({ timeout: 30_000 });
      await until(async () => Number(await page.getByTestId('softphone-level').getAttribute('data-level')) > 0.02 || undefined, 'the call heard by the supervisor');
      await new Promise((r) => setTimeout(r, 2000));

      // Whisper: only the agent hears the supervisor.
      await row.getByRole('button', { name: '耳语' }).click();
      await page.getByText('正在耳语（只有坐席能听到）').waitFor();
      await new Promise((r) => setTimeout(r, 4000));
      caller.command('hangup');
      await caller.waitForEvent('CALL_CLOSED', 30_000);
      await deskPhone.waitForEvent('CALL_CLOSED', 30_000);
      await page.locator('[data-testid="softphone"][data-state="idle"]').waitFor({ timeout: 30_000 });

      const agentHeard = channel(deskPhone.heardFile());
      const callerHeard = channel(caller.heardFile());
      expect(bestShare(agentHeard, 440), 'the agent hears the caller').toBeGreaterThan(0.5);
      expect(bestShare(callerHeard, 1000), 'the caller hears the agent').toBeGreaterThan(0.5);
      expect(bestShare(agentHeard, SUPERVISOR_HZ), 'the agent hears the whisper').toBeGreaterThan(0.2);
      expect(bestShare(callerHeard, SUPERVISOR_HZ), 'the caller never hears the supervisor').toBeLessThan(0.05);
    } finally {
      for (const p of phones.splice(0)) await p.stop();
      await context.close();
    }
  }, 240_000);
});
