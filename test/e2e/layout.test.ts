import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowserSuite } from './support/browser-suite.js';
import { sendCompareTraces, type CompareTraces } from './support/compare-traces.js';
import { sendE2eTraces, type E2eTraces } from './support/e2e-traces.js';
import { byTestId, UI_TIMEOUT } from './support/ui.js';

const WIDTHS = [1024, 390] as const;

/** Every page at a small laptop's and a phone's width: nothing scrolls sideways, the header's controls stay reachable. */
describe('layout at 1024 and 390 px in Chromium', () => {
  let traces: E2eTraces;
  let pair: CompareTraces;
  const suite = useBrowserSuite({
    seed: async (server) => {
      [traces, pair] = await Promise.all([sendE2eTraces(server.otlpHttp), sendCompareTraces(server.otlpHttp)]);
    },
  });

  /** Each page with the test ID of an element that is there once it has loaded. */
  const pages = (): Array<[string, string]> => [
    [`/search?service=frontend&lookback=1h`, 'search-result'],
    [`/trace/${traces.checkout.traceId}?span=${traces.checkout.dbSpanId}`, 'span-detail'],
    [`/trace/${traces.checkout.traceId}?tab=stats`, 'stats-services'],
    [`/trace/${traces.checkout.traceId}?tab=flame`, 'flame-graph'],
    [`/compare/${pair.a}/${pair.b}`, 'compare-table'],
    ['/dependencies?window=1h', 'dependency-graph'],
    ['/operations?service=frontend&window=1h', 'operations-table'],
    [`/operations/frontend/${encodeURIComponent('GET /checkout')}?window=1h`, 'heatmap-plot'],
    ['/slow?service=frontend&window=1h&percentile=50', 'slow-span-count'],
    ['/nettrace?window=1h', 'nettrace-refresh'],
    ['/no-such-page', 'not-found'],
  ];

  async function sidewaysOverflow(page: Page): Promise<number> {
    return Number(await page.evaluate('document.scrollingElement.scrollWidth - window.innerWidth'));
  }

  for (const width of WIDTHS) {
    it(`has no horizontal scroll on any page at ${width} px, and the header's controls stay on screen`, async () => {
      await suite.page.setViewportSize({ width, height: 800 });
      // Every problem of every page, so one run shows them all.
      const problems: string[] = [];
      for (const [path, ready] of pages()) {
        await suite.page.goto(`${suite.server.http}${path}`);
        await byTestId(suite.page, ready).first().waitFor({ state: 'attached', timeout: UI_TIMEOUT });
        const overflow = await sidewaysOverflow(suite.page);
        if (overflow > 0) problems.push(`${path}: scrolls ${overflow}px sideways`);
        for (const control of ['trace-id-input', 'open-trace-file', 'theme-toggle', 'nav-search', 'nav-dependencies']) {
          const box = await byTestId(suite.page, control).boundingBox();
          if (box === null || box.width === 0 || box.x < 0 || box.x + box.width > width + 0.5) problems.push(`${path}: ${control} is off screen (${JSON.stringify(box)})`);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('keeps the custom range inputs inside the search and slow-span forms at 1024 px', async () => {
    await suite.page.setViewportSize({ width: 1024, height: 800 });
    for (const [path, prefix, form] of [
      ['/search', 'search', 'tl-search-form'],
      ['/slow', 'slow', 'tl-slow-form'],
    ] as const) {
      await suite.page.goto(`${suite.server.http}${path}`);
      await byTestId(suite.page, prefix === 'search' ? 'search-lookback' : 'slow-window').selectOption('custom');
      const container = (await suite.page.locator(form).boundingBox())!;
      for (const field of [`${prefix}-start`, `${prefix}-end`]) {
        const box = (await byTestId(suite.page, field).boundingBox())!;
        expect({ field, inside: box.x >= container.x && box.x + box.width <= container.x + container.width + 0.5 }).toEqual({ field, inside: true });
      }
    }
  });
});
