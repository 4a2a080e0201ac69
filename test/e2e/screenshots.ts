/**
 * Takes the README screenshots from the real UI against a real Threadline filled with a
 * simulated shop's traffic (sent through the OTel JS SDK's protobuf exporter): the hour
 * before the last one on a good day, then the last 40 minutes with slow outliers and
 * failed payments, so the operations page has something that got slower.
 *
 *   npm run build && npm run screenshots
 *
 * Writes docs/screenshots/*.png at 1440×900.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWatchedPage, requireUiBuild } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { sendShopTraffic } from './support/shop-simulation.js';
import { byTestId, spanRows, UI_TIMEOUT } from './support/ui.js';

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const SIZE_BUDGET = 300 * 1024;

async function shoot(browser: Browser, name: string, colorScheme: 'light' | 'dark', url: string, ready: (page: Page) => Promise<void>): Promise<void> {
  const watched = await openWatchedPage(browser, { colorScheme });
  try {
    const { page } = watched;
    await page.goto(url);
    await ready(page);
    // Nothing may be mid-transition or still loading in a picture of the UI.
    await page.waitForLoadState('networkidle');
    await page.evaluate('document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))');
    await page.mouse.move(0, 0);
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file, type: 'png' });
    if (watched.errors.length > 0 || watched.dialogs.length > 0) throw new Error(`${name}: ${[...watched.errors, ...watched.dialogs].join('; ')}`);
    const bytes = statSync(file).size;
    console.log(`${path.relative(process.cwd(), file)}: ${(bytes / 1024).toFixed(0)} KB${bytes > SIZE_BUDGET ? ' (over the 300 KB budget)' : ''}`);
  } finally {
    await watched.close();
  }
}

async function main(): Promise<void> {
  requireUiBuild();
  mkdirSync(outDir, { recursive: true });
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  let empty: TestServer | undefined;
  try {
    [browser, server, empty] = await Promise.all([launchBrowser(), startTestServer(), startTestServer()]);
    const calm = await sendShopTraffic(server.otlpHttp, { startMsAgo: 100 * 60_000, trouble: false, seed: 11 });
    const shop = await sendShopTraffic(server.otlpHttp);
    console.log(`sent ${calm.traceCount + shop.traceCount} traces to ${server.http}`);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const minutesAgoNs = (minutes: number) => String(nowNs - BigInt(minutes) * 60_000_000_000n);
    const trace = (id: string, query: string) => `${server!.http}/trace/${id}${query}`;
    const waterfallWithDetail = async (page: Page) => {
      await spanRows(page).first().waitFor({ timeout: UI_TIMEOUT });
      await byTestId(page, 'span-detail').waitFor({ timeout: UI_TIMEOUT });
    };

    await shoot(browser, 'search', 'light', `${server.http}/search?lookback=1h&limit=60`, async (page) => {
      await byTestId(page, 'search-scatter').waitFor({ timeout: UI_TIMEOUT });
      await byTestId(page, 'search-result').first().waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'trace-waterfall', 'light', trace(shop.checkoutTraceId, `?span=${shop.spans.placeOrder}`), waterfallWithDetail);
    await shoot(browser, 'trace-dark', 'dark', trace(shop.failedCheckoutTraceId, `?span=${shop.failedChargeSpanId}`), async (page) => {
      await waterfallWithDetail(page);
      // Find is part of the view: show it with a query that matches the failed calls.
      await page.keyboard.press('/');
      await byTestId(page, 'find-input').fill('payments');
      await byTestId(page, 'find-count').filter({ hasText: '/' }).waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'clock-skew', 'light', trace(shop.checkoutTraceId, `?span=${shop.spans.chargeServer}&skew=raw`), async (page) => {
      await waterfallWithDetail(page);
      await byTestId(page, 'skew-flag').first().waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'trace-errors', 'light', trace(shop.failedCheckoutTraceId, '?uiFind=status%3Derror'), async (page) => {
      await spanRows(page).first().waitFor({ timeout: UI_TIMEOUT });
      await byTestId(page, 'error-group').first().waitFor({ timeout: UI_TIMEOUT });
      await byTestId(page, 'find-filter').check();
    });
    await shoot(browser, 'trace-stats', 'light', trace(shop.checkoutTraceId, '?tab=stats'), async (page) => {
      await byTestId(page, 'stats-operations').waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'flame-graph', 'light', trace(shop.checkoutTraceId, '?tab=flame'), async (page) => {
      await byTestId(page, 'flame-node').first().waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'compare', 'light', `${server.http}/compare/${shop.checkoutTraceId}/${shop.failedCheckoutTraceId}`, async (page) => {
      await byTestId(page, 'compare-row').first().waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'dependencies', 'light', `${server.http}/dependencies?window=1h`, async (page) => {
      await byTestId(page, 'dependency-node').first().waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'name-column', 'light', trace(shop.checkoutTraceId, `?span=${shop.spans.reserveStock}`), async (page) => {
      await waterfallWithDetail(page);
      // Widened by its edge, as a user would, so the deep SQL spans' names show whole.
      const grip = (await byTestId(page, 'name-col-resize').boundingBox())!;
      const y = grip.y + grip.height / 2;
      await page.mouse.move(grip.x + grip.width / 2, y);
      await page.mouse.down();
      await page.mouse.move(grip.x + grip.width / 2 + 90, y, { steps: 4 });
      await page.mouse.move(grip.x + grip.width / 2 + 180, y, { steps: 4 });
      await page.mouse.up();
      await byTestId(page, 'name-col-resize').focus();
    });
    await shoot(browser, 'operations', 'light', `${server.http}/operations?service=storefront&window=1h&sort=dP99&dir=desc`, async (page) => {
      await byTestId(page, 'operation-d-p99').first().waitFor({ timeout: UI_TIMEOUT });
      await byTestId(page, 'sparkline-point').first().waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'slow-spans', 'light', `${server.http}/slow?service=storefront&operation=${encodeURIComponent('POST /checkout')}&window=1h&percentile=99`, async (page) => {
      await byTestId(page, 'span-result').first().waitFor({ timeout: UI_TIMEOUT });
    });
    const heatmapUrl =
      `${server.http}/operations/storefront/${encodeURIComponent('POST /checkout')}?window=1h` +
      `&selStart=${minutesAgoNs(38)}&selEnd=${minutesAgoNs(2)}&selMin=150000000&selMax=2000000000`;
    await shoot(browser, 'heatmap', 'dark', heatmapUrl, async (page) => {
      await byTestId(page, 'heatmap-selection').waitFor({ timeout: UI_TIMEOUT });
      await byTestId(page, 'span-result').first().waitFor({ timeout: UI_TIMEOUT });
    });
    await shoot(browser, 'onboarding', 'light', `${empty.http}/search`, async (page) => {
      await byTestId(page, 'onboarding').waitFor({ timeout: UI_TIMEOUT });
    });
  } finally {
    await browser?.close();
    await server?.stop();
    await empty?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
