import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWatchedPage, requireUiBuild, type WatchedPage, type WatchedPageOptions } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { sendE2eTraces, sendWideTrace, XSS_ATTRIBUTE_VALUE, XSS_SPAN_NAME, type E2eTraces } from './support/e2e-traces.js';
import { byTestId, selectedSpanId, spanRow, spanRows, UI_TIMEOUT, urlParam, waitForRowCount, WATERFALL_ROOT } from './support/ui.js';

/** The trace page (waterfall, details, URL state, keyboard, find, skew) against a real Threadline. */
describe('trace page in Chromium', () => {
  let browser: Browser;
  let server: TestServer;
  let traces: E2eTraces;
  let watched: WatchedPage;
  let page: Page;
  let traceUrl: string;

  beforeAll(async () => {
    requireUiBuild();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
    traces = await sendE2eTraces(server.otlpHttp);
    traceUrl = `${server.http}/trace/${traces.checkout.traceId}`;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openPage(options: WatchedPageOptions = {}): Promise<Page> {
    watched = await openWatchedPage(browser, options);
    page = watched.page;
    return page;
  }

  beforeEach(async () => {
    await openPage();
  });

  afterEach(async () => {
    expect(watched.dialogs).toEqual([]);
    expect(watched.errors).toEqual([]);
    await watched.close();
  });

  async function openTrace(query = ''): Promise<void> {
    await page.goto(`${traceUrl}${query}`);
    await waitForRowCount(page, traces.checkout.spanCount);
  }

  it('renders the waterfall: one row per span, in tree order, with the trace facts', async () => {
    await openTrace();
    expect(await byTestId(page, 'trace-span-count').textContent()).toBe('8');
    expect(await byTestId(page, 'trace-errors').textContent()).toBe('1');
    expect(await byTestId(page, 'row-count').textContent()).toBe('8 of 8 spans');
    expect(await byTestId(page, 'trace-services').textContent()).toMatch(/frontend[\s\S]*checkout|checkout[\s\S]*frontend/);
    const ids = await spanRows(page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-id')));
    expect(ids[0]).toBe(traces.checkout.rootSpanId);
    expect(ids[1]).toBe(traces.checkout.cartSpanId);
    expect(await spanRow(page, traces.checkout.rootSpanId).getAttribute('aria-level')).toBe('1');
    expect(await spanRow(page, traces.checkout.dbSpanId).getAttribute('aria-level')).toBe('4');
    expect(await spanRow(page, traces.checkout.chargeSpanId).locator('[data-testid="error-mark"]').count()).toBe(1);
  });

  it('collapses a subtree and expands it again', async () => {
    await openTrace();
    const row = spanRow(page, traces.checkout.placeOrderClientSpanId);
    expect(await row.getAttribute('aria-expanded')).toBe('true');
    await row.locator('[data-testid="collapse-toggle"]').click();
    await waitForRowCount(page, traces.checkout.spanCount - traces.checkout.placeOrderDescendants);
    expect(await row.getAttribute('aria-expanded')).toBe('false');
    expect(await byTestId(page, 'row-count').textContent()).toBe('5 of 8 spans');
    expect(await spanRow(page, traces.checkout.dbSpanId).count()).toBe(0);

    await row.locator('[data-testid="collapse-toggle"]').click();
    await waitForRowCount(page, traces.checkout.spanCount);
    expect(await row.getAttribute('aria-expanded')).toBe('true');

    // The depth selector folds everything below level 1 at once; Expand all undoes it.
    await byTestId(page, 'collapse-depth').selectOption('1');
    await waitForRowCount(page, 1);
    await byTestId(page, 'expand-all').click();
    await waitForRowCount(page, traces.checkout.spanCount);
  });

  it('selects a span: details show its attributes and the URL names it; a reload or the link restores the view', async () => {
    await openTrace();
    await spanRow(page, traces.checkout.dbSpanId).locator('.op').click();
    const detail = byTestId(page, 'span-detail');
    await detail.waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(page, 'span-detail-name').textContent()).toBe('db.query');
    expect(await byTestId(page, 'span-detail-id').textContent()).toBe(traces.checkout.dbSpanId);
    const attributes = await byTestId(page, 'span-attributes').textContent();
    expect(attributes).toContain('db.system');
    expect(attributes).toContain('postgresql');
    expect(attributes).toContain('SELECT id, total FROM orders WHERE customer_id = $1');
    expect(await byTestId(page, 'span-resource').textContent()).toContain('pay-1');
    await expect.poll(() => urlParam(page, 'span'), { timeout: UI_TIMEOUT }).toBe(traces.checkout.dbSpanId);
    expect(await selectedSpanId(page)).toBe(traces.checkout.dbSpanId);
    const link = page.url();

    await page.reload();
    await waitForRowCount(page, traces.checkout.spanCount);
    expect(await selectedSpanId(page)).toBe(traces.checkout.dbSpanId);
    expect(await byTestId(page, 'span-detail-name').textContent()).toBe('db.query');

    // Someone else follows the pasted link in a fresh browser context.
    const first = watched;
    await openPage();
    try {
      await page.goto(link);
      await waitForRowCount(page, traces.checkout.spanCount);
      expect(await selectedSpanId(page)).toBe(traces.checkout.dbSpanId);
      expect(await byTestId(page, 'span-detail-name').textContent()).toBe('db.query');
      expect(watched.errors).toEqual([]);
    } finally {
      await watched.close();
      watched = first;
    }
  });

  it('shows the error span: status, message and the exception event', async () => {
    await openTrace(`?span=${traces.checkout.chargeSpanId}`);
    await expect.poll(() => byTestId(page, 'span-detail-status').textContent(), { timeout: UI_TIMEOUT }).toContain('error: card declined');
    const events = await byTestId(page, 'span-events').textContent();
    expect(events).toContain('exception');
    expect(events).toContain('card declined by issuer');
  });

  it('moves the selection with the arrow keys and keeps the URL in step', async () => {
    await openTrace();
    await spanRow(page, traces.checkout.rootSpanId).locator('.op').click();
    await expect.poll(() => urlParam(page, 'span'), { timeout: UI_TIMEOUT }).toBe(traces.checkout.rootSpanId);

    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selectedSpanId(page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.cartSpanId);
    await expect.poll(() => urlParam(page, 'span'), { timeout: UI_TIMEOUT }).toBe(traces.checkout.cartSpanId);
    await expect.poll(() => byTestId(page, 'span-detail-name').textContent(), { timeout: UI_TIMEOUT }).toBe('cart.load');

    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => selectedSpanId(page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.cartSpanId);

    // Left on a child goes to its parent; End goes to the last row.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => selectedSpanId(page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.rootSpanId);
    await page.keyboard.press('End');
    await expect.poll(() => selectedSpanId(page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.chargeSpanId);
  });

  it('finds spans with "/" and steps through matches', async () => {
    await openTrace();
    await page.locator('[data-testid="waterfall"]').focus();
    await page.keyboard.press('/');
    const input = byTestId(page, 'find-input');
    await input.waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => page.evaluate(`${WATERFALL_ROOT}.activeElement?.dataset.testid`)).toBe('find-input');
    await page.keyboard.type('payments');
    await expect.poll(() => byTestId(page, 'find-count').textContent(), { timeout: UI_TIMEOUT }).toMatch(/1\s*\/\s*1/);
    await expect.poll(() => selectedSpanId(page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.chargeSpanId);

    // key=value finds by attribute.
    await input.fill('db.system=postgresql');
    await expect.poll(() => selectedSpanId(page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.dbSpanId);
    await input.fill('no-such-span-anywhere');
    await expect.poll(() => byTestId(page, 'find-count').textContent(), { timeout: UI_TIMEOUT }).toContain('no matches');
  });

  it('shows hostile span names and attributes as text, never as markup', async () => {
    await openTrace(`?span=${traces.checkout.xssSpanId}`);
    expect(await spanRow(page, traces.checkout.xssSpanId).locator('.op').textContent()).toBe(XSS_SPAN_NAME);
    await expect.poll(() => byTestId(page, 'span-detail-name').textContent(), { timeout: UI_TIMEOUT }).toBe(XSS_SPAN_NAME);
    expect(await byTestId(page, 'span-attributes').textContent()).toContain(XSS_ATTRIBUTE_VALUE);

    // Let any image the page might have created finish (fail) loading before judging.
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(`${WATERFALL_ROOT}.querySelectorAll('img').length`)).toBe(0);
    expect(await page.evaluate(`${WATERFALL_ROOT}.querySelectorAll('img[src="x"], script').length`)).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('script:not([type="module"])').count()).toBe(0);
    expect(watched.dialogs).toEqual([]);

    // Find matches the literal text too.
    await page.keyboard.press('/');
    await byTestId(page, 'find-input').fill('<img');
    await expect.poll(() => byTestId(page, 'find-count').textContent(), { timeout: UI_TIMEOUT }).toMatch(/1\s*\/\s*1/);
  });

  it('shows the clock-skew toggle and flags the skewed span; raw mode is in the URL', async () => {
    await openTrace();
    const toggle = byTestId(page, 'skew-toggle');
    expect(await toggle.isVisible()).toBe(true);
    expect(await toggle.isChecked()).toBe(true);
    expect(await byTestId(page, 'skew-count').textContent()).toBe('(1 span)');
    expect(await byTestId(page, 'skew-flag').count()).toBe(1);

    await toggle.uncheck();
    await expect.poll(() => urlParam(page, 'skew'), { timeout: UI_TIMEOUT }).toBe('raw');
    expect(await byTestId(page, 'skew-flag').getAttribute('title')).toContain('does not fit its parent');
    await page.reload();
    await waitForRowCount(page, traces.checkout.spanCount);
    expect(await byTestId(page, 'skew-toggle').isChecked()).toBe(false);

    await byTestId(page, 'skew-toggle').check();
    await expect.poll(() => urlParam(page, 'skew'), { timeout: UI_TIMEOUT }).toBe(null);
  });

  describe('a wide trace (1 request, 1,500 RPCs)', () => {
    let wide: { traceId: string; spanCount: number };

    beforeAll(async () => {
      wide = await sendWideTrace(server.otlpHttp, 1_500);
    });

    it('keeps the DOM to the rows in view plus a small buffer, at the top and at the end', async () => {
      await page.goto(`${server.http}/trace/${wide.traceId}`);
      await spanRows(page).first().waitFor({ timeout: UI_TIMEOUT });
      expect(await byTestId(page, 'trace-span-count').textContent()).toBe('3,001');
      const rowsInView = Number(await page.evaluate(`Math.ceil(${WATERFALL_ROOT}.querySelector('.viewport').clientHeight / ${WATERFALL_ROOT}.querySelector('[data-testid="span-row"]').getBoundingClientRect().height)`));
      const bound = rowsInView + 2 * 8;
      expect(await spanRows(page).count()).toBeLessThanOrEqual(bound);
      // Not one element per child in the root row either (critical-path pieces, event ticks).
      expect(Number(await page.evaluate(`${WATERFALL_ROOT}.querySelectorAll('*').length`))).toBeLessThan(1_200);

      await page.locator('[data-testid="waterfall"]').focus();
      await page.keyboard.press('End');
      await expect.poll(() => page.locator(`[data-testid="span-row"][data-row="${wide.spanCount - 1}"]`).count(), { timeout: UI_TIMEOUT }).toBe(1);
      expect(await spanRows(page).count()).toBeLessThanOrEqual(bound);
    });
  });

  describe('errors', () => {
    beforeEach(async () => {
      // The UI's fetch of a missing trace is a 404, which Chromium logs as a console error.
      await watched.close();
      await openPage({ allowConsoleErrors: ['status of 404'] });
    });

    it('shows "trace not found" for an unknown trace ID', async () => {
      const missing = '0123456789abcdef0123456789abcdef';
      await page.goto(`${server.http}/trace/${missing}`);
      const error = byTestId(page, 'error-state');
      await error.waitFor({ timeout: UI_TIMEOUT });
      expect(await error.getAttribute('data-error-kind')).toBe('not-found');
      expect(await error.textContent()).toContain(`Trace ${missing} not found`);
      expect(await spanRows(page).count()).toBe(0);
    });

    it('shows the not-found page for a trace URL that is not an ID', async () => {
      await page.goto(`${server.http}/trace/not-hex`);
      const notFound = byTestId(page, 'not-found');
      await notFound.waitFor({ timeout: UI_TIMEOUT });
      expect(await page.locator('tl-not-found-page p').first().textContent()).toContain('"not-hex" is not a trace ID');
    });
  });
});
