import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { ENCODER, HOT_LOOP, MUTEX_SHARE, PROFILED_OPERATION, PROFILED_SERVICE, sendProfileData, type ProfileData } from './support/profile-data.js';
import { byTestId, spanRow, UI_TIMEOUT } from './support/ui.js';

/**
 * Go diagnostics in the UI: a span's "CPU" tab (flame graph of the samples labeled with
 * it), its "Wall time" tab (execution-trace breakdown and the raw trace download), the
 * waterfall marker, and the operation's differential flame graph (spans above p99 vs rest).
 */
describe('Go diagnostics (CPU, wall time, differential flame graph) in Chromium', () => {
  let data: ProfileData;
  const suite = useBrowserSuite({
    seed: async (server) => {
      data = await sendProfileData(server.otlpHttp);
    },
  });

  const openSlowSpan = async () => {
    await suite.page.goto(`${suite.server.http}/trace/${data.slow.traceId}?span=${data.slow.spanId}`);
    await byTestId(suite.page, 'span-diagnostics').waitFor({ timeout: UI_TIMEOUT });
  };

  it('marks the profiled span in the waterfall and shows its CPU flame graph topped by the hot loop', async () => {
    await openSlowSpan();
    const mark = spanRow(suite.page, data.slow.spanId).locator('[data-testid="profile-mark"]');
    await mark.waitFor({ timeout: UI_TIMEOUT });
    expect(await mark.getAttribute('title')).toContain('CPU profile and execution trace');

    expect(await byTestId(suite.page, 'span-tab-cpu').getAttribute('aria-selected')).toBe('true');
    const graph = byTestId(suite.page, 'profile-flame-graph');
    await graph.waitFor({ timeout: UI_TIMEOUT });
    const hot = graph.locator(`[data-testid="profile-frame"][data-name="${HOT_LOOP}"]`);
    expect(await hot.count()).toBe(1);
    // 400 ms of the span's 410 ms: the box spans almost the whole width.
    const [hotBox, graphBox] = await Promise.all([hot.boundingBox(), graph.boundingBox()]);
    expect(hotBox!.width / graphBox!.width).toBeGreaterThan(0.9);
    expect(await hot.getAttribute('title')).toContain('400ms');
    const top = byTestId(suite.page, 'span-cpu-top-row');
    expect(await top.first().textContent()).toContain(HOT_LOOP);
    expect(await byTestId(suite.page, 'span-cpu-total').textContent()).toContain('410ms');
  });

  it('shows the wall-time breakdown with mutex wait first, and downloads the raw execution trace', async () => {
    await openSlowSpan();
    await byTestId(suite.page, 'span-tab-wall').click();
    const states = byTestId(suite.page, 'wall-time-state');
    await states.first().waitFor({ timeout: UI_TIMEOUT });
    expect(await states.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')))).toEqual(['mutex', 'running']);
    expect(await states.first().textContent()).toContain(`${MUTEX_SHARE * 100}%`);
    expect(await byTestId(suite.page, 'wall-time-stacks').textContent()).toContain('sync.(*Mutex).Lock');

    const [download] = await Promise.all([suite.page.waitForEvent('download', { timeout: UI_TIMEOUT }), byTestId(suite.page, 'exectrace-download').click()]);
    expect(download.suggestedFilename()).toBe(`exectrace-${data.slow.traceId}-${data.slow.spanId}.trace`);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(data.raw)).toBe(true);
  });

  const operationUrl = (params: string) => {
    const start = BigInt(data.nowMs - 10 * 60_000) * 1_000_000n;
    const end = BigInt(data.nowMs + 60_000) * 1_000_000n;
    return `${suite.server.http}/operations/${PROFILED_SERVICE}/${encodeURIComponent(PROFILED_OPERATION)}?window=custom&start=${start}&end=${end}${params}`;
  };

  it('draws the differential flame graph of the spans above p99 against the rest', async () => {
    await suite.page.goto(operationUrl(''));
    const plain = byTestId(suite.page, 'profile-flame-graph');
    await plain.waitFor({ timeout: UI_TIMEOUT });
    expect(await plain.locator(`[data-name="${HOT_LOOP}"]`).count()).toBe(1);

    await byTestId(suite.page, 'operation-profile-diff').check();
    const diff = byTestId(suite.page, 'diff-flame-graph');
    await diff.waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'operation-diff-summary').textContent()).toContain('1 span above p99');
    // The slow span spends ~98% in the hot loop, the others none: red, strongly.
    const hotDelta = Number(await diff.locator(`[data-name="${HOT_LOOP}"]`).getAttribute('data-delta'));
    expect(hotDelta).toBeGreaterThan(0.9);
    // JSON encoding is all of the other spans' CPU and ~2% of the slow one's: blue.
    const encoderDelta = Number(await diff.locator(`[data-name="${ENCODER}"]`).getAttribute('data-delta'));
    expect(encoderDelta).toBeLessThan(-0.9);
  });

  it('profiles the heatmap selection\'s time range instead of the whole window', async () => {
    // A selection of the window's first minutes, before any span and profile of the data.
    const selStart = BigInt(data.nowMs - 10 * 60_000) * 1_000_000n;
    const selEnd = selStart + 3n * 60_000_000_000n;
    await suite.page.goto(operationUrl(`&selStart=${selStart}&selEnd=${selEnd}&selMin=1&selMax=10000000000`));
    await byTestId(suite.page, 'operation-profile-empty').waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'profile-flame-graph').count()).toBe(0);
  });
});
