/**
 * How the search page copes with its largest answer: 1,500 traces (the search's `limit` cap).
 *
 *   npm run build && npm run bench:ui-search [-- --runs=5]
 *
 * Sends 1,500 one-span traces through the OTel JS SDK to an in-process Threadline, then per
 * run opens /search?…&limit=1500 in a fresh headless Chromium context and measures in the
 * page: navigation start → the result count and first card shown (after the next frame),
 * elements in the DOM (shadow roots included) and result cards in it, then scrolls the
 * results column to the end 120 px per frame and records the frame intervals and main-thread
 * tasks over 50 ms (Long Tasks API) while it does. Prints the medians; nothing is written.
 */
import type { Page } from 'playwright-core';
import { COUNT_DOM_NODES, launchBrowser, requireUiBuild, VIEWPORT } from '../support/browser.js';
import { startTestServer } from '../support/in-process-server.js';
import { MANY_TRACES, RESULTS_COLUMN, sendManyTraces } from '../e2e/support/many-traces.js';

const LONG_TASKS = `(() => {
  window.__tlLongTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__tlLongTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
})()`;

/** Waits for the result count, then a frame; resolves with the time and what the DOM holds. */
const SHOWN = `new Promise((resolve) => {
  const column = () => ${RESULTS_COLUMN};
  const check = () => {
    const c = document.querySelector('tl-app')?.shadowRoot?.querySelector('tl-search-page')?.shadowRoot;
    const count = c?.querySelector('[data-testid="search-count"]');
    const list = c?.querySelector('tl-search-results')?.shadowRoot;
    if (!count || !count.textContent.includes('${MANY_TRACES}') || !list?.querySelector('[data-testid="search-result"]')) return requestAnimationFrame(check);
    requestAnimationFrame(() => resolve({ shownMs: performance.now(), cards: list.querySelectorAll('[data-testid="search-result"]').length, scrollHeight: column().scrollHeight }));
  };
  check();
})`;

/** Scrolls the results column to its end, STEP px a frame; resolves with the frame intervals. */
const SCROLL = `new Promise((resolve) => {
  const column = ${RESULTS_COLUMN};
  const frames = [];
  let last = performance.now();
  const started = last;
  const step = (now) => {
    frames.push(now - last);
    last = now;
    if (column.scrollTop + column.clientHeight >= column.scrollHeight - 1) {
      const list = document.querySelector('tl-app').shadowRoot.querySelector('tl-search-page').shadowRoot.querySelector('tl-search-results').shadowRoot;
      const cards = [...list.querySelectorAll('[data-testid="search-result"]')];
      resolve({ frames, startedMs: started, cardsAtEnd: cards.length, lastIndex: Math.max(...cards.map((c) => Number(c.dataset.index ?? -1))) });
      return;
    }
    column.scrollTop += 120;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
})`;

interface Run {
  shownMs: number;
  elements: number;
  cards: number;
  frameP50: number;
  frameP95: number;
  frameMax: number;
  longTasksWhileScrolling: number;
  longestTaskMs: number;
  cardsAtEnd: number;
  lastIndex: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

async function measure(page: Page, url: string): Promise<Run> {
  await page.addInitScript(LONG_TASKS);
  await page.goto(url);
  const shown = (await page.evaluate(SHOWN)) as { shownMs: number; cards: number };
  const dom = (await page.evaluate(COUNT_DOM_NODES)) as { elements: number };
  const scroll = (await page.evaluate(SCROLL)) as { frames: number[]; startedMs: number; cardsAtEnd: number; lastIndex: number };
  const tasks = ((await page.evaluate('window.__tlLongTasks')) as Array<{ start: number; duration: number }>).filter((t) => t.start >= scroll.startedMs);
  const frames = scroll.frames.slice(1);
  return {
    shownMs: shown.shownMs,
    elements: dom.elements,
    cards: shown.cards,
    frameP50: quantile(frames, 0.5),
    frameP95: quantile(frames, 0.95),
    frameMax: Math.max(...frames),
    longTasksWhileScrolling: tasks.length,
    longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
    cardsAtEnd: scroll.cardsAtEnd,
    lastIndex: scroll.lastIndex,
  };
}

async function main(): Promise<void> {
  requireUiBuild();
  const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 5);
  const [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
  try {
    console.log(`sending ${MANY_TRACES} traces…`);
    await sendManyTraces(server.otlpHttp);
    const url = `${server.http}/search?service=bulk&lookback=1h&limit=${MANY_TRACES}`;
    const results: Run[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      const page = await context.newPage();
      const run = await measure(page, url);
      await context.close();
      // The first run warms the server's caches and is not counted.
      if (i === 0) continue;
      results.push(run);
      console.log(`run ${i}: ${JSON.stringify(run)}`);
    }
    const med = (key: keyof Run) => median(results.map((r) => r[key]));
    console.log(
      `median of ${runs}: list shown ${med('shownMs').toFixed(0)} ms after navigation start; ${med('elements')} elements, ${med('cards')} cards in the DOM; ` +
        `scrolling to the end: frame interval p50 ${med('frameP50').toFixed(1)} ms, p95 ${med('frameP95').toFixed(1)} ms, max ${med('frameMax').toFixed(1)} ms; ` +
        `${med('longTasksWhileScrolling')} tasks over 50 ms (longest ${med('longestTaskMs').toFixed(0)} ms); ${med('cardsAtEnd')} cards in the DOM at the end, last index ${med('lastIndex')}`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
