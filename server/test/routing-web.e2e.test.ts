// The routing admin page as an administrator uses it (Debian's chromium against a real Kefu serving apps/web/dist):
// a skill, a queue with announcements, an overflow rule, a priority rule and a wrap-up code, a member with a skill level and a
// priority, the agent's skill in their profile, and a supervisor's state change — all read back from the API.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
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

/**
 * Opens the (last) antd Select with this label and picks an option of its dropdown, as a person would: once the dropdown
 * sits at its Select and its opening motion has ended. On a busy machine (three busy loops on two cores) the mouse-down
 * of the old click landed on the option 254 px above where the option sits, and the mouse-up on what lay there a moment
 * later, so nothing was chosen: the profile could not be saved without its skill (the missing "粤语 5"), or the member
 * could not be added. `shows`: the Select keeps the choice, so the test checks it is displayed.
 */
async function choose(page: Page, label: string, option: string, o: { shows?: boolean } = {}): Promise<void> {
  const select = page.locator('.ant-select', { has: page.getByRole('combobox', { name: label, exact: true }) }).last();
  await select.getByRole('combobox').click();
  const dropdown = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last();
  const item = dropdown.locator('.ant-select-item-option', { hasText: option }).first();
  await item.waitFor();
  await expect
    .poll(
      async () => {
        const [s, d, cls] = await Promise.all([select.boundingBox(), dropdown.boundingBox(), dropdown.getAttribute('class')]);
        if (!s || !d || /-(appear|enter)\b/.test(cls ?? '')) return 'moving';
        // Right under the Select (antd leaves 4 px), or right over it when there is no room below.
        return Math.abs(d.y - (s.y + s.height)) < 12 || Math.abs(d.y + d.height - s.y) < 12 ? 'at its Select' : `at y=${d.y}, the Select at y=${s.y}`;
      },
      { timeout: UI_TIMEOUT },
    )
    .toBe('at its Select');
  await item.click();
  if (o.shows !== false) await select.locator('.ant-select-selection-item', { hasText: option }).waitFor();
}

describe('routing admin page', () => {
  it('an admin creates a skill, a queue with rules, a member with a skill level, and sets the agent’s skill; a supervisor sets the agent’s state', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    // Names of this attempt's own: a retried attempt finds the first one's skill and queue.
    const n = Date.now() % 100_000;
    const skill = `粤语${n}`;
    const queueName = `粤语热线 ${n}`;
    const admin = await TestClient.login(kefu.baseUrl, 'admin@demo.kefu', kefu.password);
    const agent1 = async () => ((await admin.get('/api/v1/routing/agents')).body as { userId: string; name: string; skills: Record<string, number>; state: string }[]).find((a) => a.name === '坐席一 Agent 1')!;
    // The agent starts offline, so the supervisor's change below shows (a retried attempt finds them available).
    expect((await admin.request('PUT', `/api/v1/routing/agents/${(await agent1()).userId}/state`, { state: 'offline', awayReasonId: null })).status).toBe(200);
    try {
      await page.goto(`${kefu.baseUrl}/`);
      await page.getByRole('textbox', { name: /邮箱|Email/ }).fill('admin@demo.kefu');
      await page.getByLabel(/密码|Password/).fill(kefu.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('navigation').getByRole('link', { name: '路由与队列' }).click();
      await page.getByRole('heading', { name: '路由与队列' }).waitFor();

      // A skill.
      await page.getByRole('tab', { name: '技能' }).click();
      const skills = page.getByRole('tabpanel', { name: '技能' });
      await skills.getByRole('textbox', { name: '名称' }).fill(skill);
      await skills.getByRole('button', { name: /添\s*加/ }).click();
      await skills.getByRole('cell', { name: skill, exact: true }).waitFor();

      // A queue with an overflow rule (relax skills after 60 s), a VIP priority rule and a wrap-up code.
      await page.getByRole('tab', { name: '队列' }).click();
      await page.getByRole('button', { name: '新建队列' }).click();
      const dialog = page.getByRole('dialog');
      // The form's fields by their ids (antd: <form name>_<field>).
      await dialog.locator('#queue_name').fill(queueName);
      await dialog.locator('#queue_maxWaitSeconds').fill('600');
      await dialog.locator('#queue_positionEverySeconds').fill('30');
      await dialog.locator('#queue_announceEstimatedWait').click();
      await dialog.getByRole('button', { name: '添加溢出规则' }).click();
      await dialog.getByRole('button', { name: '添加优先级规则' }).click();
      await dialog.getByRole('button', { name: '添加小结代码' }).click();
      await dialog.locator('#queue_wrapupCodes_0_code').fill('resolved');
      await dialog.locator('#queue_wrapupCodes_0_label').fill('已解决');
      await dialog.getByRole('button', { name: /^新\s*建$/ }).click();
      await page.getByRole('cell', { name: queueName, exact: true }).waitFor();

      // Agent 1 joins the queue with skill level 4 and member priority 2.
      await page.getByRole('button', { name: `成员 ${queueName}` }).click();
      const members = page.getByRole('dialog');
      await choose(page, '选择坐席', '坐席一');
      await members.getByRole('spinbutton', { name: '技能等级', exact: true }).fill('4');
      await members.getByRole('spinbutton', { name: '成员优先级', exact: true }).fill('2');
      await members.getByRole('button', { name: '添加成员' }).click();
      await members.getByRole('cell', { name: '坐席一 Agent 1' }).waitFor();
      await members.getByRole('button', { name: 'Close' }).click();

      // The agent's profile: Cantonese at level 5.
      await page.getByRole('tab', { name: '坐席' }).click();
      await page.getByRole('button', { name: '编辑 坐席一 Agent 1' }).click();
      const profile = page.getByRole('dialog');
      await profile.getByRole('button', { name: '添加技能' }).click();
      await choose(page, '技能', skill);
      await profile.getByRole('spinbutton', { name: '技能等级' }).last().fill('5');
      await profile.getByRole('button', { name: /保\s*存/ }).click();
      const row = page.getByRole('row', { name: /坐席一 Agent 1/ });
      await row.getByText(`${skill} 5`).waitFor();

      // A supervisor-level state change from the same table.
      await row.getByText('离线').waitFor();
      await choose(page, '更改状态 坐席一 Agent 1', '空闲', { shows: false });
      await row.getByText('空闲').waitFor();
      await page.screenshot({ path: '.test-results/routing-admin.png' });

      // Everything is saved.
      const queue = ((await admin.get('/api/v1/routing/queues')).body as { id: string; name: string }[]).find((q) => q.name === queueName)!;
      expect((await admin.get(`/api/v1/routing/queues/${queue.id}`)).body).toMatchObject({
        maxWaitSeconds: 600,
        announcements: { positionEverySeconds: 30, estimatedWait: true },
        overflow: [{ afterSeconds: 60, action: 'relax_skills', by: 1 }],
        priorityRules: [{ attribute: 'vip', equals: true, boost: 10 }],
        wrapupCodes: [{ code: 'resolved', label: '已解决' }],
      });
      expect((await admin.get(`/api/v1/routing/queues/${queue.id}/members`)).body).toMatchObject([{ name: '坐席一 Agent 1', skillLevel: 4, priority: 2 }]);
      const agent = await agent1();
      expect(agent.skills).toMatchObject({ [skill]: 5 });
      expect(agent.state).toBe('available');
    } catch (err) {
      await page.screenshot({ path: '.test-results/routing-admin-failure.png' });
      throw err;
    } finally {
      await context.close();
    }
  }, 180_000);
});
