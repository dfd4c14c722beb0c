// The web shell as a person uses it: Debian's chromium against a real Kefu server serving apps/web/dist.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../server/src/platform/webhooks/signature.ts';
import { startKefu } from '../../server/test/kefu-server.ts';
import { ensureWebBuilt, launchChromium } from './fixtures/web-shell.ts';

const UI_TIMEOUT = 20_000;
const TEST_TIMEOUT = 120_000; // generous: the machine may be shared and busy

let kefu: Awaited<ReturnType<typeof startKefu>>;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kefu?.stop();
});

async function openLoginPage(locale: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale, viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${kefu.baseUrl}/`);
  return { context, page };
}

/** The other seeded demo users share the admin's domain and password. */
function demoUser(local: string): string {
  return kefu.adminEmail.replace(/^[^@]+/, local);
}

async function signIn(page: Page, email: string, password: string, submitLabel: string): Promise<void> {
  await page.getByRole('textbox', { name: /邮箱|Email/ }).fill(email);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: submitLabel }).click();
}

describe('web shell', () => {
  it('a wrong password shows an error message on the login page', async () => {
    const { context, page } = await openLoginPage('zh-CN');
    try {
      await expect(page.getByRole('heading', { name: '登录' }).waitFor()).resolves.toBeUndefined();
      await signIn(page, kefu.adminEmail, 'definitely-not-the-password', '登录');

      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toContain('邮箱或密码错误');
      expect(page.url()).toMatch(/\/login$/);
    } finally {
      await context.close();
    }
  }, TEST_TIMEOUT);

  it('the demo admin signs in, switches to English, creates a user and finds it in the audit log', async () => {
    const { context, page } = await openLoginPage('zh-CN');
    const email = `e2e.agent.${Date.now()}@example.com`;
    try {
      // A browser that prefers Chinese gets the Chinese interface.
      await page.getByRole('heading', { name: '登录' }).waitFor();
      await signIn(page, kefu.adminEmail, kefu.password, '登录');
      const nav = page.getByRole('navigation');
      await nav.getByRole('link', { name: '用户' }).waitFor();
      await page.getByRole('heading', { name: '用户' }).waitFor(); // an administrator lands on the users page
      expect(new URL(page.url()).pathname).toBe('/admin/users');

      // Switching the language changes the visible text.
      await page.getByRole('button', { name: '语言' }).click();
      await page.getByRole('menuitem', { name: 'English' }).click();
      await nav.getByRole('link', { name: 'Users' }).waitFor();
      expect(await nav.getByRole('link', { name: '用户' }).count()).toBe(0);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');

      // Create a user through the form.
      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.getByRole('button', { name: 'New user' }).click();
      const dialog = page.getByRole('dialog', { name: 'New user' });
      await dialog.getByLabel('Email').fill(email);
      await dialog.getByLabel('Name').fill('E2E 测试坐席');
      await dialog.getByLabel('Initial password').fill('e2e-password-123');
      await dialog.getByRole('checkbox', { name: 'Agent', exact: true }).check();
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // It appears in the users list…
      const userRow = page.getByRole('row').filter({ hasText: email });
      await userRow.waitFor();
      expect(await userRow.innerText()).toContain('E2E 测试坐席');
      expect(await userRow.innerText()).toContain('Agent');

      // …and its creation in the audit log.
      await nav.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      const auditRow = page.getByRole('row').filter({ hasText: 'user.created' }).filter({ hasText: email });
      await auditRow.waitFor();
      expect(await auditRow.innerText()).toContain(kefu.adminEmail);

      // Filtering by action keeps only that action.
      await page.getByPlaceholder('Action, e.g. user.created').fill('auth.login');
      await page.getByRole('button', { name: 'Filter' }).click();
      await auditRow.waitFor({ state: 'detached' });
      await page.getByRole('row').filter({ hasText: 'auth.login' }).first().waitFor();

      // The choice is remembered: a reload keeps English.
      await page.reload();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    } finally {
      await context.close();
    }
  }, TEST_TIMEOUT);

  it('the navigation follows the role: a supervisor sees no API keys or webhooks and cannot create users', async () => {
    const { context, page } = await openLoginPage('en-US');
    try {
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await signIn(page, demoUser('supervisor'), kefu.password, 'Sign in');
      const nav = page.getByRole('navigation');
      await page.getByRole('heading', { name: 'Supervisor console' }).waitFor(); // where a supervisor lands
      expect(new URL(page.url()).pathname).toBe('/supervisor');

      const links = await nav.getByRole('link').allInnerTexts();
      expect(links).toEqual(['Agent desktop', 'Contacts', 'My tasks', 'Tickets', 'Chats', 'Knowledge search', 'New-business updates', 'Supervisor console', 'Update read report', 'Users', 'Divisions', 'Roles', 'Ticket settings', 'Audit log']);

      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('row').filter({ hasText: kefu.adminEmail }).waitFor();
      expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, TEST_TIMEOUT);

  it('an agent lands on the agent desktop and sees no admin area', async () => {
    const { context, page } = await openLoginPage('zh-CN');
    try {
      await signIn(page, demoUser('agent1'), kefu.password, '登录');
      await page.getByRole('heading', { name: '坐席工作台' }).first().waitFor();
      expect(new URL(page.url()).pathname).toBe('/agent');
      expect(await page.getByRole('navigation').getByRole('link').allInnerTexts()).toEqual(['坐席工作台', '客户', '我的任务', '工单', '在线聊天', '知识搜索', '新业务更新']);
    } finally {
      await context.close();
    }
  }, TEST_TIMEOUT);

  it('an API key secret is shown once, copies to the clipboard and works as a bearer token', async () => {
    const { context, page } = await openLoginPage('en-US');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: kefu.baseUrl });
    try {
      await signIn(page, kefu.adminEmail, kefu.password, 'Sign in');
      await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
      await page.getByRole('button', { name: 'New API key' }).click();
      const form = page.getByRole('dialog', { name: 'New API key' });
      await form.getByLabel('Name').fill('E2E CRM 集成');
      await form.getByRole('checkbox', { name: 'View users users.read' }).check();
      await form.getByRole('button', { name: 'Create' }).click();

      const shown = page.getByRole('dialog', { name: 'API key created' });
      const secret = await shown.getByRole('textbox').inputValue();
      expect(secret).toMatch(/^kefu_/);
      await shown.getByRole('button', { name: 'Copy' }).click();
      await page.getByText('Copied to the clipboard').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);

      const asKey = await fetch(`${kefu.baseUrl}/api/v1/users?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
      expect(asKey.status).toBe(200);

      // Once closed, the secret is nowhere on the page; the list shows only its prefix.
      await shown.getByRole('button', { name: 'Close', exact: true }).last().click();
      await shown.waitFor({ state: 'hidden' });
      const row = page.getByRole('row').filter({ hasText: 'E2E CRM 集成' });
      await row.waitFor();
      expect((await page.content()).includes(secret)).toBe(false);
    } finally {
      await context.close();
    }
  }, TEST_TIMEOUT);

  it('a webhook made in the console receives a signed test event that its deliveries log shows as delivered', async () => {
    const received: { body: string; signature: string }[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ body, signature: String(request.headers['kefu-signature'] ?? '') });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kefu-events`;
    const { context, page } = await openLoginPage('en-US');
    try {
      await signIn(page, kefu.adminEmail, kefu.password, 'Sign in');
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('button', { name: 'New webhook' }).click();
      const form = page.getByRole('dialog', { name: 'New webhook' });
      await form.getByLabel('Endpoint URL').fill(url);
      await form.getByLabel('Events').click();
      await page.keyboard.type('user.created');
      await page.keyboard.press('Enter');
      await form.getByText('New webhook').click(); // click away to close the event list
      await form.getByRole('button', { name: 'Create' }).click();

      const shown = page.getByRole('dialog', { name: 'Webhook created' });
      const secret = await shown.getByRole('textbox').inputValue();
      expect(secret.length).toBeGreaterThanOrEqual(16);
      await shown.getByRole('button', { name: 'Close', exact: true }).last().click();

      const row = page.getByRole('row').filter({ hasText: url });
      expect(await row.innerText()).toContain('user.created');
      await row.getByRole('button', { name: 'Deliveries' }).click();
      const drawer = page.getByRole('dialog', { name: `Deliveries: ${url}` });
      await drawer.getByRole('button', { name: 'Send test event' }).click();
      const delivered = drawer.getByRole('row').filter({ hasText: 'webhook.pinged' }).filter({ hasText: 'Delivered' });
      for (let attempt = 0; attempt < 30 && (await delivered.count()) === 0; attempt++) {
        await page.waitForTimeout(1000);
        await drawer.getByRole('button', { name: 'Refresh' }).click();
      }
      await delivered.waitFor();

      const ping = received.find((request) => request.body.includes('webhook.pinged'));
      expect(ping).toBeDefined();
      expect(verifyWebhookSignature(secret, ping!.body, ping!.signature, Math.floor(Date.now() / 1000))).toBe(true);

      // Switch it off, then delete it.
      await drawer.getByRole('button', { name: 'Close' }).first().click();
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit webhook' });
      await edit.getByRole('switch', { name: 'Active' }).click();
      await edit.getByRole('button', { name: 'Save' }).click();
      await edit.waitFor({ state: 'hidden' });
      await row.filter({ hasText: 'Inactive' }).waitFor();
      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });
    } finally {
      await context.close();
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  }, TEST_TIMEOUT);

  it('divisions are created, renamed and deleted, and a custom role is made from permissions', async () => {
    const { context, page } = await openLoginPage('en-US');
    try {
      await signIn(page, kefu.adminEmail, kefu.password, 'Sign in');
      const nav = page.getByRole('navigation');

      await nav.getByRole('link', { name: 'Divisions' }).click();
      await page.getByRole('button', { name: 'New division' }).click();
      const create = page.getByRole('dialog', { name: 'New division' });
      await create.getByLabel('Name').fill('华南大区');
      await create.getByLabel('Description').fill('广州、深圳');
      await create.getByRole('button', { name: 'Create' }).click();
      const row = page.getByRole('row').filter({ hasText: '华南大区' });
      await row.filter({ hasText: '广州、深圳' }).waitFor();

      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit division' });
      await edit.getByLabel('Name').fill('华南大区（广州）');
      await edit.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('row').filter({ hasText: '华南大区（广州）' }).waitFor();

      await row.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });

      await nav.getByRole('link', { name: 'Roles' }).click();
      const admin = page.getByRole('row').filter({ hasText: 'Administrator' });
      expect(await admin.innerText()).toContain('Built-in roles cannot be changed');
      expect(await admin.getByRole('button', { name: 'Edit' }).count()).toBe(0);
      await page.getByRole('button', { name: 'New custom role' }).click();
      const role = page.getByRole('dialog', { name: 'New custom role' });
      await role.getByRole('textbox', { name: 'Key' }).fill('night_lead');
      await role.getByRole('textbox', { name: 'Name' }).fill('夜班组长');
      await role.getByRole('checkbox', { name: 'View users users.read' }).check();
      await role.getByRole('checkbox', { name: 'Use the supervisor console supervisor.console' }).check();
      await role.getByRole('button', { name: 'Create' }).click();
      const custom = page.getByRole('row').filter({ hasText: '夜班组长' });
      await custom.waitFor();
      const text = await custom.innerText();
      expect(text).toContain('Custom');
      expect(text).toContain('View users');
      expect(text).toContain('Use the supervisor console');
    } finally {
      await context.close();
    }
  }, TEST_TIMEOUT);

  it('an administrator gives a user another role and disables the user, who can then no longer sign in', async () => {
    const { context, page } = await openLoginPage('en-US');
    const agent3 = demoUser('agent3');
    try {
      await signIn(page, kefu.adminEmail, kefu.password, 'Sign in');
      const row = page.getByRole('row').filter({ hasText: agent3 });
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit user' });
      // The form fills in the user's current roles after the dialog opens; a click before that is undone.
      await edit.locator('input[type=checkbox][value="agent"]:checked').waitFor();
      await edit.getByRole('checkbox', { name: 'Quality analyst' }).check();
      await edit.getByRole('button', { name: 'Save' }).click();
      await row.filter({ hasText: 'Quality analyst' }).waitFor();

      await row.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('tooltip').getByRole('button', { name: 'Disable' }).click();
      await row.filter({ hasText: 'Disabled' }).waitFor();
    } finally {
      await context.close();
    }

    const second = await openLoginPage('en-US');
    try {
      await signIn(second.page, agent3, kefu.password, 'Sign in');
      await second.page.getByRole('alert').waitFor();
      expect(new URL(second.page.url()).pathname).toBe('/login');
    } finally {
      await second.context.close();
    }
  }, TEST_TIMEOUT);

  let supervisorPassword = '';
  it('a session ended elsewhere sends the person back to the login page with a notice', async () => {
    supervisorPassword ||= kefu.password;
    const supervisor = demoUser('supervisor');
    const { context, page } = await openLoginPage('en-US');
    try {
      await signIn(page, supervisor, supervisorPassword, 'Sign in');
      await page.getByRole('heading', { name: 'Supervisor console' }).waitFor();
      // To a page that reads nothing by itself: the console's live boards would meet the ended session on their
      // own and send the person to the login page before the click below.
      await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();

      // The same person changes their password from another device: their other sessions end. (The new password
      // is remembered at once, so that a retry of this test signs in with it.)
      const login = await fetch(`${kefu.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: supervisor, password: supervisorPassword }),
      });
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const newPassword = `supervisor-new-password-${Date.now()}`;
      const changed = await fetch(`${kefu.baseUrl}/api/v1/me/password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ currentPassword: supervisorPassword, newPassword }),
      });
      expect(changed.status).toBe(204);
      supervisorPassword = newPassword;

      await page.getByRole('navigation').getByRole('link', { name: 'Divisions' }).click();
      await page.getByText('Your session has expired. Please sign in again.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/login');

      // Signing in again returns to the page the person was going to.
      await signIn(page, supervisor, supervisorPassword, 'Sign in');
      await page.getByRole('heading', { name: 'Divisions' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/admin/divisions');
    } finally {
      await context.close();
    }
  }, TEST_TIMEOUT);
});
