// A phone call handled from the agent desktop (Debian's chromium, a real Kefu, baresip as the caller and as agent1's
// desk phone): the offer pops the caller's record before the phone is answered, the desk phone answers, the agent
// holds and resumes the call and hangs up from the page, and saves the wrap-up.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Baresip } from '@kefu/sip/testing';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { pick, signInTo } from './desktop-fixtures.ts';
import { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { registerDeskPhone, startVoiceKefu, until } from './voice-fixtures.ts';

const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let sipPort: number;
const phones: Baresip[] = [];

beforeAll(async () => {
  ensureWebBuilt();
  ({ server: kefu, admin, sipPort } = await startVoiceKefu({ demoNumberToQueue: true }));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  for (const p of phones) await p.stop();
  await browser?.close();
  await kefu?.stop();
});


describe('a call on the agent desktop', () => {
  it('pops the caller, is answered on the desk phone, held, resumed and hung up from the page, then wrapped up', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    try {
      await signInTo(page, kefu.baseUrl, 'agent1@demo.kefu', kefu.password, '坐席工作台');
      await page.getByText('已连接').waitFor();

      // agent1's desk phone (extension 1001) registers and answers automatically; the agent is available.
      const deskPhone = await registerDeskPhone(admin, sipPort, '1001', 1000);
      phones.push(deskPhone);
      await pick(page, '我的状态', '空闲');
      await page.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();

      // 王小明 calls 4000 from his mobile.
      const caller = await Baresip.start('<sip:13800138000@127.0.0.1;transport=udp>;regint=0;audio_codecs=PCMU', 440);
      phones.push(caller);
      caller.command('dial', `sip:4000@127.0.0.1:${sipPort}`);
      await caller.waitForEvent('CALL_ESTABLISHED', 30_000);
      await deskPhone.waitForEvent('CALL_ESTABLISHED', 30_000);

      // The desk shows the call with its controls and the caller's record.
      const controls = page.getByTestId('call-controls');
      await controls.waitFor({ timeout: 30_000 });
      await page.getByTestId('screen-pop').getByRole('heading', { name: '王小明' }).waitFor();
      const live = await until(async () => (await admin.get('/api/v1/interactions?state=live')).body.items.find((i: { answeredAt: string | null }) => i.answeredAt), 'the call answered');

      await controls.getByRole('button', { name: '保持' }).click();
      await controls.getByText('保持中').waitFor();
      expect((await admin.get(`/api/v1/interactions/${live.id}/voice`)).body.onHold).toBe(true);
      await controls.getByRole('button', { name: '恢复通话' }).click();
      await controls.getByText('保持中').waitFor({ state: 'detached' });
      expect((await admin.get(`/api/v1/interactions/${live.id}/voice`)).body.onHold).toBe(false);

      await controls.getByRole('button', { name: '挂断' }).click();
      await page.getByRole('dialog').getByRole('button', { name: '挂断' }).click();
      await caller.waitForEvent('CALL_CLOSED', 30_000);
      const ended = await until(async () => {
        const i = (await admin.get(`/api/v1/interactions/${live.id}`)).body;
        return i.state === 'ended' ? i : undefined;
      }, 'the call to end');
      expect(ended.hangupBy).toBe('agent');

      // The wrap-up is still owed on the desk.
      await pick(page, '小结代码', '已解决 Resolved');
      await page.getByRole('button', { name: '保存小结' }).click();
      await page.getByText('小结已保存').waitFor();
      const work = await until(async () => {
        const items = (await (await TestClient.login(kefu.baseUrl, 'agent1@demo.kefu', kefu.password)).get('/api/v1/desktop/work')).body.items;
        return items.length === 0 ? items : undefined;
      }, 'the desk to be clear');
      expect(work).toEqual([]);
    } finally {
      // A retry starts with no phones and no call of this attempt.
      for (const p of phones.splice(0)) await p.stop();
      await context.close();
    }
  }, 240_000);
});
