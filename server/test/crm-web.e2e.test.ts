// The contacts page as a person uses it (Debian's chromium against a real Kefu serving apps/web/dist): an agent
// imports a contact list, finds a customer by a piece of the phone number, and opens the record with its orders
// and history; the phone stays masked for an agent.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
let browser: Browser;

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu({ jobs: { pollMs: 200 } });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kefu?.stop();
});

describe('contacts page', () => {
  it('an agent imports a list, then opens a customer with orders and history by part of the phone number', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = await context.newPage();
    try {
      await page.goto(`${kefu.baseUrl}/`);
      await page.getByRole('textbox', { name: /邮箱|Email/ }).fill('agent1@demo.kefu');
      await page.getByLabel(/密码|Password/).fill(kefu.password);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('navigation').getByRole('link', { name: '客户' }).click();
      await page.getByRole('heading', { name: '客户' }).waitFor();

      // Import two contacts, one of them with a bad phone number: the report names the line and the column.
      await page.getByRole('button', { name: /导入/ }).click();
      await page.getByLabel('要导入的文件').setInputFiles({
        name: '名单.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('姓名,手机,公司\r\n马丽,159 0000 1111,星河宽带有限公司\r\n沈腾,12345,\r\n'),
      });
      await page.getByRole('checkbox', { name: /试运行/ }).uncheck();
      await page.getByRole('button', { name: /开始/ }).click();
      await page.getByText('新建 1 个，更新 0 个，跳过 1 行（共 2 行）。').waitFor({ timeout: 60_000 });
      await page.getByRole('cell', { name: '12345 is not a phone number (not a valid Chinese number)' }).waitFor();
      await page.getByRole('button', { name: '查看客户' }).click();

      // The imported contact is found by a piece of its number, masked for an agent.
      await page.getByRole('searchbox', { name: '搜索客户' }).fill('00001111');
      await page.getByRole('searchbox', { name: '搜索客户' }).press('Enter');
      await page.getByRole('cell', { name: '马丽' }).waitFor();
      expect(await page.getByRole('cell', { name: '+86159****1111' }).count()).toBe(1);

      // A seeded customer's record shows orders and the timeline.
      await page.getByRole('searchbox', { name: '搜索客户' }).fill('王小明');
      await page.getByRole('searchbox', { name: '搜索客户' }).press('Enter');
      await page.getByRole('cell', { name: '王小明' }).click();
      const drawer = page.getByRole('dialog');
      await drawer.getByRole('cell', { name: 'SO-20260001', exact: true }).waitFor();
      await drawer.getByText('客户反映晚上网速慢，已建议更换路由器信道。').waitFor();
      expect(await drawer.getByRole('button', { name: /显示完整号码/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 180_000);
});
