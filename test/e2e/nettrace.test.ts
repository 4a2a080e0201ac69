import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './support/browser-suite.js';
import { upload } from './support/nettrace-upload.js';
import { byTestId, selectedSpanId, UI_TIMEOUT, urlParam } from './support/ui.js';

/**
 * The fleet's /debug/requests and /debug/events: families with x/net/trace's latency
 * buckets and error periods, each cell opening its records with their events.
 */
describe('net/trace pages in Chromium', () => {
  const suite = useBrowserSuite({
    seed: async (server) => {
      const now = Date.now();
      await upload(
        server.otlpHttp,
        { 'service.name': 'orders', 'host.name': 'ord-1', 'service.instance.id': 'orders-1' },
        [
          { type: 'trace', recordId: 'r1', family: 'grpc.Recv.Checkout', title: '/orders.Orders/Checkout', startMsAgo: 600_000, elapsedMs: 10 },
          { type: 'trace', recordId: 'r2', family: 'grpc.Recv.Checkout', title: '/orders.Orders/Checkout', startMsAgo: 500_000, elapsedMs: 60 },
          {
            type: 'trace',
            recordId: 'r3',
            family: 'grpc.Recv.Checkout',
            title: '/orders.Orders/Checkout',
            startMsAgo: 400_000,
            elapsedMs: 120,
            events: [{ msAfterStart: 1, message: 'recv: cart=42' }],
          },
          {
            type: 'trace',
            recordId: 'r4',
            family: 'grpc.Recv.Checkout',
            title: '/orders.Orders/Checkout',
            startMsAgo: 300_000,
            elapsedMs: 700,
            error: true,
            events: [
              { msAfterStart: 1, message: 'recv: cart=43' },
              { msAfterStart: 2, message: 'card=4111111111111111', sensitive: true },
              { msAfterStart: 699, message: 'payment declined', error: true },
            ],
          },
          { type: 'trace', recordId: 'r5', family: 'grpc.Recv.Checkout', title: '/orders.Orders/Checkout', startMsAgo: 30, elapsedMs: 30, state: 'active' },
          {
            type: 'eventLog',
            recordId: 'log1',
            family: 'conn.pool',
            title: 'db:5432',
            startMsAgo: 120_000,
            elapsedMs: 90_000,
            state: 'active',
            error: true,
            events: [
              { msAfterStart: 0, message: 'dial 1' },
              { msAfterStart: 90_000, message: 'reset by peer', error: true },
            ],
          },
          {
            type: 'eventLog',
            recordId: 'log2',
            family: 'conn.pool',
            title: 'cache:6379',
            startMsAgo: 200_000,
            elapsedMs: 1_000,
            events: [{ msAfterStart: 0, message: 'dial cache' }],
          },
        ],
        now,
      );
      await upload(
        server.otlpHttp,
        { 'service.name': 'web', 'host.name': 'web-2', 'service.instance.id': 'web-2' },
        [{ type: 'trace', recordId: 'w1', family: 'http.Server', title: '/healthz', startMsAgo: 60_000, elapsedMs: 5 }],
        now,
      );
    },
  });

  async function recordIds(testId: string): Promise<string[]> {
    const records = byTestId(suite.page, testId);
    const ids: string[] = [];
    for (let i = 0; i < (await records.count()); i++) ids.push((await records.nth(i).getAttribute('data-record-id')) ?? '');
    return ids;
  }

  it('shows /debug/requests and /debug/events counts by family, each cell opening its records', async () => {
    await suite.page.goto(`${suite.server.http}/search`);
    await byTestId(suite.page, 'nav-nettrace').click();
    const checkout = suite.page.locator('[data-testid="nettrace-request-family"][data-family="grpc.Recv.Checkout"]');
    await checkout.waitFor({ timeout: UI_TIMEOUT });
    const count = async (testId: string) => Number(await checkout.locator(`[data-testid="${testId}"]`).getAttribute('data-count'));
    // x/net/trace's buckets count finished requests that took at least the threshold; active ones are apart.
    expect(await count('nettrace-active')).toBe(1);
    expect(await count('nettrace-bucket-0')).toBe(4);
    expect(await count('nettrace-bucket-50000000')).toBe(3);
    expect(await count('nettrace-bucket-100000000')).toBe(2);
    expect(await count('nettrace-bucket-200000000')).toBe(1);
    expect(await count('nettrace-bucket-500000000')).toBe(1);
    expect(await count('nettrace-bucket-1000000000')).toBe(0);
    expect(await count('nettrace-errors')).toBe(1);

    await checkout.locator('[data-testid="nettrace-bucket-100000000"] a').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/nettrace/requests');
    expect(urlParam(suite.page, 'family')).toBe('grpc.Recv.Checkout');
    expect(urlParam(suite.page, 'minDuration')).toBe('100ms');
    await expect.poll(() => recordIds('nettrace-request'), { timeout: UI_TIMEOUT }).toEqual(['r4', 'r3']);

    await suite.page.goBack();
    await checkout.locator('[data-testid="nettrace-errors"] a').click();
    await expect.poll(() => recordIds('nettrace-request'), { timeout: UI_TIMEOUT }).toEqual(['r4']);

    await suite.page.goBack();
    const pool = suite.page.locator('[data-testid="nettrace-event-family"][data-family="conn.pool"]');
    await pool.waitFor({ timeout: UI_TIMEOUT });
    expect(Number(await pool.locator('[data-testid="nettrace-event-total"]').getAttribute('data-count'))).toBe(2);
    expect(Number(await pool.locator('[data-testid="nettrace-event-errors-1m"]').getAttribute('data-count'))).toBe(1);
    expect(Number(await pool.locator('[data-testid="nettrace-event-errors-10s"]').getAttribute('data-count'))).toBe(0);
    await pool.locator('[data-testid="nettrace-event-total"] a').click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe('/nettrace/events');
    await expect.poll(() => recordIds('nettrace-event-log'), { timeout: UI_TIMEOUT }).toEqual(['log1', 'log2']);

    // The instance filter narrows the tables to one process.
    await suite.page.goto(`${suite.server.http}/nettrace?instance=web-2&window=1h`);
    await suite.page.locator('[data-testid="nettrace-request-family"][data-family="http.Server"]').waitFor({ timeout: UI_TIMEOUT });
    expect(await byTestId(suite.page, 'nettrace-request-family').count()).toBe(1);
  });

  it('lists the requests behind a cell with their events, sensitive ones redacted, each linking to its trace', async () => {
    await suite.page.goto(`${suite.server.http}/nettrace/requests?family=grpc.Recv.Checkout&minDuration=100ms&service=orders&window=1h`);
    await expect.poll(() => recordIds('nettrace-request'), { timeout: UI_TIMEOUT }).toEqual(['r4', 'r3']);
    const failed = suite.page.locator('[data-testid="nettrace-request"][data-record-id="r4"]');
    expect(await failed.locator('[data-testid="record-error"]').count()).toBe(1);
    const events = failed.locator('[data-testid="record-event"]');
    expect(await events.count()).toBe(3);
    const sensitive = failed.locator('[data-testid="record-event"][data-sensitive="true"]');
    expect(await sensitive.textContent()).toContain('[redacted]');
    expect(await failed.textContent()).not.toContain('4111');
    expect(await events.nth(2).textContent()).toContain('payment declined');

    // Errors only, and active only, are links too.
    await suite.page.goto(`${suite.server.http}/nettrace/requests?family=grpc.Recv.Checkout&errorsOnly=true&window=1h`);
    await expect.poll(() => recordIds('nettrace-request'), { timeout: UI_TIMEOUT }).toEqual(['r4']);
    await suite.page.goto(`${suite.server.http}/nettrace/requests?family=grpc.Recv.Checkout&active=true&window=1h`);
    await expect.poll(() => recordIds('nettrace-request'), { timeout: UI_TIMEOUT }).toEqual(['r5']);
    expect(await byTestId(suite.page, 'record-active').count()).toBe(1);

    await suite.page.goto(`${suite.server.http}/nettrace/requests?family=grpc.Recv.Checkout&errorsOnly=true&window=1h`);
    const traceLink = byTestId(suite.page, 'nettrace-request-trace');
    await traceLink.waitFor({ timeout: UI_TIMEOUT });
    const href = new URL((await traceLink.getAttribute('href'))!, suite.server.http);
    await traceLink.click();
    await expect.poll(() => new URL(suite.page.url()).pathname, { timeout: UI_TIMEOUT }).toBe(href.pathname);
    const spanId = href.searchParams.get('span')!;
    await suite.page.locator(`[data-testid="span-row"][data-span-id="${spanId}"][aria-selected="true"]`).waitFor({ timeout: UI_TIMEOUT });
    expect(await selectedSpanId(suite.page)).toBe(spanId);
  });

  it('lists the event logs of a family with their events, and those with a recent error', async () => {
    await suite.page.goto(`${suite.server.http}/nettrace/events?family=conn.pool&service=orders`);
    await expect.poll(() => recordIds('nettrace-event-log'), { timeout: UI_TIMEOUT }).toEqual(['log1', 'log2']);
    const log = suite.page.locator('[data-testid="nettrace-event-log"][data-record-id="log1"]');
    await log.locator('[data-testid="record-event"]').first().waitFor({ timeout: UI_TIMEOUT });
    expect(await log.locator('[data-testid="record-event"]').allTextContents()).toEqual([
      expect.stringContaining('dial 1'),
      expect.stringContaining('reset by peer'),
    ]);

    await suite.page.goto(`${suite.server.http}/nettrace/events?family=conn.pool&errorsWithin=1m`);
    await expect.poll(() => recordIds('nettrace-event-log'), { timeout: UI_TIMEOUT }).toEqual(['log1']);
    await suite.page.goto(`${suite.server.http}/nettrace/events?family=conn.pool&errorsWithin=10s`);
    await byTestId(suite.page, 'nettrace-events-empty').waitFor({ timeout: UI_TIMEOUT });
  });
});
