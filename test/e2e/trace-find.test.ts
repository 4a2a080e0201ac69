import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { CARD_EXPIRED, DEADLOCK, sendFindTrace, type FindTrace } from './support/find-trace.js';
import { byTestId, selectedSpanId, spanRows, UI_TIMEOUT, urlParam, waitForRowCount } from './support/ui.js';

/** Find-in-trace over everything a span holds, filter mode, error navigation and the error summary. */
describe('find in a trace, in Chromium', () => {
  let trace: FindTrace;
  const suite = useBrowserSuite({
    seed: async (server) => {
      trace = await sendFindTrace(server.otlpHttp);
    },
  });

  async function openFind(query = ''): Promise<void> {
    await suite.page.goto(`${suite.server.http}/trace/${trace.traceId}${query}`);
    await waitForRowCount(suite.page, trace.spanCount);
    await suite.page.locator('[data-testid="waterfall"]').focus();
    await suite.page.keyboard.press('/');
    await byTestId(suite.page, 'find-input').waitFor({ timeout: UI_TIMEOUT });
  }

  const findCount = async () => (await byTestId(suite.page, 'find-count').textContent())?.trim();
  const shownSpanIds = () => spanRows(suite.page).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-span-id')));

  it('finds spans by status message, by event attribute and by resource attribute', async () => {
    await openFind();
    await suite.page.keyboard.type('deadlock');
    await expect.poll(findCount, { timeout: UI_TIMEOUT }).toMatch(/1\s*\/\s*3/);
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(trace.deadlockSpanIds[0]);
    expect(await suite.page.locator('[data-testid="span-row"].match').count()).toBe(3);
    // The find text is in the URL, so the view can be shared.
    await expect.poll(() => urlParam(suite.page, 'uiFind'), { timeout: UI_TIMEOUT }).toBe('deadlock');

    const input = byTestId(suite.page, 'find-input');
    await input.fill('inventory_items');
    await expect.poll(findCount, { timeout: UI_TIMEOUT }).toMatch(/1\s*\/\s*1/);
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(trace.retrySpanId);

    await input.fill('host.name=orders-db-9');
    await expect.poll(findCount, { timeout: UI_TIMEOUT }).toMatch(new RegExp(`/\\s*${trace.ordersSpanCount}$`));

    await input.fill('status=error');
    await expect.poll(findCount, { timeout: UI_TIMEOUT }).toMatch(/\/\s*4$/);
  });

  it('filter mode hides spans that do not match but keeps their ancestors', async () => {
    await openFind();
    await suite.page.keyboard.type('deadlock');
    await expect.poll(findCount, { timeout: UI_TIMEOUT }).toMatch(/\/\s*3/);
    await byTestId(suite.page, 'find-filter').check();
    await waitForRowCount(suite.page, 5);
    expect(await shownSpanIds()).toEqual([trace.rootSpanId, trace.placeSpanId, ...trace.deadlockSpanIds]);
    expect(await byTestId(suite.page, 'row-count').textContent()).toBe('5 of 7 spans');

    // Errors only adds a condition: the payment error does not mention a deadlock, so nothing changes.
    await byTestId(suite.page, 'find-errors').check();
    await byTestId(suite.page, 'find-input').fill('');
    await waitForRowCount(suite.page, 6);
    expect(await shownSpanIds()).toEqual([trace.rootSpanId, trace.placeSpanId, ...trace.deadlockSpanIds, trace.paymentSpanId]);

    await byTestId(suite.page, 'find-filter').uncheck();
    await waitForRowCount(suite.page, trace.spanCount);
  });

  it('steps through the errors with e and E, wrapping around', async () => {
    await suite.page.goto(`${suite.server.http}/trace/${trace.traceId}`);
    await waitForRowCount(suite.page, trace.spanCount);
    await suite.page.locator('[data-testid="waterfall"]').focus();
    const errors = [...trace.deadlockSpanIds, trace.paymentSpanId];
    for (const expected of errors) {
      await suite.page.keyboard.press('e');
      await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(expected);
    }
    await suite.page.keyboard.press('e');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(errors[0]);
    await suite.page.keyboard.press('Shift+E');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(trace.paymentSpanId);
    await byTestId(suite.page, 'prev-error').click();
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(trace.deadlockSpanIds[2]);
    await expect.poll(() => urlParam(suite.page, 'span'), { timeout: UI_TIMEOUT }).toBe(trace.deadlockSpanIds[2]);
  });

  it('summarizes the errors by message; each links to its spans', async () => {
    await suite.page.goto(`${suite.server.http}/trace/${trace.traceId}`);
    await waitForRowCount(suite.page, trace.spanCount);
    const groups = byTestId(suite.page, 'error-group');
    expect(await groups.allTextContents()).toEqual([expect.stringMatching(new RegExp(`${DEADLOCK}\\s*×3`)), expect.stringMatching(new RegExp(`${CARD_EXPIRED}\\s*×1`))]);
    await groups.first().click();
    await expect.poll(() => urlParam(suite.page, 'uiFind'), { timeout: UI_TIMEOUT }).toBe(DEADLOCK);
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(trace.deadlockSpanIds[0]);
    await expect.poll(findCount, { timeout: UI_TIMEOUT }).toMatch(/1\s*\/\s*3/);
  });

  it('opens a link with uiFind (Jaeger\'s parameter) with the find bar filled and the first match selected', async () => {
    await suite.page.goto(`${suite.server.http}/trace/${trace.traceId}?uiFind=inventory_items`);
    await waitForRowCount(suite.page, trace.spanCount);
    expect(await byTestId(suite.page, 'find-input').inputValue()).toBe('inventory_items');
    await expect.poll(() => selectedSpanId(suite.page), { timeout: UI_TIMEOUT }).toBe(trace.retrySpanId);
  });

  it('shows the keyboard help with ?, names event ticks, and titles the tab after the trace', async () => {
    await suite.page.goto(`${suite.server.http}/trace/${trace.traceId}`);
    await waitForRowCount(suite.page, trace.spanCount);
    await expect.poll(() => suite.page.title(), { timeout: UI_TIMEOUT }).toBe(`frontend: POST /orders · Trace ${trace.traceId.slice(0, 8)} · Threadline`);
    expect(await suite.page.locator(`[data-testid="span-row"][data-span-id="${trace.retrySpanId}"] [data-testid="event-tick"]`).getAttribute('title')).toBe('lock wait');

    await suite.page.locator('[data-testid="waterfall"]').focus();
    await suite.page.keyboard.press('?');
    const help = byTestId(suite.page, 'keyboard-help');
    await help.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await help.textContent()).toContain('next / previous error');
    await suite.page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    // Typed into a field, ? is just a character.
    await suite.page.keyboard.press('/');
    await suite.page.keyboard.type('a?');
    expect(await byTestId(suite.page, 'find-input').inputValue()).toBe('a?');
    expect(await help.isVisible()).toBe(false);
  });
});
