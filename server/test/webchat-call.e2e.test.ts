// A web chat turned into a voice call, as people do it (Debian's chromium, two browsers with fake microphones —
// the customer's plays a pulsing 440 Hz tone, the agent's a pulsing 660 Hz one: Chromium's noise suppression
// removes a steady tone within seconds): a plain page on another origin embeds the widget with the snippet; the
// customer chats, the agent accepts on the desk with the browser phone on, clicks "语音通话", the customer accepts
// in the widget, and the two hear each other (measured: the frequency peak the widget receives, the level the
// desk's phone receives, and the recording's two channels). The chat goes on beside the call; the customer hangs
// up; the call and its recording are on the chat's interaction.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from '../../tests/e2e/fixtures/web-shell.ts';
import { bestShare, channel } from './audio-fixtures.ts';
import { launchChromiumWithMicrophone, pick, signInTo } from './desktop-fixtures.ts';
import { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { startVoiceKefu, until } from './voice-fixtures.ts';
import { chatQueueForAgent1, ensureWidgetBuilt } from './webchat-fixtures.ts';
import { loaderSnippet, startCustomerSite, type CustomerSite } from './widget-page-fixture.ts';

const UI_TIMEOUT = 20_000;
let kefu: TestKefu;
let customerBrowser: Browser;
let agentBrowser: Browser;
let admin: TestClient;
let site: CustomerSite;
let siteOrigin: string;
let widgetId: string;
let tmp: string;

beforeAll(async () => {
  ensureWebBuilt();
  ensureWidgetBuilt();
  ({ server: kefu, admin } = await startVoiceKefu());
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kefu-webchat-call-'));
  customerBrowser = await launchChromiumWithMicrophone(tmp, 440, { pulsed: true });
  agentBrowser = await launchChromiumWithMicrophone(tmp, 660, { pulsed: true });
  site = await startCustomerSite(() => `<h1>Broadband</h1>\n${loaderSnippet(kefu.baseUrl, widgetId)}`);
  siteOrigin = site.origin;
  const { divisionId, queueId } = await chatQueueForAgent1(kefu, admin, 'Web chat');
  const widget = await admin.post('/api/v1/webchat/widgets', { name: 'Shop site', divisionId, queueId, allowedOrigins: [siteOrigin] });
  expect(widget.status).toBe(201);
  widgetId = widget.body.id;
}, 240_000);

afterAll(async () => {
  await customerBrowser?.close();
  await agentBrowser?.close();
  site?.close();
  await kefu?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** The strongest frequency the widget's call audio carries over two seconds (WebAudio analyser on the remote track). */
async function widgetHears(page: Page): Promise<{ hz: number; db: number }> {
  const frame = page.frames().find((f) => f.url().includes('/widget/chat'))!;
  // A string, run in the page: the test is compiled without the DOM types.
  return frame.evaluate<{ hz: number; db: number }>(`(async () => {
    const audio = document.querySelector('audio.call-audio');
    const stream = audio && audio.srcObject;
    if (!stream) return { hz: 0, db: -Infinity };
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 4096;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    let best = { hz: 0, db: -Infinity };
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      analyser.getFloatFrequencyData(bins);
      for (let b = 2; b < bins.length; b++) if (bins[b] > best.db) best = { hz: (b * ctx.sampleRate) / analyser.fftSize, db: bins[b] };
    }
    await ctx.close();
    return best;
  })()`);
}

describe('a web chat becomes a voice call', () => {
  it('the agent escalates from the desk, the customer accepts in the widget, both hear each other, the chat goes on, the customer hangs up; the call and its recording are on the interaction', async () => {
    const agentContext = await agentBrowser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 860 } });
    const customerContext = await customerBrowser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } });
    agentContext.setDefaultTimeout(UI_TIMEOUT);
    customerContext.setDefaultTimeout(UI_TIMEOUT);
    // A retry starts clean: chats the agent still holds from an attempt that failed are ended.
    const agentApi = await TestClient.login(kefu.baseUrl, 'agent1@demo.kefu', kefu.password);
    for (const c of (await agentApi.get('/api/v1/chats')).body as { interactionId: string }[]) await agentApi.post(`/api/v1/chats/${c.interactionId}/end`, {});
    try {
      // The agent: desk, browser phone on, available.
      const desk = await agentContext.newPage();
      await signInTo(desk, kefu.baseUrl, 'agent1@demo.kefu', kefu.password, '坐席工作台');
      await desk.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
      await pick(desk, '我的状态', '空闲');
      await desk.getByTestId('agent-state').getByText(/^空闲 · /).waitFor();

      // The customer: the shop's page with the snippet, pre-chat form.
      const shop = await customerContext.newPage();
      await shop.goto(`${siteOrigin}/`);
      const widget: FrameLocator = shop.frameLocator('iframe[title="Chat"]');
      await widget.getByRole('button', { name: 'Open chat' }).click();
      await widget.getByLabel(/Your name/).fill('Li Lei');
      await widget.getByLabel(/How can we help/).fill('Typing is too slow, can we talk?');
      await widget.getByRole('button', { name: 'Start chat' }).click();

      // The agent accepts the chat on the desk and escalates it.
      await desk.getByTestId('offer').getByText('在线会话').waitFor();
      await desk.keyboard.press('Alt+A');
      const chat = desk.getByTestId('desk-chat');
      await chat.getByText('Typing is too slow, can we talk?').first().waitFor();
      await widget.getByText(/is helping you/).waitFor();
      await chat.getByRole('button', { name: '语音通话' }).click();
      await chat.getByTestId('chat-call-state').getByText('已邀请访客通话…').waitFor();

      // The widget asks; the customer accepts (microphone permission: the fake device).
      await widget.getByText('The agent invites you to a voice call', { exact: true }).waitFor();
      await widget.getByRole('button', { name: 'Accept' }).click();
      await widget.getByText('On a voice call').waitFor({ timeout: 30_000 });
      // The desk's browser phone answered by itself: the agent asked for this call.
      await desk.locator('[data-testid="softphone"][data-state="in_call"]').waitFor();
      await chat.getByTestId('chat-call-state').getByText('语音通话中').waitFor();

      // Both sides hear each other: the widget receives the agent's 660 Hz; the desk's phone receives sound.
      const heard = await until(async () => {
        const h = await widgetHears(shop);
        return h.db > -70 && Math.abs(h.hz - 660) < 25 ? h : undefined;
      }, 'the agent heard in the widget', 30_000);
      expect(heard.hz).toBeGreaterThan(635);
      await until(async () => Number(await desk.getByTestId('softphone-level').getAttribute('data-level')) > 0.02 || undefined, 'the customer heard on the desk', 30_000);

      // The chat goes on beside the call.
      await widget.getByRole('textbox').fill('I can hear you now');
      await widget.getByRole('textbox').press('Enter');
      await chat.getByRole('log').getByText('I can hear you now').waitFor();
      await new Promise((r) => setTimeout(r, 3000)); // a few seconds of conversation in the recording

      // The customer hangs up in the widget.
      await widget.getByRole('button', { name: 'Hang up' }).click();
      await desk.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
      await chat.getByTestId('chat-call-state').waitFor({ state: 'detached' });
      await widget.getByText(/^Voice call ended \(\d+:\d\d\)\.$/).waitFor();
      await chat.getByRole('log').getByText(/^Voice call ended \(\d+:\d\d\)\.$/).waitFor();

      // On the chat's interaction: the call segment and a stereo recording, customer left (440 Hz), agent right (660 Hz).
      const interaction = (await admin.get('/api/v1/interactions?channel=chat&state=live')).body.items[0];
      const full = (await admin.get(`/api/v1/interactions/${interaction.id}`)).body;
      expect(full.segments.map((s: { kind: string }) => s.kind)).toContain('voice_call');
      const [recording] = await until(async () => {
        const list = (await admin.get(`/api/v1/interactions/${interaction.id}/recordings`)).body;
        return list[0]?.state === 'stored' ? list : undefined;
      }, 'the stored recording', 30_000);
      expect(recording).toMatchObject({ kind: 'call', channels: 2 });
      const audio = await fetch(`${kefu.baseUrl}/api/v1/recordings/${recording.id}/audio`, { headers: { cookie: admin.cookie! } });
      const file = path.join(tmp, 'call.wav');
      await fs.writeFile(file, Buffer.from(await audio.arrayBuffer()));
      expect(bestShare(channel(file, 1), 440), 'the customer in the left channel').toBeGreaterThan(0.5);
      expect(bestShare(channel(file, 2), 660), 'the agent in the right channel').toBeGreaterThan(0.5);

      // A second call on the same chat, this time hung up by the agent from the chat panel.
      await chat.getByRole('button', { name: '语音通话' }).click();
      await widget.getByRole('button', { name: 'Accept' }).click();
      await widget.getByText('On a voice call').waitFor({ timeout: 30_000 });
      await desk.locator('[data-testid="softphone"][data-state="in_call"]').waitFor();
      await chat.getByRole('button', { name: '挂断通话' }).click();
      await desk.locator('[data-testid="softphone"][data-state="idle"]').waitFor();
      await widget.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'hidden' });
      await until(async () => ((await admin.get(`/api/v1/interactions/${interaction.id}/recordings`)).body.length === 2) || undefined, 'the second recording', 30_000);

      // The chat itself continues until someone ends it.
      await chat.getByRole('textbox', { name: '输入回复…' }).fill('还有别的问题吗？');
      await chat.getByRole('button', { name: '发送' }).click();
      await widget.getByText('还有别的问题吗？').waitFor();
    } finally {
      await agentContext.close();
      await customerContext.close();
    }
  }, 240_000);
});
