import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { useBrowserSuite } from './support/browser-suite.js';
import { sendE2eTraces, type E2eTraces } from './support/e2e-traces.js';
import { byTestId, UI_TIMEOUT, waitForRowCount } from './support/ui.js';

/** The search page against a real Threadline holding spans sent by the OTel JS SDK's protobuf exporter. */
describe('search page in Chromium', () => {
  let traces: E2eTraces;
  const suite = useBrowserSuite({
    seed: async (server) => {
      traces = await sendE2eTraces(server.otlpHttp);
    },
  });

  async function resultIds(): Promise<string[]> {
    await byTestId(suite.page, 'search-count').waitFor({ timeout: UI_TIMEOUT });
    const results = byTestId(suite.page, 'search-result');
    const ids: string[] = [];
    for (let i = 0; i < (await results.count()); i++) ids.push((await results.nth(i).getAttribute('data-trace-id')) ?? '');
    return ids;
  }

  it('searches by service: the list and the scatter plot show the trace', async () => {
    await suite.page.goto(`${suite.server.http}/search`);
    await suite.page.selectOption('[data-testid="search-service"]', 'checkout', { timeout: UI_TIMEOUT });
    await byTestId(suite.page, 'search-submit').click();
    await expect.poll(() => new URL(suite.page.url()).searchParams.get('service'), { timeout: UI_TIMEOUT }).toBe('checkout');

    expect(await resultIds()).toEqual([traces.checkout.traceId]);
    await expect.poll(() => byTestId(suite.page, 'search-count').textContent()).toBe('1 trace');
    const result = byTestId(suite.page, 'search-result');
    expect(await result.textContent()).toContain('frontend: GET /checkout');
    expect(await result.locator('[data-testid="error-badge"]').textContent()).toBe('1 error');
    const dot = suite.page.locator(`[data-testid="scatter-dot"][data-trace-id="${traces.checkout.traceId}"]`);
    await dot.waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'scatter-dot').count()).toBe(1);

    // All services: both traces, most recent first, one dot each.
    await suite.page.selectOption('[data-testid="search-service"]', '');
    await byTestId(suite.page, 'search-submit').click();
    await expect.poll(() => byTestId(suite.page, 'search-count').textContent(), { timeout: UI_TIMEOUT }).toBe('2 traces');
    expect(await resultIds()).toEqual([traces.checkout.traceId, traces.products.traceId]);
    // The plot draws once it knows its width, which may be a frame after the list.
    await expect.poll(() => byTestId(suite.page, 'scatter-dot').count(), { timeout: UI_TIMEOUT }).toBe(2);

    // Every dot lies inside the plot, the slowest trace included.
    const plot = await byTestId(suite.page, 'search-scatter').boundingBox();
    const dots = byTestId(suite.page, 'scatter-dot').locator('circle');
    for (let i = 0; i < (await dots.count()); i++) {
      const box = (await dots.nth(i).boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(plot!.y);
      expect(box.y + box.height).toBeLessThanOrEqual(plot!.y + plot!.height);
    }
  });

  it('searches by tag key=value and finds only the matching trace', async () => {
    await suite.page.goto(`${suite.server.http}/search`);
    await byTestId(suite.page, 'search-tags').fill('customer.tier=gold');
    await byTestId(suite.page, 'search-submit').click();
    await expect.poll(() => new URL(suite.page.url()).searchParams.getAll('tag'), { timeout: UI_TIMEOUT }).toEqual(['customer.tier=gold']);
    expect(await resultIds()).toEqual([traces.checkout.traceId]);

    // The URL is the state: a pasted search link runs the search.
    await suite.page.goto(`${suite.server.http}/search?tag=${encodeURIComponent('customer.tier=silver')}&lookback=1h`);
    await expect.poll(() => byTestId(suite.page, 'search-tags').inputValue(), { timeout: UI_TIMEOUT }).toBe('customer.tier=silver');
    expect(await resultIds()).toEqual([traces.products.traceId]);

    await byTestId(suite.page, 'search-tags').fill('customer.tier=platinum');
    await byTestId(suite.page, 'search-submit').click();
    await expect.poll(() => byTestId(suite.page, 'search-count').textContent(), { timeout: UI_TIMEOUT }).toBe('No traces found');

    await byTestId(suite.page, 'search-tags').fill('not a tag');
    await byTestId(suite.page, 'search-submit').click();
    expect(await byTestId(suite.page, 'search-error-tags').textContent()).toContain('is not key=value');

    // A min duration above the max is a field error, not a failed search.
    await byTestId(suite.page, 'search-tags').fill('');
    await byTestId(suite.page, 'search-min-duration').fill('2s');
    await byTestId(suite.page, 'search-max-duration').fill('150ms');
    await byTestId(suite.page, 'search-submit').click();
    expect(await byTestId(suite.page, 'search-error-maxDuration').textContent()).toContain('below the min duration');
    expect(await byTestId(suite.page, 'error-state').count()).toBe(0);
  });

  it('runs a pasted Jaeger UI search link (JSON tags, µs times) with the same answer as the Jaeger API', async () => {
    const jaegerTraceIds = async (params: URLSearchParams): Promise<string[]> => {
      const response = await fetch(`${suite.server.http}/api/traces?${params.toString()}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: Array<{ traceID: string; spans: Array<{ startTime: number }> }> };
      return body.data.map((t) => t.traceID).sort();
    };
    const nowUs = Date.now() * 1000;
    const startUs = nowUs - 30 * 60 * 1_000_000;
    // Jaeger UI writes empty durations and a relative lookback beside the absolute window.
    const jaegerLink = (tags: Record<string, string>, endUs: number): URLSearchParams =>
      new URLSearchParams({ service: 'frontend', tags: JSON.stringify(tags), start: String(startUs), end: String(endUs), lookback: '1h', limit: '20', minDuration: '', maxDuration: '' });
    const uiResult = async (params: URLSearchParams): Promise<string[]> => {
      await suite.page.goto(`${suite.server.http}/search?${params.toString()}`);
      await byTestId(suite.page, 'search-count').waitFor({ timeout: UI_TIMEOUT });
      const results = byTestId(suite.page, 'search-result');
      return (await results.evaluateAll((els) => els.map((el) => el.getAttribute('data-trace-id') ?? ''))).sort();
    };

    const gold = jaegerLink({ 'customer.tier': 'gold' }, nowUs);
    expect(await jaegerTraceIds(gold)).toEqual([traces.checkout.traceId]);
    expect(await uiResult(gold)).toEqual([traces.checkout.traceId]);
    expect(await byTestId(suite.page, 'search-tags').inputValue()).toBe('customer.tier=gold');
    expect(await byTestId(suite.page, 'url-notices').count()).toBe(0);

    // The window's end in µs must matter: one ending before the checkout trace holds only the products trace.
    const both = jaegerLink({ 'http.method': 'GET' }, nowUs);
    expect(await uiResult(both)).toEqual(await jaegerTraceIds(both));
    expect(await jaegerTraceIds(both)).toHaveLength(2);
    const checkout = (await (await fetch(`${suite.server.http}/api/traces/${traces.checkout.traceId}`)).json()) as { data: Array<{ spans: Array<{ startTime: number }> }> };
    const checkoutStartUs = Math.min(...checkout.data[0]!.spans.map((s) => s.startTime));
    const earlier = jaegerLink({ 'http.method': 'GET' }, checkoutStartUs - 1_000);
    expect(await jaegerTraceIds(earlier)).toEqual([traces.products.traceId]);
    expect(await uiResult(earlier)).toEqual([traces.products.traceId]);

    // What Threadline does not understand is said, not silently dropped.
    await suite.page.goto(`${suite.server.http}/search?service=frontend&tags=${encodeURIComponent('{oops')}&lookback=3h&spanKind=server`);
    const notices = byTestId(suite.page, 'url-notices');
    await notices.waitFor({ timeout: UI_TIMEOUT });
    const text = await notices.textContent();
    expect(text).toContain('is not JSON');
    expect(text).toContain('lookback=3h');
    expect(text).toContain('spanKind=server');
  });

  it('sorts the results without searching again, the order in the URL; cards carry whole trace IDs', async () => {
    await suite.page.goto(`${suite.server.http}/search?service=frontend&lookback=1h`);
    expect(await resultIds()).toEqual([traces.checkout.traceId, traces.products.traceId]);
    let searches = 0;
    suite.page.on('request', (r) => {
      if (r.url().includes('/api/v1/search')) searches++;
    });
    await byTestId(suite.page, 'search-sort').selectOption('shortest');
    await expect.poll(() => new URL(suite.page.url()).searchParams.get('sort'), { timeout: UI_TIMEOUT }).toBe('shortest');
    await expect.poll(resultIds, { timeout: UI_TIMEOUT }).toEqual([traces.products.traceId, traces.checkout.traceId]);
    await byTestId(suite.page, 'search-sort').selectOption('longest');
    await expect.poll(resultIds, { timeout: UI_TIMEOUT }).toEqual([traces.checkout.traceId, traces.products.traceId]);
    expect(searches).toBe(0);
    // What a card shows of the ID is the whole ID when copied, so pasting it opens the trace.
    expect(await byTestId(suite.page, 'search-result').first().locator('.id').textContent()).toBe(traces.checkout.traceId);
  });

  it('opens a trace from the results, and Back returns to them', async () => {
    await suite.page.goto(`${suite.server.http}/search?service=frontend&lookback=1h`);
    await suite.page.locator(`[data-testid="search-result"][data-trace-id="${traces.checkout.traceId}"]`).click({ timeout: UI_TIMEOUT });
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${traces.checkout.traceId}`);
    await waitForRowCount(suite.page, traces.checkout.spanCount);
    expect(await byTestId(suite.page, 'trace-title').textContent()).toContain('GET /checkout');

    await suite.page.goBack();
    expect(await resultIds()).toEqual([traces.checkout.traceId, traces.products.traceId]);

    // And a dot in the scatter plot is a link too.
    await suite.page.locator(`[data-testid="scatter-dot"][data-trace-id="${traces.products.traceId}"]`).click({ timeout: UI_TIMEOUT });
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${traces.products.traceId}`);
    await waitForRowCount(suite.page, traces.products.spanCount);
  });

  it('opens a trace by ID from the header', async () => {
    await suite.page.goto(`${suite.server.http}/search`);
    await byTestId(suite.page, 'trace-id-input').fill(traces.products.traceId.toUpperCase());
    await byTestId(suite.page, 'trace-id-submit').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${traces.products.traceId}`);
    await waitForRowCount(suite.page, traces.products.spanCount);
  });

  it('switches to the dark theme and keeps it across a reload', async () => {
    await suite.page.goto(`${suite.server.http}/search`);
    await byTestId(suite.page, 'theme-toggle').click({ timeout: UI_TIMEOUT });
    await expect.poll(() => suite.page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await suite.page.reload();
    await expect.poll(() => byTestId(suite.page, 'theme-toggle').getAttribute('data-theme'), { timeout: UI_TIMEOUT }).toBe('dark');
  });

  it('titles each tab after its page, and opens the keyboard help with ? on any page', async () => {
    const titles: Array<[string, string]> = [
      ['/search?service=frontend&lookback=1h', 'Search frontend · Threadline'],
      ['/operations?service=frontend', 'Operations of frontend · Threadline'],
      ['/slow?service=frontend', 'Slow spans of frontend · Threadline'],
      ['/dependencies', 'Dependencies · Threadline'],
      ['/nettrace', 'net/trace · Threadline'],
      [`/compare/${traces.checkout.traceId}/${traces.products.traceId}`, `Compare ${traces.checkout.traceId.slice(0, 8)} / ${traces.products.traceId.slice(0, 8)} · Threadline`],
    ];
    for (const [path, title] of titles) {
      await suite.page.goto(`${suite.server.http}${path}`);
      await expect.poll(() => suite.page.title(), { timeout: UI_TIMEOUT }).toBe(title);
    }
    await suite.page.goto(`${suite.server.http}/search?service=frontend&lookback=1h`);
    await byTestId(suite.page, 'search-result').first().waitFor({ timeout: UI_TIMEOUT });
    await byTestId(suite.page, 'search-result').first().focus();
    await suite.page.keyboard.press('?');
    const help = byTestId(suite.page, 'keyboard-help');
    await help.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await help.textContent()).toContain('in search results: between traces');
    await byTestId(suite.page, 'keyboard-help-close').click();
    await help.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
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
      await suite.page.goto(`${empty.http}/`);
      const onboarding = byTestId(suite.page, 'onboarding');
      await onboarding.waitFor({ timeout: UI_TIMEOUT });
      expect(new URL(suite.page.url()).pathname).toBe('/search');
      const text = await onboarding.textContent();
      expect(text).toContain('No traces yet');
      expect(text).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318');
    });
  });
});
