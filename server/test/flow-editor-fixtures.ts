// What the flow editor's browser tests share: an editor-sized page, a new flow opened by the admin, and picking an
// option of an antd select in the inspector.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const UI_TIMEOUT = 20_000;

/** A wide English page (the canvas, palette and inspector side by side). */
export async function editorPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1500, height: 950 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  return { context, page: await context.newPage() };
}

/** Signs in as the demo admin, opens the flow editor and creates a voice flow named `name` (it starts with a greeting). */
export async function openNewFlow(page: Page, baseUrl: string, password: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('textbox', { name: /邮箱|Email/ }).fill('admin@demo.kefu');
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await page.getByRole('navigation').getByRole('link', { name: 'Flow editor' }).click();
  await page.getByRole('heading', { name: 'Flow editor' }).waitFor();
  await page.getByRole('button', { name: 'New flow' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'New flow' }).click();
  await page.getByTestId('flow-node-welcome').waitFor();
}

/** Picks an option of an antd select named by its aria-label. */
export async function choose(page: Page, label: string, option: string): Promise<void> {
  // The chosen value's label sits over the select's input and takes the click: the select opens either way.
  await page.getByRole('combobox', { name: label, exact: true }).click({ force: true });
  await page.locator('.ant-select-dropdown:visible').getByTitle(option, { exact: true }).click();
}
