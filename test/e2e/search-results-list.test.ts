import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { MANY_TRACES as TRACES, RESULTS_COLUMN, sendManyTraces, type SentTrace as Sent } from './support/many-traces.js';
import { byTestId, UI_TIMEOUT } from './support/ui.js';

describe('search results list with 1,500 traces, in Chromium', () => {
  let sent: Sent[] = [];
  const suite = useBrowserSuite({
    seed: async (server) => {
      sent = await sendManyTraces(server.otlpHttp);
    },
  });
  const cards = () => byTestId(suite.page, 'search-result');
  const firstCardId = () => cards().first().getAttribute('data-trace-id');
  const longestFirst = () => [...sent].sort((a, b) => b.durationMs - a.durationMs);

  async function open(sort: string): Promise<void> {
    await suite.page.goto(`${suite.server.http}/search?service=bulk&lookback=1h&limit=${TRACES}&sort=${sort}`);
    await expect.poll(() => byTestId(suite.page, 'search-count').textContent(), { timeout: UI_TIMEOUT }).toBe(`${TRACES} traces`);
  }

  it('keeps only the cards in view (and a margin) in the DOM; sorting reorders them', async () => {
    await open('recent');
    // The newest trace is the last one sent.
    await expect.poll(firstCardId, { timeout: UI_TIMEOUT }).toBe(sent[TRACES - 1]!.traceId);
    const inDom = await cards().count();
    expect(inDom).toBeGreaterThan(3);
    expect(inDom).toBeLessThan(60);

    await byTestId(suite.page, 'search-sort').selectOption('longest');
    await expect.poll(firstCardId, { timeout: UI_TIMEOUT }).toBe(longestFirst()[0]!.traceId);
    expect(new URL(suite.page.url()).searchParams.get('sort')).toBe('longest');
    await byTestId(suite.page, 'search-sort').selectOption('shortest');
    await expect.poll(firstCardId, { timeout: UI_TIMEOUT }).toBe(longestFirst()[TRACES - 1]!.traceId);
    // The cards' positions say where they are in the whole list.
    expect(await suite.page.locator('li[aria-posinset="1"]').getAttribute('aria-setsize')).toBe(String(TRACES));
  });

  it('scrolled to the end, shows the last result, still with few cards in the DOM', async () => {
    await open('longest');
    await expect.poll(firstCardId, { timeout: UI_TIMEOUT }).toBe(longestFirst()[0]!.traceId);
    await suite.page.evaluate(`(() => { const c = ${RESULTS_COLUMN}; c.scrollTop = c.scrollHeight; })()`);
    const last = suite.page.locator(`[data-testid="search-result"][data-trace-id="${longestFirst()[TRACES - 1]!.traceId}"]`);
    await last.waitFor({ timeout: UI_TIMEOUT });
    expect(await last.getAttribute('data-index')).toBe(String(TRACES - 1));
    // It is on screen, not merely in the DOM.
    const box = (await last.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual((suite.page.viewportSize()?.height ?? 0) + 1);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(await cards().count()).toBeLessThan(60);
    await expect.poll(() => cards().first().getAttribute('data-index')).not.toBe('0');
  });

  it('moves focus through the whole list with the keyboard: End, Home, arrows', async () => {
    await open('longest');
    await cards().first().focus();
    await suite.page.keyboard.press('End');
    const focused = suite.page.locator('[data-testid="search-result"]:focus');
    await expect.poll(() => focused.getAttribute('data-trace-id'), { timeout: UI_TIMEOUT }).toBe(longestFirst()[TRACES - 1]!.traceId);
    await suite.page.keyboard.press('ArrowUp');
    await expect.poll(() => focused.getAttribute('data-index'), { timeout: UI_TIMEOUT }).toBe(String(TRACES - 2));
    await suite.page.keyboard.press('Home');
    await expect.poll(() => focused.getAttribute('data-trace-id'), { timeout: UI_TIMEOUT }).toBe(longestFirst()[0]!.traceId);
    await suite.page.keyboard.press('ArrowDown');
    await expect.poll(() => focused.getAttribute('data-trace-id'), { timeout: UI_TIMEOUT }).toBe(longestFirst()[1]!.traceId);
    // Enter opens the focused trace.
    await suite.page.keyboard.press('Enter');
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${longestFirst()[1]!.traceId}`);
  });
});
