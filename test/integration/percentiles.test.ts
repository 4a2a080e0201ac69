import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  V1HeatmapResponse,
  V1HistogramResponse,
  V1OperationStatsResponse,
  V1PercentilesResponse,
  V1SlowSpansResponse,
  V1SpanListResponse,
} from '../../server/src/query/v1-api/latency-types.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { storedSpansOf, type StoredSpanFacts } from '../support/stored-data.js';
import { buildTraces, exactQuantile, MINUTE_NS, OPERATIONS, postSpans, SERVICE, type SentSpan } from '../support/latency-payloads.js';

/**
 * Percentiles and span lists through the real HTTP API, against exact values computed
 * from the spans the database holds. The window is whole minutes, so sketch answers and
 * exact ones cover the same spans.
 */

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];
const WINDOW_MINUTES = 30n;

type StoredSpan = StoredSpanFacts;

let server: TestServer;
let sent: SentSpan[];
let stored: StoredSpan[];
let startNs: bigint;
let endNs: bigint;

const api = <T>(path: string, params: Record<string, string | number | bigint> = {}) => {
  const qs = new URLSearchParams({ service: SERVICE, start: String(startNs), end: String(endNs) });
  for (const [k, v] of Object.entries(params)) qs.append(k, String(v));
  return getJson<T>(`${server.http}/api/v1/${path}?${qs}`);
};

const sortedDurations = (spans: readonly StoredSpan[]) =>
  spans.map((s) => s.duration_ns).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Within the sketch's 1%, plus half a nanosecond for the rounding to whole ns. */
function expectWithinOnePercent(actual: string | null, exact: bigint, what: string): void {
  const error = Math.abs(Number(actual) - Number(exact));
  expect(error, `${what}: ${actual} vs exact ${exact}`).toBeLessThanOrEqual(Number(exact) * 0.01 + 0.5);
}

beforeAll(async () => {
  server = await startTestServer();
  // On the hour, so that clock-aligned series buckets fall exactly on the window.
  startNs = (BigInt(Date.now()) * 1_000_000n / (60n * MINUTE_NS) - 2n) * 60n * MINUTE_NS;
  endNs = startNs + WINDOW_MINUTES * MINUTE_NS - 1n;
  sent = buildTraces(17, 1500, startNs, WINDOW_MINUTES * MINUTE_NS);
  // Spans just outside the window on both sides must not count.
  sent.push(...buildTraces(18, 20, startNs - 5n * MINUTE_NS, 4n * MINUTE_NS, 900_000));
  sent.push(...buildTraces(19, 20, endNs + 1n, 4n * MINUTE_NS, 950_000));
  await postSpans(server.otlpHttp, sent);
  // Acknowledged spans wait in the ingest log for a moment; any search has them indexed first.
  await fetch(`${server.http}/api/services`);
  stored = await storedSpansOf(server, SERVICE, startNs, endNs);
});
afterAll(async () => server?.stop());

describe('GET /api/v1/percentiles', () => {
  it('stored what was sent', () => {
    expect(stored).toHaveLength(1500 * OPERATIONS.length);
  });

  it.each(OPERATIONS.map((op) => op.name))('agrees with exact nearest-rank percentiles of %s within one percent', async (operation) => {
    const spans = stored.filter((s) => s.name === operation);
    const { status, body } = await api<V1PercentilesResponse>('percentiles', { operation, q: QUANTILES.join(',') });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      service: SERVICE,
      operation,
      count: spans.length,
      errorCount: spans.filter((s) => s.is_error === 1n).length,
    });
    const sorted = sortedDurations(spans);
    body.quantiles.forEach(({ q, durationNano }, i) => {
      expect(q).toBe(QUANTILES[i]);
      expectWithinOnePercent(durationNano, exactQuantile(sorted, q), `${operation} q=${q}`);
    });
  });

  it('covers every operation of the service when none is named', async () => {
    const { body } = await api<V1PercentilesResponse>('percentiles', { q: QUANTILES.join(',') });
    expect(body.operation).toBeNull();
    expect(body.count).toBe(stored.length);
    const sorted = sortedDurations(stored);
    for (const { q, durationNano } of body.quantiles) {
      expectWithinOnePercent(durationNano, exactQuantile(sorted, q), `all q=${q}`);
    }
  });
});

describe('GET /api/v1/slow-spans', () => {
  const operation = 'GET /cart';
  const above = (threshold: bigint) =>
    stored
      .filter((s) => s.name === operation && s.duration_ns >= threshold)
      .sort((a, b) => (a.duration_ns > b.duration_ns ? -1 : a.duration_ns < b.duration_ns ? 1 : 0));

  it('lists exactly the spans at or above the p99, slowest first, page by page', async () => {
    const p99 = (await api<V1PercentilesResponse>('percentiles', { operation, q: 0.99 })).body.quantiles[0]!.durationNano!;
    const first = await api<V1SlowSpansResponse>('slow-spans', { operation, percentile: 99, limit: 4 });
    expect(first.body.thresholdNano).toBe(p99);
    const expected = above(BigInt(p99));
    expect(expected.length).toBeGreaterThan(8);
    const pages = [first.body];
    while (pages.at(-1)!.nextCursor) {
      pages.push((await api<V1SlowSpansResponse>('slow-spans', { operation, limit: 4, cursor: pages.at(-1)!.nextCursor! })).body);
    }
    const listed = pages.flatMap((p) => p.spans);
    expect(listed.map((s) => s.durationNano)).toEqual(expected.map((s) => s.duration_ns.toString()));
    expect(new Set(listed.map((s) => s.spanId))).toEqual(new Set(expected.map((s) => s.span_id)));
    expect(listed[0]).toEqual({
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      spanId: expected[0]!.span_id,
      service: SERVICE,
      operation,
      startTimeUnixNano: expected[0]!.start_ns.toString(),
      durationNano: expected[0]!.duration_ns.toString(),
      error: expected[0]!.is_error === 1n,
    });
    const byOffset = await api<V1SlowSpansResponse>('slow-spans', { operation, limit: 4, offset: 4 });
    expect(byOffset.body.spans).toEqual(listed.slice(4, 8));
  });

  it('filters by tag and errors, and across every operation', async () => {
    const { body } = await api<V1SlowSpansResponse>('slow-spans', { percentile: 50, tag: 'region=eu', errorsOnly: 'true', limit: 1000 });
    const threshold = BigInt(body.thresholdNano!);
    const eu = new Set(sent.filter((s) => s.region === 'eu').map((s) => s.spanId));
    const expected = stored.filter((s) => s.is_error === 1n && eu.has(s.span_id) && s.duration_ns >= threshold);
    expect(expected.length).toBeGreaterThan(3);
    expect(body.spans.map((s) => s.spanId).sort()).toEqual(expected.map((s) => s.span_id).sort());
    expect(body.spans.every((s) => s.error)).toBe(true);
    const all = await api<V1SlowSpansResponse>('slow-spans', { percentile: 50, limit: 1000 });
    const durations = all.body.spans.map((s) => BigInt(s.durationNano));
    expect(durations).toEqual([...durations].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(all.body.nextCursor).toBeDefined();
    expect(new Set(all.body.spans.map((s) => s.operation))).toEqual(new Set(['GET /cart', 'SELECT cart']));
  });
});

describe('histogram, heatmap and operation stats', () => {
  it('has histogram buckets that add up, each selecting exactly its spans', async () => {
    const { body } = await api<V1HistogramResponse>('latency/histogram', { operation: 'SELECT cart', buckets: 12 });
    const spans = stored.filter((s) => s.name === 'SELECT cart');
    expect(body.count).toBe(spans.length);
    expect(body.buckets.reduce((n, b) => n + b.count, 0)).toBe(spans.length);
    for (const bucket of body.buckets.filter((b) => b.count > 0).slice(0, 6)) {
      const box = await api<V1SpanListResponse>('spans', {
        operation: 'SELECT cart',
        minDuration: bucket.lowNano,
        maxDuration: bucket.highNano,
        limit: 1000,
      });
      expect(box.body.spans).toHaveLength(bucket.count);
    }
  });

  it('has heatmap cells that add up per time bucket', async () => {
    const { body } = await api<V1HeatmapResponse>('latency/heatmap', { timeBuckets: 10, latencyBuckets: 20 });
    expect(body.timeBuckets).toHaveLength(10);
    expect(body.latencyBuckets.length).toBeLessThanOrEqual(20);
    body.cells.forEach((row, k) => {
      const from = BigInt(body.timeBuckets[k]!);
      const to = from + BigInt(body.timeBucketNano);
      expect(row.reduce((a, b) => a + b, 0)).toBe(stored.filter((s) => s.start_ns >= from && s.start_ns < to).length);
    });
    expect(body.errorCells.flat().reduce((a, b) => a + b, 0)).toBe(stored.filter((s) => s.is_error === 1n).length);
  });

  it('gives per-operation counts, rates and percentiles', async () => {
    const { body } = await api<V1OperationStatsResponse>('operations/stats', { buckets: 15 });
    expect(body.bucketStarts).toHaveLength(15);
    expect(body.operations.map((o) => o.name)).toEqual(OPERATIONS.map((o) => o.name).sort());
    for (const op of body.operations) {
      const spans = stored.filter((s) => s.name === op.name);
      expect(op.count).toBe(spans.length);
      expect(op.rate).toBeCloseTo(spans.length / (Number(WINDOW_MINUTES) * 60), 6);
      expectWithinOnePercent(op.p99Nano, exactQuantile(sortedDurations(spans), 0.99), `${op.name} p99`);
      expect(op.p99Series.every((v) => v !== null)).toBe(true);
    }
  });
});
