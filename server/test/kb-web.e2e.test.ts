// The knowledge base as people use it (Debian's chromium against a real Kefu serving apps/web/dist), in Chinese:
// a knowledge editor writes an article and submits it, an administrator approves and publishes it, an agent finds
// it with other words (a synonym and different segmentation), and a customer finds it in the public help center,
// answers "否" to "以上内容是否解决了您的问题？", which opens the web chat with the article as context, and sends
// the contact form (leave a message), which carries the article too.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

const UI_TIMEOUT = 20_000;
const SHOTS = path.resolve(import.meta.dirname, '../../.test-results/kb-web');
let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu();
  browser = await launchChromium();
  admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
  const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  const created = await admin.post('/api/v1/users', { email: 'editor@demo.kefu', name: '知识编辑 Editor', password: 'editor-password-1', roles: ['knowledge_editor'], divisionIds: [divisionId] });
  expect(created.status).toBe(201);
  await fs.mkdir(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kefu?.stop();
});

async function signedIn(email: string, password: string): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${kefu.baseUrl}/`);
  await page.getByRole('textbox', { name: /邮箱|Email/ }).fill(email);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('navigation').waitFor();
  return { page, close: () => context.close() };
}

const TITLE = '宽带欠费停机后如何恢复';
const BODY = '## 说明\n\n宽带因欠费停机后，缴清费用即可自动恢复，一般 30 分钟内生效。\n\n1. 在营业厅或 App 缴清欠费。\n2. 等待 30 分钟。\n3. 超过 2 小时仍不能用，请重启光猫。';

describe('knowledge base in the browser', () => {
  it('editor writes and submits, admin publishes, agent finds it by other words, customer says "no" and reaches a contact form with the article', async () => {
    // 1. The knowledge editor writes the article in the public help-center space and submits it for review.
    const editor = await signedIn('editor@demo.kefu', 'editor-password-1');
    let articleUrl: string;
    try {
      const { page } = editor;
      await page.getByRole('navigation').getByRole('link', { name: '知识库编辑' }).click();
      await page.getByRole('heading', { name: '知识库编辑' }).waitFor();
      await page.getByRole('button', { name: '新建文章' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('知识空间').click();
      await page.getByTitle('帮助中心 Help center · 公开（帮助中心）').click();
      await dialog.getByLabel('标题').fill(TITLE);
      await dialog.getByRole('button', { name: '新建' }).click();
      await page.getByRole('heading', { name: TITLE }).waitFor();
      articleUrl = page.url();
      expect(new URL(articleUrl).pathname).toMatch(/^\/kb\/editor\/[0-9a-f-]{36}$/);

      await page.getByLabel('正文（Markdown）').fill(BODY);
      const tags = page.getByLabel('标签');
      await tags.click();
      await page.keyboard.type('宽带,缴费,');
      await page.getByTestId('kb-preview').getByText('宽带因欠费停机后，缴清费用即可自动恢复').waitFor();
      await page.getByRole('button', { name: '保存为新版本' }).click();
      await page.getByText('已保存为新版本').waitFor();
      await page.getByRole('button', { name: '提交审核' }).click();
      await page.getByTestId('kb-version-state').getByText('审核中').waitFor();
      await page.getByText('等待知识审核人批准').waitFor();
      await page.screenshot({ path: path.join(SHOTS, '1-editor-submitted.png'), fullPage: true });
    } finally {
      await editor.close();
    }

    // 2. Someone else (the administrator holds kb.approve) approves and publishes it; the history shows the diff.
    const approver = await signedIn(kefu.adminEmail, kefu.password);
    try {
      const { page } = approver;
      await page.goto(articleUrl);
      await page.getByRole('heading', { name: TITLE }).waitFor();
      await page.getByRole('button', { name: '批准并发布' }).click();
      await page.getByTestId('kb-version-state').getByText('已发布').waitFor();
      await page.getByRole('button', { name: '版本历史' }).click();
      await page.getByTestId('kb-diff').getByText('+ 宽带因欠费停机后，缴清费用即可自动恢复，一般 30 分钟内生效。').waitFor();
      await page.screenshot({ path: path.join(SHOTS, '2-approver-published.png'), fullPage: true });
    } finally {
      await approver.close();
    }

    // 3. An agent finds it with other words: 网络 is a synonym of 宽带, and the query is segmented differently.
    const agent = await signedIn('agent1@demo.kefu', kefu.password);
    try {
      const { page } = agent;
      await page.getByRole('navigation').getByRole('link', { name: '知识搜索' }).click();
      await page.getByRole('heading', { name: '知识搜索' }).waitFor();
      await page.getByRole('textbox', { name: /搜索知识库/ }).fill('网络欠费了怎么恢复');
      const hit = page.getByTestId('kb-hit').filter({ hasText: TITLE }).first(); // .first(): a retried attempt wrote it again
      await hit.waitFor();
      expect(await hit.locator('mark').count()).toBeGreaterThan(0);
      await hit.locator('a').first().click();
      await page.getByTestId('kb-reader').getByText('缴清费用即可自动恢复').waitFor();
      await page.screenshot({ path: path.join(SHOTS, '3-agent-search.png'), fullPage: true });
    } finally {
      await agent.close();
    }

    // 4. A customer finds it in the public help center, answers "否", and the contact form carries the article.
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 414, height: 860 }, isMobile: true });
    context.setDefaultTimeout(UI_TIMEOUT);
    try {
      const page = await context.newPage();
      await page.goto(`${kefu.baseUrl}/help/demo`);
      await page.getByRole('textbox', { name: '搜索' }).fill('上网欠费停机');
      await page.getByRole('button', { name: '搜索' }).click();
      await page.getByRole('link', { name: TITLE }).first().click();
      await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
      await page.getByText('以上内容是否解决了您的问题？').waitFor();
      const feedback = page.waitForResponse((r) => r.url().includes('/feedback'));
      await page.getByRole('button', { name: '否' }).click();
      expect((await (await feedback).json()).contact).toMatchObject({ articleTitle: TITLE, chatAvailable: true });
      const form = page.getByRole('form', { name: '联系我们' });
      await form.getByText(`关于这篇文章： ${TITLE}`).waitFor();
      // The demo tenant has a web-chat widget: "否" opens it (window.KefuChat.open with the article as context),
      // and the form stays as the way to leave a message.
      const chat = page.locator('iframe[title="Chat"]');
      await expect.poll(async () => (await chat.boundingBox())?.width ?? 0, { timeout: UI_TIMEOUT }).toBeGreaterThan(300);
      await page.screenshot({ path: path.join(SHOTS, '4a-help-center-chat.png') });
      // This customer prefers to leave a message: they close the chat and use the form.
      await page.frameLocator('iframe[title="Chat"]').getByRole('button', { name: /^(关闭|Close)$/ }).click();
      await expect.poll(async () => (await chat.boundingBox())?.width ?? 999, { timeout: UI_TIMEOUT }).toBeLessThan(120);
      await form.getByLabel('称呼').fill('李女士');
      await form.getByLabel('手机号或邮箱').fill('13800001234');
      await form.getByLabel('问题描述').fill('已经缴费 3 小时了还是不能上网');
      await page.screenshot({ path: path.join(SHOTS, '4-help-center-contact.png'), fullPage: true });
      await form.getByRole('button', { name: '提交' }).click();
      await page.getByText('已收到，我们会尽快联系您。').waitFor();
    } finally {
      await context.close();
    }

    // The request reached the staff with the article, as a chat interaction.
    const requests = (await admin.get('/api/v1/kb/contact-requests')).body as { articleTitle: string; message: string; interactionId: string | null }[];
    const request = requests.find((r) => r.message === '已经缴费 3 小时了还是不能上网'); // the newest first
    expect(request?.articleTitle).toBe(TITLE);
    expect(request?.interactionId).toMatch(/^[0-9a-f-]{36}$/);
    const interaction = await admin.get(`/api/v1/interactions/${request!.interactionId}`);
    expect(interaction.status).toBe(200);
    expect(interaction.body).toMatchObject({ channel: 'chat', direction: 'inbound', from: '13800001234', endReason: 'help_center_contact' });
    // The tickets module turns the request into a ticket linked to that interaction (from the kb_contact.requested event).
    const ticketOf = async () => {
      const items = ((await admin.get(`/api/v1/tickets?q=${encodeURIComponent('已经缴费')}`)).body.items ?? []) as { id: string; source: string }[];
      const ids = await Promise.all(items.filter((t) => t.source === 'help_center').map(async (t) => ((await admin.get(`/api/v1/tickets/${t.id}/interactions`)).body as { id: string }[]).map((i) => i.id)));
      return ids.flat();
    };
    await expect.poll(ticketOf, { timeout: 30_000 }).toContain(request!.interactionId);
    // The "no" counts against the article in the content-gap report.
    const gaps = (await admin.get('/api/v1/kb/reports/content-gaps')).body as { leastHelpful: { title: string; unhelpful: number }[]; deflection: { contacted: number } };
    expect(gaps.leastHelpful.find((a) => a.title === TITLE)?.unhelpful).toBeGreaterThanOrEqual(1);
    expect(gaps.deflection.contacted).toBeGreaterThanOrEqual(1);
  }, 240_000);

  it('an agent sees the unread new-business update at sign-in and acknowledges it; the supervisor sees who has and reminds the rest', async () => {
    const agent = await signedIn('agent2@demo.kefu', kefu.password);
    try {
      const { page } = agent;
      const banner = page.getByTestId('kb-unread-banner');
      await banner.getByText('您有 1 条新业务更新未读或未确认').waitFor();
      await banner.getByRole('button', { name: '查看' }).click();
      await page.getByRole('heading', { name: '新业务更新' }).waitFor();
      const update = page.getByTestId('kb-update').filter({ hasText: '新业务上线：宽带提速包' });
      await update.getByText('即日起，宽带用户可办理 500M 提速包').waitFor();
      await update.getByText('需确认').waitFor();
      await update.getByText(/^已读于 /).waitFor(); // on screen counts as read; acknowledging is still asked
      await page.screenshot({ path: path.join(SHOTS, '5-agent-update.png'), fullPage: true });
      await update.getByRole('button', { name: '我已阅读并确认' }).click();
      await page.getByText('全部已读，没有待确认的更新').waitFor();
      await page.getByRole('navigation').getByRole('link', { name: '知识搜索' }).click();
      await page.getByRole('heading', { name: '知识搜索' }).waitFor();
      expect(await page.getByTestId('kb-unread-banner').count()).toBe(0);
    } finally {
      await agent.close();
    }

    const supervisor = await signedIn('supervisor@demo.kefu', kefu.password);
    try {
      const { page } = supervisor;
      await page.getByRole('navigation').getByRole('link', { name: '更新阅读情况' }).click();
      await page.getByRole('heading', { name: '更新阅读情况' }).waitFor();
      const acked = page.getByRole('row').filter({ hasText: 'agent2@demo.kefu' });
      await acked.waitFor();
      expect(await acked.getByText('未确认').count()).toBe(0);
      const pending = page.getByRole('row').filter({ hasText: 'agent3@demo.kefu' });
      await pending.getByText('未确认').waitFor();
      await page.getByRole('button', { name: /提醒未确认的人/ }).click();
      await page.getByText(/已提醒 \d+ 人/).waitFor();
      await page.screenshot({ path: path.join(SHOTS, '6-supervisor-report.png'), fullPage: true });
    } finally {
      await supervisor.close();
    }
  }, 180_000);
});
