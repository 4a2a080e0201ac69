import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { upload, type RecordSpec } from './support/nettrace-upload.js';
import { byTestId, UI_TIMEOUT } from './support/ui.js';

const REQUESTS = 230;
const LOGS = 250;

/** The net/trace lists past their first page: 230 requests (pages of 100) and 250 event logs (pages of 200). */
describe('net/trace lists page by page, in Chromium', () => {
  const suite = useBrowserSuite({
    seed: async (server) => {
      const now = Date.now();
      const records: RecordSpec[] = [];
      // Newest first is r0, r1, …; the starts are 1 s apart and all inside the last hour.
      for (let i = 0; i < REQUESTS; i++) {
        records.push({ type: 'trace', recordId: `r${i}`, family: 'http.Bulk', title: `GET /item/${i}`, startMsAgo: 10_000 + i * 1_000, elapsedMs: 3 });
      }
      for (let i = 0; i < LOGS; i++) {
        records.push({ type: 'eventLog', recordId: `log${i}`, family: 'bulk.pool', title: `conn ${i}`, startMsAgo: 600_000 + i * 1_000, elapsedMs: 1_000, events: [{ msAfterStart: 0, message: `dial ${i}` }] });
      }
      await upload(server.otlpHttp, { 'service.name': 'bulk', 'host.name': 'bulk-1' }, records, now);
    },
  });

  async function recordIds(testId: string): Promise<string[]> {
    return suite.page.locator(`[data-testid="${testId}"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-record-id') ?? ''));
  }

  async function showAll(moreTestId: string, listed: () => Promise<number>, pageSizes: number[]): Promise<void> {
    for (const expected of pageSizes) {
      await expect.poll(listed, { timeout: UI_TIMEOUT }).toBe(expected);
      if (expected === pageSizes[pageSizes.length - 1]) break;
      await byTestId(suite.page, moreTestId).click();
    }
    // The last page came: no button is left.
    await expect.poll(() => byTestId(suite.page, moreTestId).count(), { timeout: UI_TIMEOUT }).toBe(0);
  }

  it('shows every request of a cell, newest first, a page at a time', async () => {
    await suite.page.goto(`${suite.server.http}/nettrace/requests?family=http.Bulk&service=bulk&window=1h`);
    await showAll('nettrace-requests-more', async () => (await recordIds('nettrace-request')).length, [100, 200, REQUESTS]);
    expect(await recordIds('nettrace-request')).toEqual(Array.from({ length: REQUESTS }, (_, i) => `r${i}`));
    expect(await byTestId(suite.page, 'nettrace-requests-count').textContent()).toContain(`${REQUESTS} requests, newest first`);
  });

  it('shows every event log of a family, most recently updated first, a page at a time', async () => {
    await suite.page.goto(`${suite.server.http}/nettrace/events?family=bulk.pool&service=bulk`);
    const logIds = () => suite.page.locator('tl-event-log').evaluateAll((els) => els.map((e) => (e as unknown as { log: { recordId: string } }).log.recordId));
    await showAll('nettrace-events-more', async () => (await logIds()).length, [200, LOGS]);
    expect(await logIds()).toEqual(Array.from({ length: LOGS }, (_, i) => `log${i}`));
  });
});
