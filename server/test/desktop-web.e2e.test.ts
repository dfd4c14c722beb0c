// The agent desktop as an agent uses it (Debian's chromium against a real Kefu serving apps/web/dist): agent1 goes
// available, a task from a known customer's number is offered with the customer's record already on screen, the
// agent accepts with the keyboard, wraps up with a queue code, and the task is completed; an unknown caller gets a
// create form right in the offer.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { pick, signInTo } from './desktop-fixtures.ts';
import { TestClient } from './http-client.ts';
import { VisitorClient } from './webchat-visitor.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let queueId: string;
let widgetId: string;
const SITE = 'https://shop.example';

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu();
  browser = await launchChromium();
  admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
  const agentId = (await (await TestClient.login(kefu.baseUrl, 'agent1@demo.kefu', kefu.password)).get('/api/v1/me')).body.user.id;
  const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  const q = await admin.post('/api/v1/routing/queues', {
    name: '宽带客服', divisionId, channels: ['voice', 'chat'], acwSeconds: 0,
    wrapupCodes: [{ code: 'solved', label: '已解决' }, { code: 'visit', label: '需上门' }],
  });
  expect(q.status, JSON.stringify(q.body)).toBe(201);
  queueId = q.body.id;
  expect((await admin.request('PUT', `/api/v1/routing/queues/${queueId}/members/${agentId}`, {})).status).toBe(200);
  const widget = await admin.post('/api/v1/webchat/widgets', { name: '官网', divisionId, queueId, allowedOrigins: [SITE] });
  expect(widget.status, JSON.stringify(widget.body)).toBe(201);
  widgetId = widget.body.id;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kefu?.stop();
});

async function signIn(page: Page): Promise<void> {
  await signInTo(page, kefu.baseUrl, 'agent1@demo.kefu', kefu.password, '坐席工作台');
  await page.getByRole('heading', { name: '坐席工作台' }).waitFor();
}


const enqueue = async (attributes: Record<string, unknown>) => {
  const r = await admin.post('/api/v1/routing/tasks', { queueId, channel: 'chat', attributes });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.taskId as string;
};

describe('agent desktop', () => {
  it('offers a task with the screen pop, accepts it from the keyboard, and saves the wrap-up', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    try {
      await signIn(page);
      await page.getByText('已连接').waitFor();
      await pick(page, '我的状态', '空闲');
      await page.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();
      // The socket belongs to the app, not the page: looking something up elsewhere does not sign the agent out.
      await page.getByRole('navigation').getByRole('link', { name: '客户' }).click();
      await page.getByRole('heading', { name: '客户' }).waitFor();
      await new Promise((r) => setTimeout(r, 1500));
      expect((await admin.get('/api/v1/routing/agents')).body.find((a: { email: string }) => a.email === 'agent1@demo.kefu').state).toBe('available');
      await page.getByRole('navigation').getByRole('link', { name: '坐席工作台' }).click();
      await page.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();

      // A chat from 王小明's number: his record is on the offer before the agent answers.
      const taskId = await enqueue({ from: '138 0013 8000', subject: '晚上宽带网速慢' });
      const offer = page.getByTestId('offer');
      await offer.getByText('来自队列 宽带客服').waitFor();
      await offer.getByRole('heading', { name: '王小明' }).waitFor();
      await offer.getByText('VIP 3').waitFor();
      await page.screenshot({ path: '/tmp/kefu-desktop-offer.png' });

      await page.keyboard.press('Alt+A');
      await offer.waitFor({ state: 'detached' });
      await page.getByTestId('desk-item').getByText('处理中').waitFor();
      await page.getByTestId('agent-state').getByText(/^忙碌 · /).waitFor();
      expect((await admin.get(`/api/v1/routing/tasks/${taskId}`)).body.status).toBe('assigned');
      // The record with its history, and the subject shown as details.
      await page.getByTestId('screen-pop').getByText('客户反映晚上网速慢，已建议更换路由器信道。').waitFor();
      await page.getByText('晚上宽带网速慢').first().waitFor();

      // Wrap-up: the code is required by this queue.
      const form = page.getByTestId('wrapup-form');
      await form.getByRole('button', { name: '保存小结' }).click();
      await form.getByText('请选择小结代码').first().waitFor();
      await pick(page, '小结代码', '需上门');
      await form.getByLabel('备注').fill('已预约周六上门检查线路');
      // The visit outlives the chat: a ticket is created with the wrap-up, titled from the subject.
      await form.getByRole('checkbox', { name: '同时创建工单（需要后续处理）' }).check();
      expect(await form.getByLabel('工单主题').inputValue()).toBe('晚上宽带网速慢');
      await form.getByRole('button', { name: '保存小结' }).click();
      await page.getByText(/^小结已保存，工单 #\d+ 已创建$/).waitFor();
      const tickets = (await admin.get('/api/v1/tickets?view=all')).body;
      const ticket = (tickets.items ?? tickets).find((x: { subject: string }) => x.subject === '晚上宽带网速慢');
      expect(ticket).toMatchObject({ description: '已预约周六上门检查线路' });
      await page.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();
      const task = (await admin.get(`/api/v1/routing/tasks/${taskId}`)).body;
      expect(task.status).toBe('completed');
    } finally {
      await context.close();
    }
  }, 180_000);

  it('lets the agent create an unknown caller from the offer, then reject it with the keyboard', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    try {
      await signIn(page);
      await page.getByText('已连接').waitFor();
      await pick(page, '我的状态', '空闲');
      await page.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();

      // A number of its own per attempt: a retry must not find the customer the first attempt created.
      const digits = String(7000 + Math.floor(Math.random() * 2000));
      const taskId = await enqueue({ from: `021 6666 ${digits}` });
      const offer = page.getByTestId('offer');
      await offer.getByTestId('unknown-caller').getByText(`号码 021 6666 ${digits} 不在客户库中，可以立即建档。`).waitFor();
      await offer.getByPlaceholder('客户姓名').fill('赵敏 <img src=x onerror=alert(1)>');
      await offer.getByRole('button', { name: '新建客户' }).click();
      await offer.getByRole('heading', { name: '赵敏 <img src=x onerror=alert(1)>' }).waitFor();
      const lookup = await admin.get(`/api/v1/crm/lookup?kind=phone&value=0216666${digits}`);
      expect(lookup.body.contact.displayName).toBe('赵敏 <img src=x onerror=alert(1)>');

      // Alt+R rejects. agent1 is the queue's only available member, so routing offers the task to them again
      // (a new offer): the card now carries another offer id.
      const first = await offer.getAttribute('data-offer-id');
      await page.keyboard.press('Alt+R');
      await page.locator(`[data-testid="offer"]:not([data-offer-id="${first}"])`).waitFor();
      expect(await page.getByTestId('offer').count()).toBe(1);
      expect((await admin.post(`/api/v1/routing/tasks/${taskId}/cancel`, {})).status).toBe(200);
      await offer.waitFor({ state: 'detached' });
    } finally {
      await context.close();
    }
  }, 180_000);

  it('works a web chat in the desk: the question beside the record, a reply that reaches the visitor', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    const visitor = await VisitorClient.connect(kefu.baseUrl, widgetId, { hostOrigin: SITE });
    try {
      await signIn(page);
      await page.getByText('已连接').waitFor();
      await pick(page, '我的状态', '空闲');
      await page.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();

      visitor.send({ type: 'start', prechat: { name: '韩梅梅', question: '光猫红灯一直闪' }, clientMessageId: 'q-1' });
      const offer = page.getByTestId('offer');
      await offer.getByText('在线会话').waitFor();
      await page.keyboard.press('Alt+A');
      const chat = page.getByTestId('desk-chat');
      await chat.getByText('光猫红灯一直闪').first().waitFor();
      await chat.getByRole('textbox', { name: '输入回复…' }).fill('您好，请把光猫断电 30 秒后重启。');
      await chat.getByRole('button', { name: '发送' }).click();
      await visitor.next('message', (m) => m.message.body === '您好，请把光猫断电 30 秒后重启。');
      await chat.getByRole('button', { name: '结束对话' }).click();
      await page.getByTestId('wrapup-form').waitFor();
    } finally {
      await visitor.close();
      await context.close();
    }
  }, 180_000);
});
