// The parts around a web chat, as people use them (Debian's chromium): a customer page embeds a widget whose
// business hours are closed now; the visitor gets the leave-a-message form (zh-CN), is asked for a way to be
// answered, leaves the message and is shown the ticket number; the admin finds that ticket in the tickets list and
// opens it. The admin also sets up outbound email in the console and sends a test mail that a real SMTP server on
// loopback receives.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { startSmtp, type TestSmtp } from './smtp-fixture.ts';
import { ensureWidgetBuilt } from './webchat-fixtures.ts';
import { loaderSnippet, personContext, signIn, startCustomerSite, type CustomerSite } from './widget-page-fixture.ts';

const UI_TIMEOUT = 20_000;
const XSS_NAME = '<img src=x onerror="window.__xss=1">王小明';

let kefu: TestKefu;
let smtp: TestSmtp;
let browser: Browser;
let admin: TestClient;
let site: CustomerSite;
let siteOrigin: string;
let widgetId: string;
let divisionId: string;

beforeAll(async () => {
  ensureWebBuilt();
  ensureWidgetBuilt();
  smtp = await startSmtp();
  kefu = await startKefu();
  browser = await launchChromium();
  // `?w=<widget id>` picks another widget than the closed one.
  site = await startCustomerSite((url) => `<h1>宽带套餐</h1>\n${loaderSnippet(kefu.baseUrl, url.searchParams.get('w') ?? widgetId)}`);
  siteOrigin = site.origin;
  admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  // Business hours without an open day: closed whenever the test runs.
  const widget = await admin.post('/api/v1/webchat/widgets', { name: 'Shop after hours', divisionId, allowedOrigins: [siteOrigin], settings: { businessHours: { timezone: 'Asia/Shanghai', days: {} } } });
  expect(widget.status, JSON.stringify(widget.body)).toBe(201);
  widgetId = widget.body.id;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  await kefu?.stop();
  await smtp?.close();
});

describe('around the chat, in the browser', () => {
  it('outside business hours the widget takes a message that becomes a ticket the admin sees', async () => {
    const customer = await personContext(browser, 'zh-CN', UI_TIMEOUT);
    const adminContext = await personContext(browser, 'en-US', UI_TIMEOUT);
    try {
      const page = await customer.newPage();
      await page.goto(`${siteOrigin}/plans`);
      const widget = page.frameLocator('iframe[title="Chat"]');
      await widget.getByRole('button', { name: '打开在线客服' }).click();
      await widget.getByText('我们现在不在线，请留言，我们会尽快回复您。').waitFor();

      await widget.getByLabel(/您的称呼/).fill(XSS_NAME);
      // A subject of this attempt only (a retried test finds no earlier attempt's ticket).
      const subject = `宽带晚上经常掉线，请回电话 ${Math.random().toString(36).slice(2, 8)}`;
      await widget.getByLabel(/留言内容/).fill(subject);
      // Without an email or a phone the form says what is missing and sends nothing.
      await widget.getByRole('button', { name: '提交留言' }).click();
      await widget.getByRole('alert').getByText('请留下邮箱或电话（至少一项），方便我们回复您。').waitFor();

      await widget.getByLabel('电话').fill('+86 138 0013 8000');
      await widget.getByRole('button', { name: '提交留言' }).click();
      const notice = widget.getByRole('status').filter({ hasText: '留言已提交，工单号' });
      await notice.waitFor();
      const number = Number((await notice.textContent())!.match(/#(\d+)/)![1]);
      expect(number).toBeGreaterThan(0);
      expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();

      // The admin finds it in the tickets list and opens it: the message, the name as text, the phone.
      const adminPage = await signIn(adminContext, kefu.baseUrl, kefu.adminEmail, kefu.password);
      await adminPage.goto(`${kefu.baseUrl}/tickets`);
      // Nobody is assigned yet: it waits in the "Unassigned" view.
      await adminPage.getByText('Unassigned', { exact: true }).click();
      const row = adminPage.getByRole('row').filter({ hasText: subject });
      await row.waitFor();
      await row.getByText(subject).click();
      const drawer = adminPage.getByRole('dialog');
      await drawer.getByText(`#${number}`).first().waitFor();
      await drawer.getByText(/Phone: \+86 138 0013 8000/).waitFor();
      await drawer.getByText(XSS_NAME).first().waitFor();
      expect(await adminPage.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    } finally {
      await customer.close();
      await adminContext.close();
    }
  }, 180_000);

  it('the admin sets up outbound email and a test mail arrives', async () => {
    const context = await personContext(browser, 'zh-CN', UI_TIMEOUT);
    try {
      const page = await signIn(context, kefu.baseUrl, kefu.adminEmail, kefu.password);
      await page.getByRole('navigation').getByRole('link', { name: '外发邮件' }).click();
      await page.getByRole('heading', { name: '外发邮件' }).waitFor();
      await page.getByLabel('SMTP 服务器').fill('127.0.0.1');
      await page.getByLabel('端口').fill(String(smtp.port));
      await page.getByRole('switch', { name: '校验服务器证书' }).click(); // the test server's certificate is self-signed
      await page.getByLabel('用户名').fill(smtp.user);
      await page.getByLabel('密码').fill(smtp.pass);
      await page.getByLabel('发件人地址').fill('service@shop.example');
      await page.getByLabel('发件人名称').fill('商城客服');
      await page.getByRole('button', { name: '保 存' }).or(page.getByRole('button', { name: '保存' })).click();
      await page.getByPlaceholder('已设置（留空则不修改）').waitFor();

      const count = smtp.received.length;
      await page.getByRole('textbox', { name: '收件人' }).fill('boss@shop.example');
      await page.getByRole('button', { name: '发送测试邮件' }).click();
      await page.getByText('测试邮件已发出，请查收。').waitFor();
      const mail = await smtp.waitFor(count + 1);
      expect(mail.secure).toBe(true);
      expect(mail.to).toEqual(['boss@shop.example']);
      expect(mail.parsed.from?.value[0]).toMatchObject({ address: 'service@shop.example', name: '商城客服' });
    } finally {
      await context.close();
    }
  }, 120_000);

  // Uses the outbound email the previous test set up.
  it('with email set up, the visitor ticks "email me the transcript", ends the chat and the transcript arrives', async () => {
    const queue = await admin.post('/api/v1/routing/queues', { name: 'Open chat', divisionId, channels: ['chat'], acwSeconds: 0 });
    const open = await admin.post('/api/v1/webchat/widgets', { name: 'Shop open', divisionId, queueId: queue.body.id, allowedOrigins: [siteOrigin], settings: { autoReply: null } });
    expect(open.status).toBe(201);
    const context = await personContext(browser, 'zh-CN', UI_TIMEOUT);
    try {
      const page = await context.newPage();
      await page.goto(`${siteOrigin}/help?w=${open.body.id}`);
      const widget = page.frameLocator('iframe[title="Chat"]');
      await widget.getByRole('button', { name: '打开在线客服' }).click();
      await widget.getByLabel(/您的称呼/).fill('李雷');
      await widget.getByLabel(/您想咨询什么/).fill('发票抬头写错了 <b>急</b>');
      await widget.getByRole('checkbox', { name: '对话结束后把聊天记录发到我的邮箱' }).check();
      // Ticked without an address: the form says so.
      await widget.getByRole('button', { name: '开始对话' }).click();
      await widget.getByRole('alert').getByText('请填写邮箱以接收聊天记录。').waitFor();
      await widget.getByLabel('邮箱', { exact: true }).fill('lilei@example.cn');
      await widget.getByRole('button', { name: '开始对话' }).click();
      await widget.getByText('正在为您转接客服…', { exact: false }).waitFor();
      const count = smtp.received.length;
      await widget.getByRole('button', { name: '结束对话' }).click();
      await widget.getByText('聊天记录将发送到 lilei@example.cn').waitFor();
      const mail = await smtp.waitFor(count + 1);
      expect(mail.to).toEqual(['lilei@example.cn']);
      expect(mail.parsed.subject).toBe('您的对话记录 — 在线客服');
      expect(mail.parsed.text).toContain('发票抬头写错了 <b>急</b>');
      expect(String(mail.parsed.html)).toContain('发票抬头写错了 &lt;b&gt;急&lt;/b&gt;');
    } finally {
      await context.close();
    }
  }, 120_000);
});
