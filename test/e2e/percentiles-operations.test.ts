import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { exactQuantile, sendLatencyData, spansOf, type LatencyData } from './support/latency-spans.js';
import { byTestId, UI_TIMEOUT, urlParam } from './support/ui.js';

/** The operations page: every operation of a service with rate, error rate and percentiles; sortable; a row opens the operation view. */
describe('operations page in Chromium', () => {
  let data: LatencyData;
  const suite = useBrowserSuite({
    seed: async (server) => {
      data = await sendLatencyData(server.otlpHttp);
    },
  });

  async function rowOrder(): Promise<string[]> {
    const rows = byTestId(suite.page, 'operation-row');
    const names: string[] = [];
    for (let i = 0; i < (await rows.count()); i++) names.push((await rows.nth(i).getAttribute('data-operation')) ?? '');
    return names;
  }

  it('lists the operations of a service with their p99, sorts by a column, and opens one', async () => {
    await suite.page.goto(`${suite.server.http}/search`);
    await byTestId(suite.page, 'nav-operations').click();
    await byTestId(suite.page, 'operations-services').getByText('orders', { exact: true }).click();
    await expect.poll(() => urlParam(suite.page, 'service'), { timeout: UI_TIMEOUT }).toBe('orders');
    await expect.poll(rowOrder, { timeout: UI_TIMEOUT }).toEqual(['orders.Checkout', 'orders.List']);

    for (const operation of ['orders.Checkout', 'orders.List']) {
      const known = spansOf(data, 'orders', operation);
      const row = suite.page.locator(`[data-testid="operation-row"][data-operation="${operation}"]`);
      const p99 = Number(await row.locator('[data-testid="operation-p99"]').getAttribute('data-nano'));
      const exact = Number(exactQuantile(known.map((s) => s.durationNs), 0.99));
      expect(Math.abs(p99 - exact)).toBeLessThanOrEqual(exact * 0.01);
      expect(await row.locator('[data-testid="operation-rate"]').textContent()).toContain(`${known.length} spans`);
      const errors = known.filter((s) => s.error).length;
      expect(await row.locator('[data-testid="operation-errors"]').textContent()).toBe(errors === 0 ? '0%' : `${Number(((errors / known.length) * 100).toFixed(1))}%`);
      expect(await row.locator('[data-testid="sparkline-path"]').getAttribute('d')).toMatch(/^M/);
    }

    // Sorting is in the URL; p99 sorts slowest first, a second click reverses it.
    await byTestId(suite.page, 'sort-p99').click();
    await expect.poll(() => urlParam(suite.page, 'sort'), { timeout: UI_TIMEOUT }).toBe('p99');
    expect(urlParam(suite.page, 'dir')).toBe('desc');
    await expect.poll(rowOrder).toEqual(['orders.Checkout', 'orders.List']);
    await byTestId(suite.page, 'sort-p99').click();
    await expect.poll(() => urlParam(suite.page, 'dir'), { timeout: UI_TIMEOUT }).toBe('asc');
    await expect.poll(rowOrder).toEqual(['orders.List', 'orders.Checkout']);

    // A row opens the operation view for the same window.
    await suite.page.locator('[data-testid="operation-row"][data-operation="orders.Checkout"]').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/operations/orders/orders.Checkout');
    expect(urlParam(suite.page, 'window')).toBe('1h');
    expect(await byTestId(suite.page, 'operation-title').textContent()).toBe('orders: orders.Checkout');
    await byTestId(suite.page, 'heatmap-plot').waitFor({ timeout: UI_TIMEOUT });
    await byTestId(suite.page, 'histogram-plot').waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'operation-count').textContent()).toBe('200');
  });

  it('compares every operation with the previous window of the same length, sortable by the change', async () => {
    // Whole minutes in the past, as the sketches behind the table cover them (rates leave out the future).
    const minuteNs = 60_000_000_000n;
    const endNs = ((BigInt(data.nowMs) * 1_000_000n) / minuteNs) * minuteNs - 1n;
    const startNs = endNs + 1n - 20n * minuteNs;
    const previousStartNs = startNs - (endNs - startNs + 1n);
    const inWindow = (from: bigint, to: bigint) => spansOf(data, 'orders', 'orders.Checkout').filter((s) => s.startNs >= from && s.startNs <= to);
    const current = inWindow(startNs, endNs);
    const previous = inWindow(previousStartNs, startNs - 1n);
    expect(current.length).toBeGreaterThan(0);
    expect(previous.length).toBeGreaterThan(0);

    await suite.page.goto(`${suite.server.http}/operations?service=orders&window=custom&start=${startNs}&end=${endNs}`);
    const row = suite.page.locator('[data-testid="operation-row"][data-operation="orders.Checkout"]');
    const dRate = row.locator('[data-testid="operation-d-rate"]');
    await dRate.waitFor({ timeout: UI_TIMEOUT });
    expect(Number(await dRate.getAttribute('data-value'))).toBeCloseTo(current.length / previous.length - 1, 6);
    const p99 = (spans: typeof current) => Number(exactQuantile(spans.map((s) => s.durationNs), 0.99));
    const dP99 = Number(await row.locator('[data-testid="operation-d-p99"]').getAttribute('data-value'));
    const expected = p99(current) - p99(previous);
    expect(Math.abs(dP99 - expected)).toBeLessThanOrEqual(0.01 * (p99(current) + p99(previous)));
    const errorShare = (spans: typeof current) => spans.filter((s) => s.error).length / spans.length;
    const dErrors = Number(await row.locator('[data-testid="operation-d-errors"]').getAttribute('data-value'));
    expect(dErrors).toBeCloseTo(errorShare(current) - errorShare(previous), 6);

    // Sorting by a change is a link like the other columns.
    await byTestId(suite.page, 'sort-dP99').click();
    await expect.poll(() => urlParam(suite.page, 'sort'), { timeout: UI_TIMEOUT }).toBe('dP99');

    // The sparkline tells each point's value on hover.
    const titles = await row.locator('[data-testid="sparkline-point"] title').allTextContents();
    expect(titles.length).toBeGreaterThan(1);
    expect(titles.some((t) => /\d{2}:\d{2}:\d{2}\.\d{3}: \d+(\.\d+)?ms$/.test(t))).toBe(true);
  });

  it('reaches the operation view from a search result and from span details', async () => {
    const list = spansOf(data, 'orders', 'orders.List')[0]!;
    await suite.page.goto(`${suite.server.http}/search?service=orders&operation=orders.List&lookback=1h&limit=5`);
    const latency = byTestId(suite.page, 'search-result-latency').first();
    await latency.waitFor({ timeout: UI_TIMEOUT });
    await latency.click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/operations/orders/orders.List');

    await suite.page.goto(`${suite.server.http}/trace/${list.traceId}?span=${list.spanId}`);
    await byTestId(suite.page, 'span-detail-operation-latency').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/operations/orders/orders.List');
    await byTestId(suite.page, 'heatmap-plot').waitFor({ timeout: UI_TIMEOUT });
  });

  it('shows every service to choose from and switches service and window from the toolbar', async () => {
    await suite.page.goto(`${suite.server.http}/operations?service=payments&window=6h`);
    await expect.poll(rowOrder, { timeout: UI_TIMEOUT }).toEqual(['payments.Charge']);
    expect(await byTestId(suite.page, 'operations-window').inputValue()).toBe('6h');
    await suite.page.selectOption('[data-testid="operations-service"]', 'orders');
    await expect.poll(rowOrder, { timeout: UI_TIMEOUT }).toEqual(['orders.Checkout', 'orders.List']);
    expect(urlParam(suite.page, 'window')).toBe('6h');
    await suite.page.selectOption('[data-testid="operations-window"]', '15m');
    await expect.poll(() => urlParam(suite.page, 'window'), { timeout: UI_TIMEOUT }).toBe('15m');
    // Fewer spans in the last 15 minutes than in the last 6 hours.
    const checkoutRate = suite.page.locator('[data-testid="operation-row"][data-operation="orders.Checkout"] [data-testid="operation-rate"]');
    await expect.poll(async () => Number(/(\d+) spans/.exec((await checkoutRate.textContent()) ?? '')?.[1]), { timeout: UI_TIMEOUT }).toBeLessThan(200);
  });
});
