import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { sendCompareTraces, type CompareTraces } from './support/compare-traces.js';
import { sendFindTrace, type FindTrace } from './support/find-trace.js';
import { byTestId, selectedSpanId, UI_TIMEOUT, urlParam, waitForRowCount } from './support/ui.js';

/** The trace statistics tab, the flame graph, trace compare and the service dependency graph. */
describe('trace views in Chromium', () => {
  let trace: FindTrace;
  let pair: CompareTraces;
  const suite = useBrowserSuite({
    seed: async (server) => {
      [trace, pair] = await Promise.all([sendFindTrace(server.otlpHttp), sendCompareTraces(server.otlpHttp)]);
    },
  });

  const cells = (row: import('playwright-core').Locator) => row.locator('td').evaluateAll((tds) => tds.map((td) => td.textContent?.replace(/\s+/g, ' ').trim()));

  it('shows per-service and per-operation statistics of a trace', async () => {
    await suite.page.goto(`${suite.server.http}/trace/${trace.traceId}`);
    await waitForRowCount(suite.page, trace.spanCount);
    await byTestId(suite.page, 'trace-tab-stats').click();
    await expect.poll(() => urlParam(suite.page, 'tab'), { timeout: UI_TIMEOUT }).toBe('stats');
    const services = byTestId(suite.page, 'stats-services').locator('[data-testid="stats-row"]');
    await services.first().waitFor({ timeout: UI_TIMEOUT });
    const byService = await services.evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent?.trim())));
    // orders: 5 spans, 3 failed; frontend: 2 spans, 1 failed. Ordered by self time.
    expect(byService).toEqual(expect.arrayContaining([['orders', '5', '3'], ['frontend', '2', '1']]));
    const commit = byTestId(suite.page, 'stats-operations').locator('[data-testid="stats-row"]', { hasText: 'tx.commit' });
    const [service, operation, count, errors, total] = await cells(commit);
    expect([service, operation, count, errors]).toEqual(['orders', 'tx.commit', '3', '3']);
    // 10 + 15 + 75 ms.
    expect(total).toBe('100ms');

    // The tab is part of the link.
    await suite.page.reload();
    await byTestId(suite.page, 'stats-services').waitFor({ timeout: UI_TIMEOUT });
  });

  it('draws the flame graph: one box per span in its depth lane; a box opens its span in the waterfall', async () => {
    await suite.page.goto(`${suite.server.http}/trace/${trace.traceId}?tab=flame`);
    const nodes = byTestId(suite.page, 'flame-node');
    await expect.poll(() => nodes.count(), { timeout: UI_TIMEOUT }).toBe(trace.spanCount);
    const depthOf = async (spanId: string) => suite.page.locator(`[data-testid="flame-node"][data-span-id="${spanId}"]`).getAttribute('data-depth');
    expect(await depthOf(trace.rootSpanId)).toBe('0');
    expect(await depthOf(trace.placeSpanId)).toBe('1');
    expect(await depthOf(trace.deadlockSpanIds[2]!)).toBe('2');
    const graph = (await byTestId(suite.page, 'flame-graph').boundingBox())!;
    const root = (await suite.page.locator(`[data-testid="flame-node"][data-span-id="${trace.rootSpanId}"]`).boundingBox())!;
    expect(root.width).toBeGreaterThan(graph.width * 0.98);
    // The last commit (65–140 ms of 200) is wider than the first (10–20 ms).
    const first = (await suite.page.locator(`[data-testid="flame-node"][data-span-id="${trace.deadlockSpanIds[0]}"]`).boundingBox())!;
    const last = (await suite.page.locator(`[data-testid="flame-node"][data-span-id="${trace.deadlockSpanIds[2]}"]`).boundingBox())!;
    expect(last.width).toBeGreaterThan(first.width * 5);
    expect(last.x).toBeGreaterThan(first.x);

    await suite.page.locator(`[data-testid="flame-node"][data-span-id="${trace.retrySpanId}"]`).click();
    await waitForRowCount(suite.page, trace.spanCount);
    expect(urlParam(suite.page, 'tab')).toBe(null);
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(trace.retrySpanId);
  });

  it('compares two traces by service and operation path, marking spans only in one of them', async () => {
    await suite.page.goto(`${suite.server.http}/trace/${pair.a}`);
    await waitForRowCount(suite.page, 4);
    await byTestId(suite.page, 'compare-input').fill(pair.b);
    await byTestId(suite.page, 'compare-submit').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/compare/${pair.a}/${pair.b}`);
    const rows = byTestId(suite.page, 'compare-row');
    await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(4);
    const table = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-path'), tr.getAttribute('data-status')]));
    expect(table).toEqual([
      ['web: GET /cart', 'both'],
      ['cart: cart.Load', 'both'],
      ['db: SELECT items', 'both'],
      ['payments: payments.Check', 'b'],
    ]);
    const load = await cells(rows.nth(1));
    expect(load.slice(1)).toEqual(['1', '35ms', '1', '135ms', '+100ms (+286%)']);
    const db = await cells(rows.nth(2));
    expect(db.slice(1)).toEqual(['2', '20ms', '1', '120ms', '+100ms (+500%)']);
    expect(await cells(rows.nth(3))).toContain('only in B');
  });

  it('draws the service dependency graph with call counts and error rates; services link to their pages', async () => {
    const api = (await (await fetch(`${suite.server.http}/api/dependencies?endTs=${Date.now()}&lookback=3600000`)).json()) as {
      data: Array<{ parent: string; child: string; callCount: number }>;
    };
    expect(api.data).toEqual(
      expect.arrayContaining([
        { parent: 'web', child: 'cart', callCount: 2 },
        { parent: 'cart', child: 'db', callCount: 3 },
        { parent: 'web', child: 'payments', callCount: 1 },
        { parent: 'frontend', child: 'orders', callCount: 1 },
      ]),
    );
    await suite.page.goto(`${suite.server.http}/search`);
    await byTestId(suite.page, 'nav-dependencies').click();
    await byTestId(suite.page, 'dependency-graph').waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'dependency-edge').count()).toBe(api.data.length);
    const nodes = await byTestId(suite.page, 'dependency-node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-service')));
    expect(nodes.sort()).toEqual(['cart', 'db', 'frontend', 'orders', 'payments', 'web']);
    const label = (parent: string, child: string) =>
      suite.page.locator(`[data-testid="dependency-edge"][data-parent="${parent}"][data-child="${child}"] [data-testid="dependency-edge-label"]`).textContent();
    expect(await label('cart', 'db')).toBe('3 calls · 0% err');
    expect(await label('web', 'payments')).toBe('1 call · 100% err');
    // Callers sit left of the services they call.
    const x = async (service: string) => (await suite.page.locator(`[data-testid="dependency-node"][data-service="${service}"] rect`).boundingBox())!.x;
    expect(await x('web')).toBeLessThan(await x('cart'));
    expect(await x('cart')).toBeLessThan(await x('db'));

    await suite.page.locator('[data-testid="dependency-node"][data-service="cart"] [data-testid="dependency-node-link"]').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/operations');
    expect(urlParam(suite.page, 'service')).toBe('cart');
    await suite.page.goBack();
    await suite.page.locator('[data-testid="dependency-node"][data-service="payments"] [data-testid="dependency-node-slow"]').click({ timeout: UI_TIMEOUT });
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/slow');
    expect(urlParam(suite.page, 'service')).toBe('payments');
  });
});
