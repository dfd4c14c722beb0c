// The prompt library in the flow editor (Debian's chromium against a real Kefu serving apps/web/dist): a play node
// from the palette, a WAV made by sox uploaded from its inspector (picked at once), the preview playing in the
// browser (the audio element reports the prompt's length and its clock runs), a text file named .wav refused with
// the server's reason, and the flow published with the node playing the uploaded prompt.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchChromium } from '../../tests/e2e/fixtures/web-shell.ts';
import { soxTone } from './flow-prompt-fixtures.ts';
import { choose, editorPage, openNewFlow } from './flow-editor-fixtures.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let kefu: TestKefu;
let browser: Browser;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-prompt-web-'));

beforeAll(async () => {
  ensureWebBuilt();
  kefu = await startKefu();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kefu?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});


describe('prompt library in the flow editor', () => {
  it('uploads a prompt in the play node, previews it in the browser, and publishes the flow playing it', async () => {
    const { context, page } = await editorPage(browser);
    const suffix = Date.now() % 100000;
    const name = `Prompt IVR ${suffix}`;
    const wav = path.join(dir, `greeting-${suffix}.wav`);
    fs.writeFileSync(wav, soxTone('wav', 1.5, ['-r', '44100', '-c', '2', '-b', '16'], 660));
    const fake = path.join(dir, 'notes.wav');
    fs.writeFileSync(fake, 'meeting notes, not audio\n'.repeat(40));
    try {
      await openNewFlow(page, kefu.baseUrl, kefu.password, name);

      // A play node: its inspector offers the library, with upload and preview.
      await page.getByRole('button', { name: 'add play' }).click();
      await page.getByTestId('flow-node-play_1').waitFor();
      const inspector = page.getByRole('form', { name: 'Node settings' });
      await inspector.getByRole('combobox', { name: 'Choose a prompt' }).waitFor();
      await inspector.getByText('choose a prompt from the library').waitFor();

      // A text file named .wav is refused, with the server's reason.
      await inspector.locator('input[type=file]').setInputFiles(fake);
      await page.getByText('file: the file is not a WAV (PCM, A-law or µ-law) or MP3 audio file').waitFor();

      // The WAV is uploaded and picked at once.
      await inspector.locator('input[type=file]').setInputFiles(wav);
      await page.getByText(`“greeting-${suffix}” uploaded`).waitFor();
      await inspector.getByText(`greeting-${suffix} (1.5 s)`).waitFor();

      // The preview plays in the browser: the element knows the prompt's length and its clock moves.
      await inspector.getByRole('button', { name: 'Preview prompt' }).click();
      const audio = inspector.getByLabel('Prompt preview');
      await audio.waitFor();
      // The test runs without DOM types: the element is seen through the two properties read here.
      type Media = { currentTime: number; duration: number; error: { code: number } | null };
      await audio.evaluate((el) => new Promise<void>((resolve) => {
        const a = el as unknown as Media & { addEventListener(e: string, f: () => void): void };
        const check = () => { if (a.currentTime > 0.3) resolve(); };
        a.addEventListener('timeupdate', check);
        check();
      }));
      const played = await audio.evaluate((el) => {
        const a = el as unknown as Media;
        return { duration: a.duration, error: a.error?.code ?? null };
      });
      expect(played.error).toBeNull();
      expect(played.duration).toBeGreaterThan(1.45);
      expect(played.duration).toBeLessThan(1.55);

      // welcome → play_1 → bye, then publish.
      await choose(page, 'exit next', 'bye');
      await page.getByTestId('flow-node-welcome').click();
      await choose(page, 'exit next', 'play_1');
      await page.getByRole('button', { name: 'Publish' }).click();
      await page.getByText('Published version 1').waitFor();

      // The library lists it; the published flow plays it by id.
      await page.getByRole('button', { name: 'Prompt library' }).click();
      await page.getByRole('dialog', { name: 'Prompt library' }).getByText(`greeting-${suffix}`, { exact: true }).waitFor();
      const admin = await TestClient.login(kefu.baseUrl, kefu.adminEmail, kefu.password);
      const prompt = (await admin.get('/api/v1/flow-prompts')).body.find((p: { name: string }) => p.name === `greeting-${suffix}`);
      expect(prompt).toMatchObject({ sourceFormat: 'wav pcm 16-bit 44100 Hz 2 ch', durationMs: 1500 });
      const flow = (await admin.get('/api/v1/flows')).body.find((f: { name: string }) => f.name === name);
      const published = (await admin.get(`/api/v1/flows/${flow.id}/graph?version=1`)).body.graph;
      expect(published.nodes.find((n: { id: string }) => n.id === 'play_1')).toMatchObject({ type: 'play', config: { promptId: prompt.id }, next: { next: 'bye' } });
    } catch (err) {
      await page.screenshot({ path: `${process.env.TMPDIR ?? '/tmp'}/kefu-prompt-editor-failure.png` }).catch(() => {});
      throw err;
    } finally {
      await context.close();
    }
  }, 240_000);
});
