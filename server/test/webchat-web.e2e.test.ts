// Web chat as people use it (Debian's chromium, two browser contexts): an admin copies the widget snippet from
// the admin console; a customer page on another origin embeds it; the customer fills the pre-chat form, an agent
// goes available and accepts, they exchange messages with receipts, the customer sends a screenshot that the
// agent sees, the agent ends the chat and the transcript is on the interaction. Then: the customer's network
// drops while the agent sends three messages (all three appear once, in order, after reconnecting); markup in
// names, messages and file names shows as text; a page whose origin is not allowed gets no chat.
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import type { ChannelsModule } from '../src/channels/channels.module.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { chatQueueForAgent1, ensureWidgetBuilt } from './webchat-fixtures.ts';
import { personContext, signIn, startCustomerSite, type CustomerSite } from './widget-page-fixture.ts';

const UI_TIMEOUT = 20_000;
const XSS_NAME = '<img src=x onerror="window.__xss=1">Li Lei';
const XSS_TEXT = '<script>window.__xss=2</script><b>bold?</b> hello';
const XSS_FILE = '<img src=x onerror=window.__xss=3>.png';

let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let site: CustomerSite;
let otherSite: CustomerSite;
let siteOrigin: string;
let otherOrigin: string;
let snippet = '';

/** A plain page of the customer's site with the snippet (copied from the admin console) pasted before </body>. */
const serve = () => startCustomerSite(() => `<h1>Broadband plans</h1><p>Pick a plan.</p>\n${snippet}`);

beforeAll(async () => {
  ensureWebBuilt();
  ensureWidgetBuilt();
  kefu = await startKefu();
  browser = await launchChromium();
  site = await serve();
  otherSite = await serve();
  siteOrigin = site.origin;
  otherOrigin = otherSite.origin;
  admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
  const { divisionId, queueId } = await chatQueueForAgent1(kefu, admin, 'Web chat');
  const widget = await admin.post('/api/v1/webchat/widgets', { name: 'Shop site', divisionId, queueId, allowedOrigins: [siteOrigin] });
  expect(widget.status).toBe(201);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  otherSite?.close();
  await kefu?.stop();
});

/** The widget inside the customer's page. */
const widgetOf = (page: Page): FrameLocator => page.frameLocator('iframe[title="Chat"]');

describe('web chat in the browser', () => {
  let agentContext: BrowserContext;
  let customerContext: BrowserContext;
  let agentPage: Page;
  let customerPage: Page;

  it('the admin console shows the snippet and the allowed origins of a widget', async () => {
    const context = await personContext(browser, 'en-US', UI_TIMEOUT);
    try {
      const page = await signIn(context, kefu.baseUrl, kefu.adminEmail, kefu.password);
      await page.getByRole('navigation').getByRole('link', { name: 'Web chat' }).click();
      await page.getByRole('row').filter({ hasText: 'Shop site' }).getByRole('button', { name: 'Snippet' }).click();
      await page.getByText(siteOrigin, { exact: true }).last().waitFor(); // in the list and on the snippet card
      snippet = await page.getByTestId('widget-snippet').inputValue();
      expect(snippet).toMatch(/^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\/loader\.js" data-widget="[0-9a-f-]{36}" async><\/script>$/);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('pre-chat form → hand-off → agent accepts → messages both ways with receipts → screenshot → end, transcript on the interaction', async () => {
    agentContext = await personContext(browser, 'zh-CN', UI_TIMEOUT);
    customerContext = await personContext(browser, 'en-US', UI_TIMEOUT);
    agentPage = await signIn(agentContext, kefu.baseUrl, 'agent1@demo.kefu', kefu.password);
    await agentPage.getByRole('navigation').getByRole('link', { name: '在线聊天' }).click();
    await agentPage.getByRole('heading', { name: '在线聊天' }).waitFor();
    await agentPage.getByText('已连接').waitFor();
    await agentPage.getByRole('switch', { name: '接待中' }).click();
    await expect.poll(() => agentPage.getByRole('switch', { name: '接待中' }).isChecked()).toBe(true);

    customerPage = await customerContext.newPage();
    await customerPage.goto(`${siteOrigin}/pricing`);
    const widget = widgetOf(customerPage);
    await widget.getByRole('button', { name: 'Open chat' }).click();
    await widget.getByText('Hello! How can we help?').waitFor();
    await widget.getByLabel(/Your name/).fill(XSS_NAME);
    await widget.getByLabel(/How can we help/).fill('My router blinks red');
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await widget.getByText('Connecting you to an agent…', { exact: false }).waitFor();

    // The agent sees the offer with the visitor's name as text, accepts, and gets the page the customer is on.
    await agentPage.getByText(XSS_NAME).first().waitFor();
    await agentPage.getByRole('button', { name: '接入' }).click();
    await agentPage.getByText(`${siteOrigin}/pricing`).waitFor();
    await agentPage.getByText('My router blinks red').first().waitFor();
    await widget.getByText(/is helping you/).waitFor();

    // Messages both ways; markup stays text.
    await widget.getByRole('textbox').fill(XSS_TEXT);
    await widget.getByRole('textbox').press('Enter');
    const log = agentPage.getByRole('log');
    await log.getByText(XSS_TEXT).waitFor();
    await agentPage.getByRole('textbox', { name: '输入回复…' }).fill('您好，请重启一下路由器 🙂');
    await agentPage.getByRole('button', { name: '发送' }).click();
    await widget.getByText('您好，请重启一下路由器 🙂').waitFor();
    // Receipts: the open widget reads the agent's message; the agent's panel read the customer's.
    await log.locator('.chat-msg-agent').filter({ hasText: '您好，请重启一下路由器' }).getByText('已读').waitFor();
    await widget.locator('li.customer').filter({ hasText: 'hello' }).getByText('Read').waitFor();

    // A screenshot sent from the widget shows as an image to the agent.
    const screenshot = await customerPage.screenshot();
    await widget.locator('input[type="file"]').setInputFiles({ name: XSS_FILE, mimeType: 'image/png', buffer: screenshot });
    const image = log.getByRole('img', { name: XSS_FILE });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
    await widget.getByRole('img', { name: XSS_FILE }).waitFor();

    // Nothing a visitor typed ran as markup, in either page.
    expect(await agentPage.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await customerPage.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const chatFrame = customerPage.frames().find((f) => f.url().includes('/widget/chat'))!;
    expect(await chatFrame.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await log.locator('b').count()).toBe(0);
    expect(await widget.locator('.log b, .log script').count()).toBe(0);
  }, 180_000);

  it('the customer goes offline while the agent sends three messages: on reconnect each appears once, in order', async () => {
    const widget = widgetOf(customerPage);
    // The network goes: the browser is offline and the open connection dies with it.
    await customerContext.setOffline(true);
    expect((kefu.kefu.modules.channels as ChannelsModule).dropVisitorConnections()).toBeGreaterThan(0);
    await widget.getByText('Connection lost, reconnecting…').waitFor();
    for (const n of [1, 2, 3]) {
      await agentPage.getByRole('textbox', { name: '输入回复…' }).fill(`离线消息 ${n}`);
      await agentPage.getByRole('button', { name: '发送' }).click();
      await agentPage.getByRole('log').getByText(`离线消息 ${n}`).waitFor();
    }
    await customerContext.setOffline(false);
    await widget.getByText('离线消息 3').waitFor({ timeout: 40_000 });
    const texts = await widget.locator('li.agent p').allInnerTexts();
    expect(texts.filter((t) => t.startsWith('离线消息'))).toEqual(['离线消息 1', '离线消息 2', '离线消息 3']);
  }, 120_000);

  it('the agent ends the chat; the customer sees it end and the transcript is on the interaction', async () => {
    const widget = widgetOf(customerPage);
    await agentPage.getByRole('button', { name: '结束对话' }).click();
    await widget.getByText('The chat has ended').first().waitFor();
    const chats = (await admin.get('/api/v1/interactions?channel=chat&state=ended')).body.items as { id: string }[];
    const transcripts = await Promise.all(chats.map(async (c) => (await admin.get(`/api/v1/interactions/${c.id}/messages`)).body.items as { sender: string; body: string; attachment: { fileName: string } | null }[]));
    const transcript = transcripts.find((items) => items.some((m) => m.body === XSS_TEXT))!;
    expect(transcript.map((m) => m.body)).toEqual(expect.arrayContaining(['My router blinks red', XSS_TEXT, '您好，请重启一下路由器 🙂', '离线消息 1', '离线消息 2', '离线消息 3']));
    expect(transcript.some((m) => m.attachment?.fileName === XSS_FILE)).toBe(true);
    await agentContext.close();
    await customerContext.close();
  }, 60_000);

  it('a page on an origin that is not allowed gets no chat', async () => {
    const context = await personContext(browser, 'en-US', UI_TIMEOUT);
    try {
      const page = await context.newPage();
      const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: UI_TIMEOUT });
      await page.goto(`${otherOrigin}/`);
      await refused; // the browser refuses to show Kefu's chat page inside this site
      const kefuWs = `${kefu.baseUrl.replace(/^http/, 'ws')}/api/v1/webchat/socket?widget=${/data-widget="([^"]+)"/.exec(snippet)![1]}`;
      const outcome = await page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('refused');
          }),
        kefuWs,
      );
      expect(outcome).toBe('refused');
    } finally {
      await context.close();
    }
  }, 60_000);
});
