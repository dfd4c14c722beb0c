// The supervisor console as a supervisor uses it (Debian's chromium against a real Kefu serving apps/web/dist):
// the queue board follows a waiting task within seconds (statistics pushed every second), the agent board shows an
// agent going available, and the supervisor sends that agent on a break.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';

const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let agent: TestClient;

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu();
  browser = await launchChromium();
  admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
  agent = await TestClient.login(kefu.baseUrl, 'agent3@demo.kefu', kefu.password);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kefu?.stop();
});

describe('supervisor console', () => {
  it('shows a waiting task and an agent going available live, and puts the agent on a break', async () => {
    const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
    const name = `投诉 ${Math.floor(Math.random() * 1e6)}`; // a queue of its own per attempt
    const q = await admin.post('/api/v1/routing/queues', { name, divisionId, channels: ['chat'], serviceLevelSeconds: 30, serviceLevelTarget: 0.8 });
    expect(q.status, JSON.stringify(q.body)).toBe(201);

    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    const rt = await RealtimeClient.connect(kefu.baseUrl, { cookie: agent.cookie! });
    try {
      await page.goto(`${kefu.baseUrl}/`);
      await page.getByRole('textbox', { name: /邮箱|Email/ }).fill('supervisor@demo.kefu');
      await page.getByLabel(/密码|Password/).fill(kefu.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('navigation').getByRole('link', { name: '主管监控台' }).click();
      await page.getByRole('heading', { name: '主管监控台' }).waitFor();
      await page.getByText('实时', { exact: true }).waitFor();
      const waiting = page.getByTestId(`waiting-${name}`);
      await waiting.getByText('0', { exact: true }).waitFor();
      await page.getByText('目标：80% 在 30 秒内接起').first().waitFor();

      // Nobody serves the queue: the task waits, and the board shows it without a reload.
      const task = await admin.post('/api/v1/routing/tasks', { queueId: q.body.id, channel: 'chat' });
      expect(task.status).toBe(201);
      await waiting.getByText('1', { exact: true }).waitFor();

      // agent3 goes available on their own desk; the agent board follows.
      expect(await rt.request('agent.set_state', { state: 'available' })).toMatchObject({ ok: true });
      const state = page.getByTestId('state-坐席三 Agent 3');
      await state.getByText(/^空闲 · /).waitFor();

      // The supervisor sends agent3 on a break (meal).
      await page.locator('.ant-select', { has: page.getByRole('combobox', { name: '切换 坐席三 Agent 3 的状态' }) }).click();
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: /^小休 · / }).first().click();
      await state.getByText(/^小休 · /).waitFor();
      expect((await agent.get('/api/v1/routing/me')).body.state).toBe('away');
      await page.screenshot({ path: '/tmp/kefu-supervisor.png' });
      await admin.post(`/api/v1/routing/tasks/${task.body.taskId}/cancel`, {});
    } finally {
      await rt.close();
      await context.close();
    }
  }, 180_000);
});
