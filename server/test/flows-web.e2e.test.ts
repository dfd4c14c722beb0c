// The flow editor as an admin uses it (Debian's chromium against a real Kefu serving apps/web/dist): a new voice
// flow gets a menu and a queue from the palette, set in the inspector; publishing is refused while an exit is
// unconnected (the problems are listed), then the four-node flow publishes and runs in the simulator: key 1
// reaches the Sales queue.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { choose, editorPage, openNewFlow } from './flow-editor-fixtures.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

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


describe('flow editor', () => {
  it('builds a four-node flow, is refused while an exit is open, publishes it and runs it in the simulator', async () => {
    const { context, page } = await editorPage(browser);
    // A name of its own per attempt (a retried attempt finds the first one's flow).
    const name = `Browser IVR ${Date.now() % 100000}`;
    try {
      // A new voice flow starts with a greeting and a hangup.
      await openNewFlow(page, kefu.baseUrl, kefu.password, name);
      await page.getByTestId('flow-node-bye').waitFor();

      // A menu from the palette: prompt and two keys.
      await page.getByRole('button', { name: 'add menu' }).click();
      await page.getByTestId('flow-node-menu_1').waitFor();
      await page.getByLabel('prompt text', { exact: true }).fill('Press 1 for sales, 2 to hang up.');
      await page.getByLabel('options', { exact: true }).fill('[{"digit":"1"},{"digit":"2"}]');
      await page.getByRole('combobox', { name: 'exit key_2', exact: true }).waitFor();
      await choose(page, 'exit key_2', 'bye');

      // A queue from the palette, picked by name.
      await page.getByRole('button', { name: 'add queue' }).click();
      await page.getByTestId('flow-node-queue_1').waitFor();
      await choose(page, 'queueId', 'Sales');

      // The greeting leads to the menu.
      await page.getByTestId('flow-node-welcome').click();
      await choose(page, 'exit next', 'menu_1');

      // Key 1 is still open: publishing is refused and the problem is listed.
      await page.getByRole('button', { name: 'Publish' }).click();
      const problems = page.getByRole('list', { name: 'To fix before publishing' });
      await problems.getByText('menu_1: exit key_1 is not connected').waitFor();
      expect(await problems.getByRole('listitem').count()).toBe(2); // the open exit, and the queue no path reaches

      await page.getByTestId('flow-node-menu_1').click();
      await choose(page, 'exit key_1', 'queue_1');
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByText('Published version 1').waitFor();

      // The simulator runs it: the prompts as text, key 1 → the Sales queue.
      await page.getByRole('button', { name: 'Simulator' }).click();
      await page.getByRole('button', { name: 'Start simulation' }).click();
      const log = page.getByRole('log', { name: 'Simulator' });
      await log.getByText('Press 1 for sales, 2 to hang up.').waitFor();
      await log.getByText(/Hello, thank you for calling/).waitFor();
      await page.getByLabel('Type keys or words').fill('1');
      await page.getByRole('button', { name: 'Send' }).click();
      const admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
      const sales = (await admin.get('/api/v1/routing/queues')).body.find((q: { name: string }) => q.name === 'Sales').id;
      await log.getByText(`Flow ended: queue ${sales}`).waitFor();

      const flow = (await admin.get('/api/v1/flows')).body.find((f: { name: string }) => f.name === name);
      expect(flow.publishedVersion).toBe(1);
      expect((await admin.get(`/api/v1/flows/${flow.id}`)).body.draft.nodes.map((n: { id: string }) => n.id).sort()).toEqual(['bye', 'menu_1', 'queue_1', 'welcome']);
    } catch (err) {
      await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/kefu-flows-editor-failure.png` }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);
});
