import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { bySlowest, sendLatencyData, SLOW_CHECKOUT_MS, spansOf, type KnownSpan, type LatencyData } from './support/latency-spans.js';
import { byTestId, selectedSpanId, UI_TIMEOUT, urlParam } from './support/ui.js';

interface Range {
  lowNano: string;
  highNano: string;
}

interface HeatmapBody {
  timeBuckets: string[];
  timeBucketNano: string;
  latencyBuckets: Range[];
  cells: number[][];
}

interface HistogramBody {
  buckets: Array<Range & { count: number }>;
}

/**
 * The operation view: a Honeycomb-style box dragged on the time × latency heatmap (or a
 * range of histogram bars) lists exactly the spans inside it, checked against spans of
 * known start times and durations sent through the OTel JS SDK's protobuf exporter.
 */
describe('operation view heatmap and histogram selection in Chromium', () => {
  let data: LatencyData;
  let checkout: KnownSpan[];
  const suite = useBrowserSuite({
    seed: async (server) => {
      data = await sendLatencyData(server.otlpHttp);
      checkout = spansOf(data, 'orders', 'orders.Checkout');
    },
  });

  /** A fixed window, so the charts the test reasons about are the ones the page drew. */
  function viewUrl(): string {
    const start = BigInt(data.nowMs - 60 * 60_000) * 1_000_000n;
    const end = BigInt(data.nowMs) * 1_000_000n;
    return `${suite.server.http}/operations/orders/orders.Checkout?window=custom&start=${start}&end=${end}`;
  }

  /** Opens the view and returns the heatmap and histogram exactly as the page received them. */
  async function openView(): Promise<{ heatmap: HeatmapBody; histogram: HistogramBody }> {
    const heatmapResponse = suite.page.waitForResponse((r) => r.url().includes('/api/v1/latency/heatmap'), { timeout: UI_TIMEOUT });
    const histogramResponse = suite.page.waitForResponse((r) => r.url().includes('/api/v1/latency/histogram'), { timeout: UI_TIMEOUT });
    await suite.page.goto(viewUrl());
    const [heatmap, histogram] = await Promise.all([
      heatmapResponse.then((r) => r.json() as Promise<HeatmapBody>),
      histogramResponse.then((r) => r.json() as Promise<HistogramBody>),
    ]);
    await byTestId(suite.page, 'heatmap-plot').waitFor({ timeout: UI_TIMEOUT });
    await byTestId(suite.page, 'histogram-plot').waitFor({ timeout: UI_TIMEOUT });
    return { heatmap, histogram };
  }

  function indexOfRange(ranges: readonly Range[], ns: bigint): number {
    const i = ranges.findIndex((r) => BigInt(r.lowNano) <= ns && ns <= BigInt(r.highNano));
    expect(i, `a bucket holding ${ns} ns`).toBeGreaterThanOrEqual(0);
    return i;
  }

  function columnOf(heatmap: HeatmapBody, startNs: bigint): number {
    const width = BigInt(heatmap.timeBucketNano);
    const i = heatmap.timeBuckets.findIndex((t) => BigInt(t) <= startNs && startNs < BigInt(t) + width);
    expect(i, `a time bucket holding ${startNs}`).toBeGreaterThanOrEqual(0);
    return i;
  }

  /** Drags from the centre of one cell to the centre of another (columns from the left, rows from the bottom). */
  async function dragCells(from: { col: number; row: number }, to: { col: number; row: number }): Promise<void> {
    const plot = byTestId(suite.page, 'heatmap-plot');
    const box = (await plot.boundingBox())!;
    const cols = Number(await plot.getAttribute('data-columns'));
    const rows = Number(await plot.getAttribute('data-rows'));
    const at = (cell: { col: number; row: number }) => ({
      x: box.x + ((cell.col + 0.5) / cols) * box.width,
      y: box.y + (1 - (cell.row + 0.5) / rows) * box.height,
    });
    const a = at(from);
    const b = at(to);
    await suite.page.mouse.move(a.x, a.y);
    await suite.page.mouse.down();
    await suite.page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
    await suite.page.mouse.move(b.x, b.y, { steps: 4 });
    await suite.page.mouse.up();
  }

  function selectionFromUrl(): { startNs: bigint; endNs: bigint; minNs: bigint; maxNs: bigint } {
    const get = (name: string): bigint => BigInt(urlParam(suite.page, name) ?? '-1');
    return { startNs: get('selStart'), endNs: get('selEnd'), minNs: get('selMin'), maxNs: get('selMax') };
  }

  async function listedSpanIds(): Promise<string[]> {
    const rows = byTestId(suite.page, 'span-result');
    const ids: string[] = [];
    for (let i = 0; i < (await rows.count()); i++) ids.push((await rows.nth(i).getAttribute('data-span-id')) ?? '');
    return ids;
  }

  it('drags a box on the heatmap and lists exactly the spans inside it', async () => {
    const { heatmap } = await openView();
    // The slow calls of 500–650 ms, in four separate time buckets; the 450 ms one is in a later bucket.
    const target = checkout.filter((s) => [500, 550, 600, 650].includes(Number(s.durationNs / 1_000_000n)));
    const cols = target.map((s) => columnOf(heatmap, s.startNs));
    const lowRow = indexOfRange(heatmap.latencyBuckets, 480_000_000n);
    const topRow = heatmap.latencyBuckets.length - 1;
    await dragCells({ col: Math.min(...cols), row: topRow }, { col: Math.max(...cols), row: lowRow });

    await expect.poll(() => urlParam(suite.page, 'selStart'), { timeout: UI_TIMEOUT }).not.toBeNull();
    const sel = selectionFromUrl();
    // The box snapped to whole cells: its bounds are cell bounds.
    expect(sel.startNs).toBe(BigInt(heatmap.timeBuckets[Math.min(...cols)]!));
    expect(sel.endNs).toBe(BigInt(heatmap.timeBuckets[Math.max(...cols)]!) + BigInt(heatmap.timeBucketNano) - 1n);
    expect(sel.minNs).toBe(BigInt(heatmap.latencyBuckets[lowRow]!.lowNano));
    expect(sel.maxNs).toBe(BigInt(heatmap.latencyBuckets[topRow]!.highNano));

    const inBox = checkout.filter((s) => s.startNs >= sel.startNs && s.startNs <= sel.endNs && s.durationNs >= sel.minNs && s.durationNs <= sel.maxNs);
    expect(new Set(inBox.map((s) => s.spanId))).toEqual(new Set(target.map((s) => s.spanId)));
    // What the cells count is what the list finds.
    const counted = heatmap.cells.slice(Math.min(...cols), Math.max(...cols) + 1).reduce((n, column) => n + column.slice(lowRow).reduce((a, b) => a + b, 0), 0);
    expect(counted).toBe(target.length);

    await expect.poll(listedSpanIds, { timeout: UI_TIMEOUT }).toEqual([...inBox].sort(bySlowest).map((s) => s.spanId));
    expect(await byTestId(suite.page, 'selection-title').textContent()).toBe(`${target.length} spans in the selection`);
    expect(await byTestId(suite.page, 'heatmap-selection').count()).toBe(1);

    // The selection is in the URL: a reload (a shared link) shows the same box and list.
    await suite.page.reload();
    await expect.poll(listedSpanIds, { timeout: UI_TIMEOUT }).toEqual([...inBox].sort(bySlowest).map((s) => s.spanId));
    await byTestId(suite.page, 'heatmap-selection').waitFor({ timeout: UI_TIMEOUT });

    // Each span opens its trace with the span selected.
    const first = [...inBox].sort(bySlowest)[0]!;
    await byTestId(suite.page, 'span-result').first().click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(`/trace/${first.traceId}`);
    await suite.page.locator(`[data-testid="span-row"][data-span-id="${first.spanId}"][aria-selected="true"]`).waitFor({ timeout: UI_TIMEOUT });
    expect(await selectedSpanId(suite.page)).toBe(first.spanId);
  });

  it('a click on one cell selects that cell; "failed spans only" keeps the failed call in it', async () => {
    const { heatmap } = await openView();
    const failed = checkout.find((s) => s.durationNs === 700_000_000n)!;
    expect(failed.error).toBe(true);
    const cell = { col: columnOf(heatmap, failed.startNs), row: indexOfRange(heatmap.latencyBuckets, failed.durationNs) };
    await dragCells(cell, cell);
    await expect.poll(listedSpanIds, { timeout: UI_TIMEOUT }).toEqual([failed.spanId]);
    expect(await byTestId(suite.page, 'span-result').locator('[data-testid="span-error"]').count()).toBe(1);

    await byTestId(suite.page, 'operation-errors-only').check();
    await expect.poll(() => urlParam(suite.page, 'errorsOnly'), { timeout: UI_TIMEOUT }).toBe('true');
    await expect.poll(listedSpanIds, { timeout: UI_TIMEOUT }).toEqual([failed.spanId]);

    await byTestId(suite.page, 'selection-clear').click();
    await expect.poll(() => urlParam(suite.page, 'selStart'), { timeout: UI_TIMEOUT }).toBeNull();
    expect(await byTestId(suite.page, 'span-result').count()).toBe(0);
  });

  it('selects with the keyboard: arrows move, Shift stretches the box, Enter selects, Escape clears', async () => {
    const { heatmap } = await openView();
    const rows = heatmap.latencyBuckets.length;
    const cols = heatmap.timeBuckets.length;
    await byTestId(suite.page, 'latency-heatmap').focus();
    // The cursor starts on the newest, slowest cell; stretch it over the slowest rows of the whole window.
    for (let i = 0; i < cols; i++) await suite.page.keyboard.press('Shift+ArrowLeft');
    const lowRow = indexOfRange(heatmap.latencyBuckets, 400_000_000n);
    for (let i = 0; i < rows - 1 - lowRow; i++) await suite.page.keyboard.press('Shift+ArrowDown');
    await suite.page.keyboard.press('Enter');
    await expect.poll(() => urlParam(suite.page, 'selMin'), { timeout: UI_TIMEOUT }).toBe(heatmap.latencyBuckets[lowRow]!.lowNano);
    const sel = selectionFromUrl();
    const inBox = checkout.filter((s) => s.startNs >= sel.startNs && s.startNs <= sel.endNs && s.durationNs >= sel.minNs && s.durationNs <= sel.maxNs);
    expect(inBox).toHaveLength(SLOW_CHECKOUT_MS.length);
    await expect.poll(listedSpanIds, { timeout: UI_TIMEOUT }).toEqual([...inBox].sort(bySlowest).map((s) => s.spanId));

    await suite.page.keyboard.press('Escape');
    await expect.poll(() => urlParam(suite.page, 'selStart'), { timeout: UI_TIMEOUT }).toBeNull();
  });

  it('drags across histogram bars and lists the spans in that latency range over the whole window', async () => {
    const { histogram } = await openView();
    const first = indexOfRange(histogram.buckets, BigInt(SLOW_CHECKOUT_MS[0]) * 1_000_000n);
    const last = histogram.buckets.length - 1;
    const plot = byTestId(suite.page, 'histogram-plot');
    const box = (await plot.boundingBox())!;
    const n = Number(await byTestId(suite.page, 'latency-histogram').getAttribute('data-buckets'));
    expect(n).toBe(histogram.buckets.length);
    const xOf = (i: number): number => box.x + ((i + 0.5) / n) * box.width;
    await suite.page.mouse.move(xOf(first), box.y + box.height / 2);
    await suite.page.mouse.down();
    await suite.page.mouse.move(xOf(last), box.y + box.height / 3, { steps: 6 });
    await suite.page.mouse.up();

    await expect.poll(() => urlParam(suite.page, 'selMin'), { timeout: UI_TIMEOUT }).toBe(histogram.buckets[first]!.lowNano);
    expect(urlParam(suite.page, 'selMax')).toBe(histogram.buckets[last]!.highNano);
    const slow = checkout.filter((s) => s.durationNs >= BigInt(histogram.buckets[first]!.lowNano)).sort(bySlowest);
    expect(slow).toHaveLength(SLOW_CHECKOUT_MS.length);
    await expect.poll(listedSpanIds, { timeout: UI_TIMEOUT }).toEqual(slow.map((s) => s.spanId));
    expect(await byTestId(suite.page, 'selection-title').textContent()).toBe(`${slow.length} spans in the selection`);
    expect(await byTestId(suite.page, 'histogram-selection').count()).toBe(1);
  });
});
