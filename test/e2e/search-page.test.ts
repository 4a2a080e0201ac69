import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openWatchedPage, requireUiBuild, type WatchedPage } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { sendE2eTraces, type E2eTraces } from './support/e2e-traces.js';
import { byTestId, UI_TIMEOUT, waitForRowCount } from './support/ui.js';

/** The search page against a real Threadline holding spans sent by the OTel JS SDK's protobuf exporter. */
describe('search page in Chromium', () => {
  let browser: Browser;
  let server: TestServer;
  let traces: E2eTraces;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    requireUiBuild();
    [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
    traces = await sendE2eTraces(server.otlpHttp);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    watched = await openWatchedPage(browser);
    page = watched.page;
  });

  afterEach(async () => {
    expect(watched.dialogs).toEqual([]);
    expect(watched.errors).toEqual([]);
    await watched.close();
  });

  async function resultIds(): Promise<string[]> {
    await byTestId(page, 'search-count').waitFor({ timeout: UI_TIMEOUT });
    const results = byTestId(page, 'search-result');
    const ids: string[] = [];
    for (let i = 0; i < (await results.count()); i++) ids.push((await results.nth(i).getAttribute('data-trace-id')) ?? '');
    return ids;
  }

  it('searches by service: the list and the scatter plot show the trace', async () => {
    await page.goto(`${server.http}/search`);
    await page.selectOption('[data-testid="search-service"]', 'checkout', { timeout: UI_TIMEOUT });
    await byTestId(page, 'search-submit').click();
    await expect.poll(() => new URL(page.url()).searchParams.get('service'), { timeout: UI_TIMEOUT }).toBe('checkout');

    expect(await resultIds()).toEqual([traces.checkout.traceId]);
    await expect.poll(() => byTestId(page, 'search-count').textContent()).toBe('1 trace');
    const result = byTestId(page, 'search-result');
    expect(await result.textContent()).toContain('frontend: GET /checkout');
    expect(await result.locator('[data-testid="error-badge"]').textContent()).toBe('1 error');
    const dot = page.locator(`[data-testid="scatter-dot"][data-trace-id="${traces.checkout.traceId}"]`);
    await dot.waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(page, 'scatter-dot').count()).toBe(1);

    // All services: both traces, most recent first, one dot each.
    await page.selectOption('[data-testid="search-service"]', '');
    await byTestId(page, 'search-submit').click();
    await expect.poll(() => byTestId(page, 'search-count').textContent(), { timeout: UI_TIMEOUT }).toBe('2 traces');
    expect(await resultIds()).toEqual([traces.checkout.traceId, traces.products.traceId]);
    expect(await byTestId(page, 'scatter-dot').count()).toBe(2);

    // Every dot lies inside the plot, the slowest trace included.
    const plot = await byTestId(page, 'search-scatter').boundingBox();
    const dots = byTestId(page, 'scatter-dot').locator('circle');
    for (let i = 0; i < (await dots.count()); i++) {
      const box = (await dots.nth(i).boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(plot!.y);
      expect(box.y + box.height).toBeLessThanOrEqual(plot!.y + plot!.height);
    }
  });

  it('searches by tag key=value and finds only the matching trace', async () => {
    await page.goto(`${server.http}/search`);
    await byTestId(page, 'search-tags').fill('customer.tier=gold');
    await byTestId(page, 'search-submit').click();
    await expect.poll(() => new URL(page.url()).searchParams.getAll('tag'), { timeout: UI_TIMEOUT }).toEqual(['customer.tier=gold']);
    expect(await resultIds()).toEqual([traces.checkout.traceId]);

    // The URL is the state: a pasted search link runs the search.
    await page.goto(`${server.http}/search?tag=${encodeURIComponent('customer.tier=silver')}&lookback=1h`);
    await expect.poll(() => byTestId(page, 'search-tags').inputValue(), { timeout: UI_TIMEOUT }).toBe('customer.tier=silver');
    expect(await resultIds()).toEqual([traces.products.traceId]);

    await byTestId(page, 'search-tags').fill('customer.tier=platinum');
    await byTestId(page, 'search-submit').click();
    await expect.poll(() => byTestId(page, 'search-count').textContent(), { timeout: UI_TIMEOUT }).toBe('No traces found');

    await byTestId(page, 'search-tags').fill('not a tag');
    await byTestId(page, 'search-submit').click();
    expect(await byTestId(page, 'search-error-tags').textContent()).toContain('is not key=value');
  });

  it('opens a trace from the results, and Back returns to them', async () => {
    await page.goto(`${server.http}/search?service=frontend&lookback=1h`);
    await page.locator(`[data-testid="search-result"][data-trace-id="${traces.checkout.traceId}"]`).click({ timeout: UI_TIMEOUT });
    await expect.poll(() => new URL(page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${traces.checkout.traceId}`);
    await waitForRowCount(page, traces.checkout.spanCount);
    expect(await byTestId(page, 'trace-title').textContent()).toContain('GET /checkout');

    await page.goBack();
    expect(await resultIds()).toEqual([traces.checkout.traceId, traces.products.traceId]);

    // And a dot in the scatter plot is a link too.
    await page.locator(`[data-testid="scatter-dot"][data-trace-id="${traces.products.traceId}"]`).click({ timeout: UI_TIMEOUT });
    await expect.poll(() => new URL(page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${traces.products.traceId}`);
    await waitForRowCount(page, traces.products.spanCount);
  });

  it('opens a trace by ID from the header', async () => {
    await page.goto(`${server.http}/search`);
    await byTestId(page, 'trace-id-input').fill(traces.products.traceId.toUpperCase());
    await byTestId(page, 'trace-id-submit').click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${traces.products.traceId}`);
    await waitForRowCount(page, traces.products.spanCount);
  });

  it('switches to the dark theme and keeps it across a reload', async () => {
    await page.goto(`${server.http}/search`);
    await byTestId(page, 'theme-toggle').click({ timeout: UI_TIMEOUT });
    await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await page.reload();
    await expect.poll(() => byTestId(page, 'theme-toggle').getAttribute('data-theme'), { timeout: UI_TIMEOUT }).toBe('dark');
  });

  describe('on a fresh server with no spans', () => {
    let empty: TestServer;

    beforeAll(async () => {
      empty = await startTestServer();
    });

    afterAll(async () => {
      await empty?.stop();
    });

    it('shows the onboarding text with the OTLP endpoint to set', async () => {
      await page.goto(`${empty.http}/`);
      const onboarding = byTestId(page, 'onboarding');
      await onboarding.waitFor({ timeout: UI_TIMEOUT });
      expect(new URL(page.url()).pathname).toBe('/search');
      const text = await onboarding.textContent();
      expect(text).toContain('No traces yet');
      expect(text).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318');
    });
  });
});
