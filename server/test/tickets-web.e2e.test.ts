// The tickets pages as people use them (Debian's chromium against a real Kefu serving apps/web/dist): an agent
// creates a ticket from the call they just handled, gives a sub-task to a staff member of the finance department,
// who sees it in "my tasks" (notified in real time) and completes it with a result; the agent, still the owner,
// sees the result return and solves the ticket.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import type { ConversationsModule } from '../src/conversations/conversations.module.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
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

async function signIn(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${kefu.baseUrl}/`);
  await page.getByRole('textbox', { name: /邮箱|Email/ }).fill(email);
  await page.getByLabel(/密码|Password/).fill(kefu.password);
  await page.getByRole('button', { name: '登录' }).click();
  return page;
}

/** Opens an antd select by its label and picks the option containing `text`. */
async function pick(page: Page, scope: ReturnType<Page['getByRole']> | Page, label: string, text: string | RegExp, search?: string): Promise<void> {
  const box = scope.getByRole('combobox', { name: label });
  // A person clicks the select's box; its search input may be hidden behind the chosen value.
  await box.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " ant-select-selector ")][1]').click();
  if (search) await box.fill(search);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first().click();
  // The next pick must not find this dropdown still closing (its options are no longer clickable then).
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' }).catch(() => undefined);
}

describe('tickets pages', () => {
  it('agent creates a ticket from an interaction, a finance staff member completes its sub-task, the owner solves it', async () => {
    // The call the agent just took: the agent desktop would link to the tickets page with it.
    const admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
    const tenantId = (await admin.get('/api/v1/me')).body.tenant.id as string;
    const divisionId = (await admin.get('/api/v1/divisions')).body[0].id as string;
    const agentId = (await admin.get('/api/v1/users?q=agent1')).body.items[0].id as string;
    const interactions = (kefu.kefu.modules.conversations as ConversationsModule).interactions;
    const call = await interactions.open(tenantId, { divisionId, channel: 'voice', direction: 'inbound', from: '+8613800138000', to: '4000' });
    await interactions.update(tenantId, call.id, { agentId, answeredAt: new Date() });

    const agentContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    const staffContext = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    agentContext.setDefaultTimeout(UI_TIMEOUT);
    staffContext.setDefaultTimeout(UI_TIMEOUT);
    try {
      const agent = await signIn(agentContext, 'agent1@demo.kefu');
      // The first page of a cold server loads its chunks slowly on a busy machine.
      await agent.getByRole('navigation').getByRole('link', { name: '工单', exact: true }).click({ timeout: 90_000 });
      await agent.getByRole('heading', { name: '工单', exact: true }).waitFor();
      await agent.getByRole('button', { name: /新建工单/ }).click();
      const modal = agent.getByRole('dialog', { name: '新建工单' });
      await pick(agent, modal, '来自交互', '138****8000');
      await pick(agent, modal, '客户', '王小明', '王小明');
      await modal.getByRole('textbox', { name: '主题' }).fill('退款未到账');
      await modal.getByRole('button', { name: /创\s*建/ }).click();

      // The new ticket opens: owned by the agent, with the customer from the search.
      const drawer = agent.locator('.ant-drawer-content');
      await drawer.getByText('退款未到账').waitFor();
      await drawer.getByText('王小明').waitFor();
      await drawer.getByRole('tab', { name: '子任务' }).click();
      await drawer.getByRole('textbox', { name: '子任务内容' }).fill('核实银行退款流水');
      await pick(agent, drawer, '交给（人员或部门）', 'Finance staff · 财务部', '刘芳');
      await drawer.getByRole('button', { name: /添加子任务/ }).click();
      await drawer.getByText('待处理').waitFor();

      // The staff member lands on "my tasks" and completes it with a result.
      const staff = await signIn(staffContext, 'staff1@demo.kefu');
      await staff.getByRole('heading', { name: '我的任务' }).waitFor();
      await staff.getByText('核实银行退款流水').waitFor();
      await staff.getByRole('button', { name: /完\s*成/ }).first().click();
      const done = staff.getByRole('dialog');
      await done.getByRole('textbox', { name: '处理结果' }).fill('银行已退回，流水号 R20260914001');
      await done.getByRole('button', { name: /完\s*成/ }).click();
      await done.waitFor({ state: 'hidden' });
      // The list reloads after the change; on a loaded CI machine that can take longer than one UI step.
      await staff.getByText('没有待办的子任务').waitFor({ timeout: 45_000 });

      // The owner is told, sees the result come back, and solves the ticket.
      await agent.getByText(/子任务已完成（工单 #\d+）：核实银行退款流水/).waitFor();
      await drawer.getByText('银行已退回，流水号 R20260914001', { exact: true }).waitFor();
      await drawer.getByRole('button', { name: /标记为已解决/ }).click();
      await drawer.getByRole('combobox', { name: '状态' }).locator('xpath=ancestor::div[contains(@class,"ant-select")][1]').getByText('已解决').waitFor();
      await agent.screenshot({ path: '/tmp/kefu-tickets-solved.png' });

      const agentApi = await TestClient.login(kefu.baseUrl, 'agent1@demo.kefu', kefu.password);
      const ticket = (await agentApi.get('/api/v1/tickets?q=退款未到账')).body.items[0];
      expect(ticket).toMatchObject({ status: 'solved', source: 'interaction', requesterName: '王小明', resolvedBy: agentId, ownerId: agentId });
      expect((await agentApi.get(`/api/v1/tickets/${ticket.id}/interactions`)).body.map((i: { id: string }) => i.id)).toEqual([call.id]);
    } finally {
      await agentContext.close();
      await staffContext.close();
    }
  }, 240_000);

  it('a supervisor configures departments, SLA policies and the ownership model on the ticket settings page', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    // A name of its own per attempt, so that a retry does not meet the first attempt's department.
    const department = `售后部 After-sales ${crypto.randomUUID().slice(0, 4)}`;
    try {
      const page = await signIn(context, 'supervisor@demo.kefu');
      await page.getByRole('navigation').getByRole('link', { name: '工单设置' }).click({ timeout: 90_000 });
      await page.getByRole('heading', { name: '工单设置' }).waitFor();
      await page.getByRole('cell', { name: '财务部 Finance' }).waitFor();
      await page.getByRole('button', { name: /新建部门或团队/ }).click();
      const modal = page.getByRole('dialog');
      await modal.getByRole('textbox', { name: '名称' }).fill(department);
      await pick(page, modal, '成员', '坐席二');
      // A multiple select stays open after a pick: close it before pressing OK.
      await modal.locator('.ant-modal-title').click();
      await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'detached' }).catch(() => undefined);
      await modal.getByRole('button', { name: /确\s*定|OK/ }).click();
      await page.getByRole('cell', { name: department }).waitFor();

      await page.getByRole('tab', { name: 'SLA 策略' }).click();
      await page.getByRole('cell', { name: '紧急' }).waitFor();
      await page.getByRole('tab', { name: '负责模式' }).click();
      await pick(page, page, 'Default 负责模式', '分层升级');
      const admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
      const divisionId = (await admin.get('/api/v1/divisions')).body[0].id as string;
      for (let i = 0; i < 50; i++) {
        if ((await admin.get(`/api/v1/ticket-settings/${divisionId}`)).body.ownershipModel === 'tiered') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await admin.get(`/api/v1/ticket-settings/${divisionId}`)).body.ownershipModel).toBe('tiered');
      const groups = (await admin.get('/api/v1/ticket-groups')).body;
      expect(groups.find((g: { name: string }) => g.name === department).members.map((m: { email: string }) => m.email)).toEqual(['agent2@demo.kefu']);
    } finally {
      await context.close();
    }
  }, 240_000);
});
