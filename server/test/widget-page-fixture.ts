// Web chat browser tests: a customer's site on another origin whose pages embed the widget, and the browser steps
// those tests share (a context per person, signing in).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface CustomerSite {
  /** `http://localhost:<port>`: not 127.0.0.1, where Kefu listens, so the shop is another site, as on the internet. */
  origin: string;
  close(): void;
}

/** The widget's loader script as a site pastes it (the snippet the admin console shows). */
export const loaderSnippet = (kefuUrl: string, widgetId: string): string =>
  `<script src="${kefuUrl}/widget/loader.js" data-widget="${widgetId}" async></script>`;

/** A site whose every page is a plain HTML page around `body(url)` (a heading, the snippet, …). */
export function startCustomerSite(body: (url: URL) => string): Promise<CustomerSite> {
  const server = http.createServer((req, res) =>
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body>${body(new URL(req.url ?? '/', 'http://localhost'))}\n</body></html>`),
  );
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ origin: `http://localhost:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  );
}

/** A browser context for one person: their locale, a desk-sized window, and the suite's UI timeout. */
export async function personContext(browser: Browser, locale: string, timeoutMs: number): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(timeoutMs);
  return context;
}

/** Signs a person in (either language) in a new page of `context` and waits for the app's navigation. */
export async function signIn(context: BrowserContext, baseUrl: string, email: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.getByRole('textbox', { name: /邮箱|Email/ }).fill(email);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await page.getByRole('navigation').waitFor();
  return page;
}
