// The survey node in the flow editor as an admin uses it (Debian's chromium against a real Kefu serving
// apps/web/dist): a survey node from the palette, its survey flow picked by name among the published flows of the
// same channel (a draft and a chat flow are not offered), connected, and the flow publishes with it.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { choose, editorPage, openNewFlow } from './flow-editor-fixtures.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let kefu: TestKefu;
let browser: Browser;
let admin: TestClient;
let surveyId: string;

const byeGraph = (text: string) => ({ start: 'bye', nodes: [{ id: 'bye', type: 'hangup', config: { prompt: { text } } }] });

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu();
  browser = await launchChromium();
  admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
  const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  const survey = await admin.post('/api/v1/flows', { divisionId, name: '满意度调查 voice', channel: 'voice', graph: byeGraph('谢谢') });
  expect((await admin.post(`/api/v1/flows/${survey.body.id}/publish`, {})).status).toBe(200);
  surveyId = survey.body.id;
  await admin.post('/api/v1/flows', { divisionId, name: 'Unpublished survey', channel: 'voice', graph: byeGraph('draft') });
  const chat = await admin.post('/api/v1/flows', { divisionId, name: 'Chat survey', channel: 'chat', graph: { start: 'm', nodes: [{ id: 'm', type: 'message', config: { text: 'hi' }, next: { next: 'r' } }, { id: 'r', type: 'return' }] } });
  expect((await admin.post(`/api/v1/flows/${chat.body.id}/publish`, {})).status).toBe(200);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kefu?.stop();
});


describe('flow editor: survey hand-off', () => {
  it('adds a survey node, picks the survey flow by name among the published voice flows, and publishes', async () => {
    const { context, page } = await editorPage(browser);
    const name = `Line with survey ${Date.now() % 100000}`;
    try {
      await openNewFlow(page, kefu.baseUrl, kefu.password, name);

      await page.getByRole('button', { name: 'add survey', exact: true }).click();
      await page.getByTestId('flow-node-survey_1').waitFor();
      // Only the published voice flows are offered.
      await page.getByRole('combobox', { name: 'surveyFlowId', exact: true }).click({ force: true });
      const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
      await options.first().waitFor();
      const offered = await options.allTextContents();
      expect(offered).toContain('满意度调查 voice');
      expect(offered).not.toContain('Unpublished survey');
      expect(offered).not.toContain('Chat survey');
      await page.locator('.ant-select-dropdown:visible').getByTitle('满意度调查 voice', { exact: true }).click();
      await choose(page, 'exit next', 'bye');
      await page.getByTestId('flow-node-welcome').click();
      await choose(page, 'exit next', 'survey_1');

      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByText('Published version 1').waitFor();
      const flow = (await admin.get('/api/v1/flows')).body.find((f: { name: string }) => f.name === name);
      const published = (await admin.get(`/api/v1/flows/${flow.id}/graph?version=1`)).body.graph;
      expect(published.nodes.find((n: { id: string }) => n.id === 'survey_1')).toMatchObject({ type: 'survey', config: { surveyFlowId: surveyId }, next: { next: 'bye' } });
    } catch (err) {
      await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/kefu-survey-editor-failure.png` }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);
});
