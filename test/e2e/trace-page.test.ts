import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { sendE2eTraces, sendWideTrace, XSS_ATTRIBUTE_VALUE, XSS_SPAN_NAME, type E2eTraces } from './support/e2e-traces.js';
import { byTestId, selectedSpanId, spanRow, spanRows, UI_TIMEOUT, urlParam, waitForRowCount, WATERFALL_ROOT } from './support/ui.js';

/** The UI's modules use the bundler's extensionless imports, which the Node typecheck cannot follow: loaded at run time. */
const TRACE_LOADER = '../../ui/src/api/fetch-trace';
const { PAGE_DECODE_BYTES } = (await import(TRACE_LOADER)) as { PAGE_DECODE_BYTES: number };
/** A limit the worker test sets (localStorage, fetch-trace.ts): past it a trace is decoded in the worker. */
const TEST_WORKER_BYTES = 2 * 1024 * 1024;

/** The trace page (waterfall, details, URL state, keyboard, find, skew) against a real Threadline. */
describe('trace page in Chromium', () => {
  let traces: E2eTraces;
  let traceUrl: string;
  const suite = useBrowserSuite({
    seed: async (server) => {
      traces = await sendE2eTraces(server.otlpHttp);
      traceUrl = `${server.http}/trace/${traces.checkout.traceId}`;
    },
  });

  async function openTrace(query = ''): Promise<void> {
    await suite.page.goto(`${traceUrl}${query}`);
    await waitForRowCount(suite.page, traces.checkout.spanCount);
  }

  it('renders the waterfall: one row per span, in tree order, with the trace facts', async () => {
    await openTrace();
    expect(await byTestId(suite.page, 'trace-span-count').textContent()).toBe('8');
    expect(await byTestId(suite.page, 'trace-errors').textContent()).toBe('1');
    expect(await byTestId(suite.page, 'row-count').textContent()).toBe('8 of 8 spans');
    expect(await byTestId(suite.page, 'trace-services').textContent()).toMatch(/frontend[\s\S]*checkout|checkout[\s\S]*frontend/);
    const ids = await spanRows(suite.page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-id')));
    expect(ids[0]).toBe(traces.checkout.rootSpanId);
    expect(ids[1]).toBe(traces.checkout.cartSpanId);
    expect(await spanRow(suite.page, traces.checkout.rootSpanId).getAttribute('aria-level')).toBe('1');
    expect(await spanRow(suite.page, traces.checkout.dbSpanId).getAttribute('aria-level')).toBe('4');
    expect(await spanRow(suite.page, traces.checkout.chargeSpanId).locator('[data-testid="error-mark"]').count()).toBe(1);
  });

  it("asks for the trace once, from the page's first script, before the app's bundle has run", async () => {
    const cdp = await suite.page.context().newCDPSession(suite.page);
    const requests: Array<{ url: string; stack: string[] }> = [];
    cdp.on('Network.requestWillBeSent', (event) => {
      if (event.request.url.includes('/api/v1/traces/')) requests.push({ url: event.request.url, stack: (event.initiator.stack?.callFrames ?? []).map((f) => f.url) });
    });
    await cdp.send('Network.enable');
    await openTrace();
    await cdp.detach();
    const scripts = await suite.page.evaluate(() => [...document.querySelectorAll('script[type="module"]')].map((s) => (s as HTMLScriptElement).src));
    // The prefetch script comes first in the document: module scripts run in document order.
    expect(scripts).toHaveLength(2);
    expect(scripts[0]).toMatch(/\/assets\/prefetch-[\w-]+\.js$/);
    // One request for the trace (the profile markers are another), made from the prefetch script and taken over by the trace page.
    const traceFetches = requests.filter((r) => r.url.endsWith(`/api/v1/traces/${traces.checkout.traceId}?format=compact-3`));
    expect(traceFetches).toHaveLength(1);
    expect(traceFetches[0]!.stack).toContain(scripts[0]);
  });

  it('collapses a subtree and expands it again', async () => {
    await openTrace();
    const row = spanRow(suite.page, traces.checkout.placeOrderClientSpanId);
    expect(await row.getAttribute('aria-expanded')).toBe('true');
    await row.locator('[data-testid="collapse-toggle"]').click();
    await waitForRowCount(suite.page, traces.checkout.spanCount - traces.checkout.placeOrderDescendants);
    expect(await row.getAttribute('aria-expanded')).toBe('false');
    expect(await byTestId(suite.page, 'row-count').textContent()).toBe('5 of 8 spans');
    expect(await spanRow(suite.page, traces.checkout.dbSpanId).count()).toBe(0);

    await row.locator('[data-testid="collapse-toggle"]').click();
    await waitForRowCount(suite.page, traces.checkout.spanCount);
    expect(await row.getAttribute('aria-expanded')).toBe('true');

    // The depth selector folds everything below level 1 at once; Expand all undoes it.
    await byTestId(suite.page, 'collapse-depth').selectOption('1');
    await waitForRowCount(suite.page, 1);
    await byTestId(suite.page, 'expand-all').click();
    await waitForRowCount(suite.page, traces.checkout.spanCount);
  });

  it('selects a span: details show its attributes and the URL names it; a reload or the link restores the view', async () => {
    await openTrace();
    await spanRow(suite.page, traces.checkout.dbSpanId).locator('.op').click();
    const detail = byTestId(suite.page, 'span-detail');
    await detail.waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'span-detail-name').textContent()).toBe('db.query');
    expect(await byTestId(suite.page, 'span-detail-id').textContent()).toBe(traces.checkout.dbSpanId);
    const attributes = await byTestId(suite.page, 'span-attributes').textContent();
    expect(attributes).toContain('db.system');
    expect(attributes).toContain('postgresql');
    expect(attributes).toContain('SELECT id, total FROM orders WHERE customer_id = $1');
    expect(await byTestId(suite.page, 'span-resource').textContent()).toContain('pay-1');
    await expect.poll(() => urlParam(suite.page, 'span'), { timeout: UI_TIMEOUT }).toBe(traces.checkout.dbSpanId);
    expect(await selectedSpanId(suite.page)).toBe(traces.checkout.dbSpanId);
    const link = suite.page.url();

    await suite.page.reload();
    await waitForRowCount(suite.page, traces.checkout.spanCount);
    expect(await selectedSpanId(suite.page)).toBe(traces.checkout.dbSpanId);
    expect(await byTestId(suite.page, 'span-detail-name').textContent()).toBe('db.query');

    // Someone else follows the pasted link in a fresh browser context.
    const first = suite.watched;
    await suite.openPage();
    try {
      await suite.page.goto(link);
      await waitForRowCount(suite.page, traces.checkout.spanCount);
      expect(await selectedSpanId(suite.page)).toBe(traces.checkout.dbSpanId);
      expect(await byTestId(suite.page, 'span-detail-name').textContent()).toBe('db.query');
      expect(suite.watched.errors).toEqual([]);
    } finally {
      await suite.watched.close();
      suite.watched = first;
    }
  });

  it('shows the error span: status, message and the exception event', async () => {
    await openTrace(`?span=${traces.checkout.chargeSpanId}`);
    await expect.poll(() => byTestId(suite.page, 'span-detail-status').textContent(), { timeout: UI_TIMEOUT }).toContain('error: card declined');
    const events = await byTestId(suite.page, 'span-events').textContent();
    expect(events).toContain('exception');
    expect(events).toContain('card declined by issuer');
  });

  it('resizes the name column by its edge (mouse and arrow keys), keeps the width for the next trace, and resets it on double-click', async () => {
    await openTrace();
    const head = suite.page.locator('.name-head');
    const nameCell = spanRow(suite.page, traces.checkout.rootSpanId).locator('.name');
    const width = async (l: typeof head) => (await l.boundingBox())!.width;
    const before = await width(head);
    const grip = byTestId(suite.page, 'name-col-resize');
    const box = (await grip.boundingBox())!;
    await suite.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await suite.page.mouse.down();
    await suite.page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 3 });
    await suite.page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 3 });
    await suite.page.mouse.up();
    expect(await width(head)).toBeCloseTo(before + 120, -1);
    expect(await width(nameCell)).toBeCloseTo(await width(head), 0);

    // The arrows move the edge, not the selected row.
    await grip.focus();
    await suite.page.keyboard.press('ArrowLeft');
    expect(await width(head)).toBeCloseTo(before + 120 - 16, -1);
    expect(await selectedSpanId(suite.page)).toBeNull();

    await suite.page.reload();
    await waitForRowCount(suite.page, traces.checkout.spanCount);
    expect(await width(head)).toBeCloseTo(before + 104, -1);
    await byTestId(suite.page, 'name-col-resize').dblclick();
    expect(await width(head)).toBeCloseTo(before, 0);
    await suite.page.reload();
    await waitForRowCount(suite.page, traces.checkout.spanCount);
    expect(await width(head)).toBeCloseTo(before, 0);
  });

  it('moves the selection with the arrow keys and keeps the URL in step', async () => {
    await openTrace();
    await spanRow(suite.page, traces.checkout.rootSpanId).locator('.op').click();
    await expect.poll(() => urlParam(suite.page, 'span'), { timeout: UI_TIMEOUT }).toBe(traces.checkout.rootSpanId);

    await suite.page.keyboard.press('ArrowDown');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.cartSpanId);
    await expect.poll(() => urlParam(suite.page, 'span'), { timeout: UI_TIMEOUT }).toBe(traces.checkout.cartSpanId);
    await expect.poll(() => byTestId(suite.page, 'span-detail-name').textContent(), { timeout: UI_TIMEOUT }).toBe('cart.load');

    await suite.page.keyboard.press('ArrowDown');
    await suite.page.keyboard.press('ArrowUp');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.cartSpanId);

    // Left on a child goes to its parent; End goes to the last row.
    await suite.page.keyboard.press('ArrowLeft');
    await suite.page.keyboard.press('ArrowLeft');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.rootSpanId);
    await suite.page.keyboard.press('End');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.chargeSpanId);
  });

  it('finds spans with "/" and steps through matches', async () => {
    await openTrace();
    await suite.page.locator('[data-testid="waterfall"]').focus();
    await suite.page.keyboard.press('/');
    const input = byTestId(suite.page, 'find-input');
    await input.waitFor({ timeout: UI_TIMEOUT });
    await expect.poll(() => suite.page.evaluate(`${WATERFALL_ROOT}.activeElement?.dataset.testid`)).toBe('find-input');
    await suite.page.keyboard.type('payments');
    await expect.poll(() => byTestId(suite.page, 'find-count').textContent(), { timeout: UI_TIMEOUT }).toMatch(/1\s*\/\s*1/);
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.chargeSpanId);

    // key=value finds by attribute.
    await input.fill('db.system=postgresql');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(traces.checkout.dbSpanId);
    await input.fill('no-such-span-anywhere');
    await expect.poll(() => byTestId(suite.page, 'find-count').textContent(), { timeout: UI_TIMEOUT }).toContain('no matches');
  });

  it('shows hostile span names and attributes as text, never as markup', async () => {
    await openTrace(`?span=${traces.checkout.xssSpanId}`);
    expect(await spanRow(suite.page, traces.checkout.xssSpanId).locator('.op').textContent()).toBe(XSS_SPAN_NAME);
    await expect.poll(() => byTestId(suite.page, 'span-detail-name').textContent(), { timeout: UI_TIMEOUT }).toBe(XSS_SPAN_NAME);
    expect(await byTestId(suite.page, 'span-attributes').textContent()).toContain(XSS_ATTRIBUTE_VALUE);

    // Let any image the page might have created finish (fail) loading before judging.
    await suite.page.waitForLoadState('networkidle');
    expect(await suite.page.evaluate(`${WATERFALL_ROOT}.querySelectorAll('img').length`)).toBe(0);
    expect(await suite.page.evaluate(`${WATERFALL_ROOT}.querySelectorAll('img[src="x"], script').length`)).toBe(0);
    expect(await suite.page.locator('img[src="x"]').count()).toBe(0);
    expect(await suite.page.locator('script:not([type="module"])').count()).toBe(0);
    expect(suite.watched.dialogs).toEqual([]);

    // Find matches the literal text too.
    await suite.page.keyboard.press('/');
    await byTestId(suite.page, 'find-input').fill('<img');
    await expect.poll(() => byTestId(suite.page, 'find-count').textContent(), { timeout: UI_TIMEOUT }).toMatch(/1\s*\/\s*1/);
  });

  it('shows the clock-skew toggle and flags the skewed span; raw mode is in the URL', async () => {
    await openTrace();
    const toggle = byTestId(suite.page, 'skew-toggle');
    expect(await toggle.isVisible()).toBe(true);
    expect(await toggle.isChecked()).toBe(true);
    expect(await byTestId(suite.page, 'skew-count').textContent()).toBe('(1 span)');
    expect(await byTestId(suite.page, 'skew-flag').count()).toBe(1);

    await toggle.uncheck();
    await expect.poll(() => urlParam(suite.page, 'skew'), { timeout: UI_TIMEOUT }).toBe('raw');
    expect(await byTestId(suite.page, 'skew-flag').getAttribute('title')).toContain('does not fit its parent');
    await suite.page.reload();
    await waitForRowCount(suite.page, traces.checkout.spanCount);
    expect(await byTestId(suite.page, 'skew-toggle').isChecked()).toBe(false);

    await byTestId(suite.page, 'skew-toggle').check();
    await expect.poll(() => urlParam(suite.page, 'skew'), { timeout: UI_TIMEOUT }).toBe(null);
  });

  describe('a wide trace (1 request, 1,500 RPCs)', () => {
    let wide: { traceId: string; spanCount: number };

    beforeAll(async () => {
      wide = await sendWideTrace(suite.server.otlpHttp, 1_500);
    });

    it('is decoded from a response streamed in pages, every span in its place', async () => {
      // The server writes a page of spans per line: this trace takes several.
      const text = await (await fetch(`${suite.server.http}/api/v1/traces/${wide.traceId}?format=compact-3`)).text();
      expect(text.split('\n').length).toBeGreaterThanOrEqual(5);
      // Small enough to be decoded on the page (fetch-trace.ts); the next test takes the worker's way.
      expect(text.length).toBeLessThan(PAGE_DECODE_BYTES);
      await suite.page.goto(`${suite.server.http}/trace/${wide.traceId}`);
      await spanRows(suite.page).first().waitFor({ timeout: UI_TIMEOUT });
      expect(await byTestId(suite.page, 'trace-span-count').textContent()).toBe('3,001');
      expect(await byTestId(suite.page, 'row-count').textContent()).toMatch(/^3,?001 of 3,?001 spans$/);
      // Root first, then each client call directly followed by its server span: the tree does not depend on the order pages came in.
      const rows = spanRows(suite.page);
      expect(await rows.nth(0).getAttribute('aria-level')).toBe('1');
      expect(await rows.nth(1).getAttribute('aria-level')).toBe('2');
      expect(await rows.nth(2).getAttribute('aria-level')).toBe('3');
      expect(await rows.nth(3).getAttribute('aria-level')).toBe('2');
    });

    it('is decoded in a Web Worker when its response is too long to decode on the page, every span in its place', async () => {
      const big = await sendWideTrace(suite.server.otlpHttp, 11_000);
      const text = await (await fetch(`${suite.server.http}/api/v1/traces/${big.traceId}?format=compact-3`)).text();
      // The default limit needs a trace too big to send in CI: the test lowers it, as a user can.
      expect(new TextEncoder().encode(text).byteLength).toBeLessThan(PAGE_DECODE_BYTES);
      expect(new TextEncoder().encode(text).byteLength).toBeGreaterThan(TEST_WORKER_BYTES);
      await suite.page.goto(`${suite.server.http}/`);
      await suite.page.evaluate(`localStorage.setItem('threadline.traceWorkerBytes', '${TEST_WORKER_BYTES}')`);
      try {
        const worker = suite.page.waitForEvent('worker', { timeout: UI_TIMEOUT });
        await suite.page.goto(`${suite.server.http}/trace/${big.traceId}`);
        expect((await worker).url()).toMatch(/\/assets\/trace-loader-worker-[\w-]+\.js$/);
        await spanRows(suite.page).first().waitFor({ timeout: UI_TIMEOUT });
      } finally {
        await suite.page.evaluate(`localStorage.removeItem('threadline.traceWorkerBytes')`);
      }
      expect(await byTestId(suite.page, 'trace-span-count').textContent()).toBe('22,001');
      const rows = spanRows(suite.page);
      expect(await rows.nth(0).getAttribute('aria-level')).toBe('1');
      expect(await rows.nth(1).getAttribute('aria-level')).toBe('2');
      expect(await rows.nth(2).getAttribute('aria-level')).toBe('3');
      expect(await rows.nth(3).getAttribute('aria-level')).toBe('2');
    }, 60_000);

    it('keeps the DOM to the rows in view plus a small buffer, at the top and at the end', async () => {
      await suite.page.goto(`${suite.server.http}/trace/${wide.traceId}`);
      await spanRows(suite.page).first().waitFor({ timeout: UI_TIMEOUT });
      expect(await byTestId(suite.page, 'trace-span-count').textContent()).toBe('3,001');
      const rowsInView = Number(await suite.page.evaluate(`Math.ceil(${WATERFALL_ROOT}.querySelector('.viewport').clientHeight / ${WATERFALL_ROOT}.querySelector('[data-testid="span-row"]').getBoundingClientRect().height)`));
      const bound = rowsInView + 2 * 8;
      expect(await spanRows(suite.page).count()).toBeLessThanOrEqual(bound);
      // Not one element per child in the root row either (critical-path pieces, event ticks).
      expect(Number(await suite.page.evaluate(`${WATERFALL_ROOT}.querySelectorAll('*').length`))).toBeLessThan(1_200);
      // More rows than the minimap has pixel lines: it draws a density image, with clearly visible ink (a frame or two after the rows).
      const inkShare = async () => {
        const ink = (await suite.page.evaluate(`(() => {
          const canvas = ${WATERFALL_ROOT}.querySelector('tl-minimap').shadowRoot.querySelector('canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let strong = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] >= 128) strong++;
          return { strong, pixels: canvas.width * canvas.height };
        })()`)) as { strong: number; pixels: number };
        return ink.strong / ink.pixels;
      };
      await expect.poll(inkShare, { timeout: UI_TIMEOUT }).toBeGreaterThan(0.02);

      await suite.page.locator('[data-testid="waterfall"]').focus();
      await suite.page.keyboard.press('End');
      await expect.poll(() => suite.page.locator(`[data-testid="span-row"][data-row="${wide.spanCount - 1}"]`).count(), { timeout: UI_TIMEOUT }).toBe(1);
      expect(await spanRows(suite.page).count()).toBeLessThanOrEqual(bound);
    });
  });

  describe('errors', () => {
    beforeEach(async () => {
      // The UI's fetch of a missing trace is a 404, which Chromium logs as a console error.
      await suite.reopenPage({ allowConsoleErrors: ['status of 404'] });
    });

    it('shows "trace not found" for an unknown trace ID', async () => {
      const missing = '0123456789abcdef0123456789abcdef';
      await suite.page.goto(`${suite.server.http}/trace/${missing}`);
      const error = byTestId(suite.page, 'error-state');
      await error.waitFor({ timeout: UI_TIMEOUT });
      expect(await error.getAttribute('data-error-kind')).toBe('not-found');
      expect(await error.textContent()).toContain(`Trace ${missing} not found`);
      expect(await spanRows(suite.page).count()).toBe(0);
    });

    it('shows the not-found page for a trace URL that is not an ID', async () => {
      await suite.page.goto(`${suite.server.http}/trace/not-hex`);
      const notFound = byTestId(suite.page, 'not-found');
      await notFound.waitFor({ timeout: UI_TIMEOUT });
      expect(await suite.page.locator('tl-not-found-page p').first().textContent()).toContain('"not-hex" is not a trace ID');

      // Not even a valid URL escape: still the not-found page (decoding it used to throw as the app started, leaving the page blank).
      await suite.page.goto(`${suite.server.http}/trace/%E0%A4%A`);
      await notFound.waitFor({ timeout: UI_TIMEOUT });
      expect(await suite.page.locator('tl-not-found-page p').first().textContent()).toContain('"%E0%A4%A" is not a trace ID');
    });
  });
});
