import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { bySlowest, exactQuantile, sendLatencyData, spansOf, type KnownSpan, type LatencyData } from './support/latency-spans.js';
import { byTestId, selectedSpanId, UI_TIMEOUT, urlParam } from './support/ui.js';

/**
 * The issue behind the percentile search: "which calls of orders.Checkout were slower than
 * its p99 in the last hour, and why?" must take seconds. Against a real Threadline holding
 * spans of known durations, sent through the OTel JS SDK's protobuf exporter.
 */
describe('percentile search (/slow) in Chromium', () => {
  let data: LatencyData;
  const suite = useBrowserSuite({
    seed: async (server) => {
      data = await sendLatencyData(server.otlpHttp);
    },
  });

  /** The listed spans, top to bottom, once the list (or its empty state) is shown. */
  async function listedSpans(): Promise<Array<{ spanId: string; traceId: string; durationNs: bigint }>> {
    await byTestId(suite.page, 'slow-span-count').waitFor({ timeout: UI_TIMEOUT });
    const rows = byTestId(suite.page, 'span-result');
    const listed = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      listed.push({
        spanId: (await row.getAttribute('data-span-id')) ?? '',
        traceId: (await row.getAttribute('data-trace-id')) ?? '',
        durationNs: BigInt((await row.getAttribute('data-duration-nano')) ?? '-1'),
      });
    }
    return listed;
  }

  async function shownThreshold(): Promise<bigint> {
    const threshold = byTestId(suite.page, 'slow-threshold');
    await threshold.waitFor({ timeout: UI_TIMEOUT });
    return BigInt((await threshold.getAttribute('data-threshold-nano')) ?? '');
  }

  function expectWithinSketchError(shown: bigint, exact: bigint): void {
    expect(Math.abs(Number(shown - exact))).toBeLessThanOrEqual(Number(exact) * 0.01);
  }

  it('chooses service, operation and p99, lists the slower spans slowest first, and opens one in the waterfall', async () => {
    const checkout = spansOf(data, 'orders', 'orders.Checkout');
    await suite.page.goto(`${suite.server.http}/search`);
    await byTestId(suite.page, 'nav-slow').click();
    await suite.page.selectOption('[data-testid="slow-service"]', 'orders', { timeout: UI_TIMEOUT });
    // Operations load for the chosen service.
    await suite.page.locator('[data-testid="slow-operation"] option[value="orders.Checkout"]').waitFor({ state: 'attached', timeout: UI_TIMEOUT });
    await suite.page.selectOption('[data-testid="slow-operation"]', 'orders.Checkout');
    await byTestId(suite.page, 'slow-percentile-99').check();
    await byTestId(suite.page, 'slow-submit').click();

    await expect.poll(() => new URL(suite.page.url()).pathname).toBe('/slow');
    expect(urlParam(suite.page, 'service')).toBe('orders');
    expect(urlParam(suite.page, 'operation')).toBe('orders.Checkout');
    expect(urlParam(suite.page, 'percentile')).toBe('99');
    expect(urlParam(suite.page, 'window')).toBe('1h');

    const threshold = await shownThreshold();
    expectWithinSketchError(threshold, exactQuantile(checkout.map((s) => s.durationNs), 0.99));
    const expected = checkout.filter((s) => s.durationNs >= threshold).sort(bySlowest);
    // p99 of 200 spans: the two or three slowest, whichever the sketch's 1% puts above the line.
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(expected.length).toBeLessThanOrEqual(4);

    const listed = await listedSpans();
    expect(listed.map((s) => s.durationNs)).toEqual(expected.map((s) => s.durationNs));
    expect(new Set(listed.map((s) => s.spanId))).toEqual(new Set(expected.map((s) => s.spanId)));
    expect(await byTestId(suite.page, 'slow-span-count').textContent()).toContain(`${expected.length} spans at or above p99`);
    // The slowest one failed: it says so.
    expect(await byTestId(suite.page, 'span-result').first().locator('[data-testid="span-error"]').count()).toBe(1);

    // The slowest call opens in the waterfall with its span selected.
    const slowest = listed[0]!;
    await byTestId(suite.page, 'span-result').first().click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${slowest.traceId}`);
    expect(urlParam(suite.page, 'span')).toBe(slowest.spanId);
    await suite.page.locator(`[data-testid="span-row"][data-span-id="${slowest.spanId}"][aria-selected="true"]`).waitFor({ timeout: UI_TIMEOUT });
    expect(await selectedSpanId(suite.page)).toBe(slowest.spanId);
    await byTestId(suite.page, 'span-detail').waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'span-detail-duration').textContent()).toBe('900ms');

    // Back returns to the same results: the URL is the state.
    await suite.page.goBack();
    expect((await listedSpans()).map((s) => s.spanId)).toEqual(listed.map((s) => s.spanId));
  });

  it('filters by tag and errors only, from a pasted link, with a custom percentile', async () => {
    const checkout = spansOf(data, 'orders', 'orders.Checkout');
    await suite.page.goto(`${suite.server.http}/slow?service=orders&operation=orders.Checkout&window=1h&percentile=97.5&tag=${encodeURIComponent('region=eu')}`);
    expect(await byTestId(suite.page, 'slow-percentile-custom').inputValue()).toBe('97.5');
    expect(await byTestId(suite.page, 'slow-tags').inputValue()).toBe('region=eu');
    const threshold = await shownThreshold();
    expectWithinSketchError(threshold, exactQuantile(checkout.map((s) => s.durationNs), 0.975));
    const inEu = (s: KnownSpan): boolean => s.region === 'eu' && s.durationNs >= threshold;
    const listed = await listedSpans();
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed.map((s) => s.spanId))).toEqual(new Set(checkout.filter(inEu).map((s) => s.spanId)));

    // Errors only, through the form: the same percentile line, failed calls only.
    await byTestId(suite.page, 'slow-errors-only').check();
    await byTestId(suite.page, 'slow-tags').fill('');
    await byTestId(suite.page, 'slow-submit').click();
    await expect.poll(() => urlParam(suite.page, 'errorsOnly'), { timeout: UI_TIMEOUT }).toBe('true');
    await expect.poll(async () => (await listedSpans()).map((s) => s.spanId), { timeout: UI_TIMEOUT }).toEqual(
      checkout.filter((s) => s.error && s.durationNs >= threshold).sort(bySlowest).map((s) => s.spanId),
    );
  });

  it('pages through the spans above a low percentile, slowest first, without repeats', async () => {
    const checkout = spansOf(data, 'orders', 'orders.Checkout');
    await suite.page.goto(`${suite.server.http}/slow?service=orders&operation=orders.Checkout&window=1h&percentile=50`);
    const threshold = await shownThreshold();
    const expected = checkout.filter((s) => s.durationNs >= threshold);
    expect(expected.length).toBeGreaterThan(50);
    const rows = byTestId(suite.page, 'span-result');
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(50);
    for (let pages = 1; (await byTestId(suite.page, 'slow-more').count()) > 0; pages++) {
      expect(pages).toBeLessThan(10);
      const before = await rows.count();
      await byTestId(suite.page, 'slow-more').click();
      await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBeGreaterThan(before);
    }
    const listed = await listedSpans();
    expect(new Set(listed.map((s) => s.spanId))).toEqual(new Set(expected.map((s) => s.spanId)));
    expect(listed).toHaveLength(expected.length);
    const durations = listed.map((s) => s.durationNs);
    expect(durations).toEqual([...durations].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
  });

  it('searches every operation of a service and links each span to its operation view', async () => {
    const orders = spansOf(data, 'orders');
    await suite.page.goto(`${suite.server.http}/slow?service=orders&window=1h&percentile=99`);
    const threshold = await shownThreshold();
    expectWithinSketchError(threshold, exactQuantile(orders.map((s) => s.durationNs), 0.99));
    const listed = await listedSpans();
    expect(new Set(listed.map((s) => s.spanId))).toEqual(new Set(orders.filter((s) => s.durationNs >= threshold).map((s) => s.spanId)));
    await byTestId(suite.page, 'slow-operations-link').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/operations');
    expect(urlParam(suite.page, 'service')).toBe('orders');
  });

  it('explains an unknown service instead of showing an empty list', async () => {
    await suite.reopenPage({ allowConsoleErrors: ['404'] });
    await suite.page.goto(`${suite.server.http}/slow?service=nope&percentile=99`);
    const error = byTestId(suite.page, 'error-state');
    await error.waitFor({ timeout: UI_TIMEOUT });
    expect(await error.getAttribute('data-error-kind')).toBe('not-found');
  });
});
