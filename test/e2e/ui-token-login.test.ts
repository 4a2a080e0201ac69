import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openWatchedPage, requireUiBuild } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';

const UI_TOKEN = 'browser-ui-token-0123456789';

describe('--ui-token in the browser', () => {
  let browser: Browser;
  let server: TestServer;
  beforeAll(async () => {
    requireUiBuild();
    browser = await launchBrowser();
    server = await startTestServer({ uiToken: UI_TOKEN });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('asks for the token once, keeps it in a cookie page scripts cannot read, and opens the page asked for', async () => {
    const watched = await openWatchedPage(browser, { allowConsoleErrors: ['401'] });
    try {
      const { page, context } = watched;
      await page.goto(`${server.http}/search?service=nothing`);
      await page.fill('#token', 'wrong-token-0123456789');
      await page.click('button[type=submit]');
      await page.waitForSelector('.problem');
      await page.fill('#token', UI_TOKEN);
      await page.click('button[type=submit]');
      await page.waitForURL(`${server.http}/search?service=nothing`);
      await page.waitForSelector('tl-app');

      const [cookie] = await context.cookies(server.http);
      expect(cookie).toMatchObject({ name: 'threadline_ui', httpOnly: true, sameSite: 'Strict' });
      expect(await page.evaluate('document.cookie')).toBe('');
      expect(await page.evaluate(`fetch('/api/services').then((r) => r.status)`)).toBe(200);

      await page.reload();
      expect(await page.locator('#token').count()).toBe(0);
      expect(watched.dialogs).toEqual([]);
    } finally {
      await watched.close();
    }
  });
});
