// The agent desktop's browser phone (Debian's chromium with a fake microphone playing 660 Hz, a real Kefu, baresip
// calling at 440 Hz): the call rings in the page with the caller's record on the offer, Alt+A answers it over
// WebRTC, the page hears the caller (level meter) and the caller hears the microphone (measured in what baresip
// decoded), the agent hangs up from the page and wraps up.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOLD_NOTES_HZ } from '../src/voice/hold-music.ts';
import { Baresip } from '@kefu/sip/testing';
import { ensureWebBuilt } from '../../tests/e2e/fixtures/web-shell.ts';
import { bestShare, channel } from './audio-fixtures.ts';
import { launchChromiumWithMicrophone, pick, signInTo } from './desktop-fixtures.ts';
import type { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { startVoiceKefu, until } from './voice-fixtures.ts';

const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let sipPort: number;
let tmp: string;
let demoNumber: { id: string; flowId: string | null };
const phones: Baresip[] = [];

beforeAll(async () => {
  ensureWebBuilt();
  ({ server: kefu, admin, sipPort } = await startVoiceKefu());
  demoNumber = (await admin.get('/api/v1/voice/numbers')).body.find((n: { number: string }) => n.number === '4000');
  expect(demoNumber.flowId).toEqual(expect.any(String)); // the demo IVR
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-desktop-softphone-'));
  browser = await launchChromiumWithMicrophone(tmp, 660);
}, 180_000);

afterAll(async () => {
  for (const p of phones) await p.stop();
  await browser?.close();
  await kefu?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});




/** Signs a person in and opens the desktop with the browser phone ready. */
async function desk(email: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  await signInTo(page, kefu.baseUrl, email, kefu.password, '坐席工作台');
  await page.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
  return page;
}

describe('the browser phone on the agent desktop', () => {
  it('rings with the caller on screen, answers with Alt+A, carries audio both ways and hangs up from the page', async () => {
    // Straight to the General queue; the next test goes through the demo IVR.
    expect((await admin.patch(`/api/v1/voice/numbers/${demoNumber.id}`, { flowId: null })).status).toBe(200);
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    try {
      await signInTo(page, kefu.baseUrl, 'agent1@demo.kefu', kefu.password, '坐席工作台');
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

      await pick(page, '小结代码', '已解决 Resolved');
      await page.getByRole('button', { name: '保存小结' }).click();
      await page.getByText('小结已保存').waitFor();
    } finally {
      for (const p of phones.splice(0)) await p.stop();
      await context.close();
      await admin.patch(`/api/v1/voice/numbers/${demoNumber.id}`, { flowId: demoNumber.flowId });
    }
  }, 240_000);

  it('handles a whole call: IVR key 2, answer in the browser, hold music, a chat waits, consult transfer to agent2, wrap-up, recording', async () => {
    const agent1 = await desk('agent1@demo.kefu');
    const agent2 = await desk('agent2@demo.kefu');
    try {
      // agent2 takes a break (the consultation still reaches their browser); agent1 takes calls.
      await pick(agent2, '我的状态', '小休');
      await agent2.getByTestId('agent-state').getByText(/^小休 · /).waitFor();
      await pick(agent1, '我的状态', '空闲');
      await agent1.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();

      // 王小明 calls 4000, hears the bilingual menu and presses 2 (RFC 2833) for support.
      const caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
      phones.push(caller);
      caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
      await new Promise((r) => setTimeout(r, 2000));
      await caller.sendDtmf('2');

      // agent1's browser rings with the contact card already on the offer; Alt+A answers.
      await agent1.locator('[data-testid="softphone"][data-state="ringing"]').waitFor({ timeout: 60_000 });
      await agent1.getByTestId('offer').getByText('来自队列 Support').waitFor();
      await agent1.getByTestId('offer').getByRole('heading', { name: '王小明' }).waitFor();
      await agent1.keyboard.press('Alt+A');
      await agent1.locator('[data-testid="softphone"][data-state="in_call"]').waitFor();
      const controls = agent1.getByTestId('call-controls');
      await controls.waitFor();
      const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'the call answered');

      // Hold plays music to the caller.
      await controls.getByRole('button', { name: '保持' }).click();
      await controls.getByText('保持中').waitFor();
      await new Promise((r) => setTimeout(r, 3500));
      await controls.getByRole('button', { name: '恢复通话' }).click();
      await controls.getByText('保持中').waitFor({ state: 'detached' });

      // While agent1 is on a call, a chat for a queue of theirs waits (a call blocks chats by default).
      const general = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'General');
      const chat = await admin.post('/api/v1/routing/tasks', { queueId: general.id, channel: 'chat' });
      await new Promise((r) => setTimeout(r, 3000));
      expect((await admin.get(`/api/v1/routing/tasks/${chat.body.taskId}`)).body.status).toBe('queued');
      await admin.post(`/api/v1/routing/tasks/${chat.body.taskId}/cancel`, {});

      // Consult transfer: agent1 calls agent2, who answers in their browser; agent1 completes the transfer.
      await controls.getByRole('button', { name: '咨询转接' }).click();
      const dialog = agent1.getByRole('dialog');
      await dialog.locator('.ant-select').click();
      await agent1.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: /^坐席二 Agent 2/ }).click();
      await dialog.getByRole('button', { name: /OK|确/ }).click();
      await agent2.locator('[data-testid="softphone"][data-state="ringing"]').waitFor({ timeout: 30_000 });
      await agent2.getByTestId('softphone').getByRole('button', { name: '接听' }).click();
      await agent2.locator('[data-testid="softphone"][data-state="in_call"]').waitFor();
      await controls.getByText('咨询中').waitFor();
      await controls.getByRole('button', { name: '完成转接' }).click();
      await agent1.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
      expect(caller.events.some((e) => e.type === 'CALL_CLOSED')).toBe(false);

      // agent2 talks with the caller, then hangs up; agent1 wraps up.
      await new Promise((r) => setTimeout(r, 2000));
      await agent2.getByTestId('softphone').getByRole('button', { name: '挂断' }).click();
      await caller.waitForEvent('CALL_CLOSED', 30_000);
      // The demo's Support queue lists no wrap-up codes: notes and first-contact resolution only.
      const form = agent1.getByTestId('wrapup-form');
      expect(await form.getByRole('combobox', { name: '小结代码' }).count()).toBe(0);
      await form.getByLabel('备注').fill('转二线坐席处理');
      await agent1.getByRole('button', { name: '保存小结' }).click();
      await agent1.getByText('小结已保存').waitFor();

      // The caller heard the menu's hold music notes (523 and 784 Hz; 659 Hz is the agents' microphones too).
      const heard = channel(caller.heardFile());
      for (const hz of [HOLD_NOTES_HZ[0], HOLD_NOTES_HZ[2]]) expect(bestShare(heard, hz), `${hz} Hz`).toBeGreaterThan(0.5);
      expect(bestShare(heard, 660)).toBeGreaterThan(0.5);

      // The call is on 王小明's timeline, with a recording that plays.
      const ended = await until(async () => {
        const i = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
        return i.state === 'ended' ? i : undefined;
      }, 'the call to end');
      const contact = (await admin.get('/api/v1/crm/lookup?kind=phone&value=13800138000')).body.contact;
      const timeline = (await admin.get(`/api/v1/crm/contacts/${contact.id}/timeline`)).body.items;
      expect(timeline.some((e: { kind: string; summary: string; id: string }) => e.kind === 'interaction' && JSON.stringify(e).includes(ended.id))).toBe(true);
      const [recording] = await until(async () => {
        const list = (await admin.get(`/api/v1/interactions/${live.id}/recordings`)).body;
        return list[0]?.state === 'stored' ? list : undefined;
      }, 'the stored recording');
      const audio = await fetch(`${kefu.baseUrl}/api/v1/recordings/${recording.id}/audio`, { headers: { cookie: admin.cookie! } });
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toMatch(/audio\/(wav|x-wav)/);
    } catch (err) {
      // What both desks showed when it failed (this test passes only on a retry now and then).
      for (const [name, page] of [['agent1', agent1], ['agent2', agent2]] as const) {
        await page.screenshot({ path: path.resolve(import.meta.dirname, `../../.test-results/desktop-softphone-${name}-failure.png`) }).catch(() => {});
        console.error(`[${name} dialog]`, await page.locator('.ant-modal').evaluateAll((els) => els.map((e) => e.outerHTML)).catch(String));
        console.error(`[${name} dropdowns]`, await page.locator('.ant-select-dropdown').evaluateAll((els) => els.map((e) => e.outerHTML)).catch(String));
      }
      throw err;
    } finally {
      for (const p of phones.splice(0)) await p.stop();
      await agent1.context().close();
      await agent2.context().close();
    }
  }, 300_000);
});
