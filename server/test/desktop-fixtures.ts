// Browser-test steps shared by the agent desktop, supervisor console and browser phone tests.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { fakeMicrophone } from './audio-fixtures.ts';

/**
 * Chromium whose fake microphone plays `hz` (`pulsed`: see fakeMicrophone), its WAV written into `dir`: the test's
 * temporary folder, which it removes after closing the browser.
 */
export function launchChromiumWithMicrophone(dir: string, hz: number, o: { pulsed?: boolean } = {}): Promise<Browser> {
  const mic = path.join(dir, `mic-${hz}.wav`);
  fakeMicrophone(mic, hz, o);
  return launchChromium({ fakeMicrophone: mic });
}

/** Signs a demo person in (zh-CN page) and opens a page of the left navigation by its link text. */
export async function signInTo(page: Page, baseUrl: string, email: string, password: string, navLink: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('textbox', { name: /邮箱|Email/ }).fill(email);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('navigation').getByRole('link', { name: navLink }).click();
}

/** Opens an antd select (by its combobox's accessible name) and picks the option whose text is exactly `text`. */
export async function pick(page: Page, name: string | RegExp, text: string): Promise<void> {
  await page.locator('.ant-select', { has: page.getByRole('combobox', { name }) }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: new RegExp(`^${text}$`) }).click();
}
