import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import {
  parseLatencyHeatmapResponse,
  parseLatencyHistogramResponse,
  parseOperationStatsResponse,
  parsePercentilesResponse,
  parseSlowSpansResponse,
  parseSpansResponse,
} from './decode-latency';

const span = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  service: 'orders',
  operation: 'orders.Checkout',
  startTimeUnixNano: '1712345678901234567',
  durationNano: '812000000',
  error: true,
};

describe('latency response decoding', () => {
  it('decodes percentiles, leaving out quantiles of an empty window', () => {
    expect(
      parsePercentilesResponse({
        service: 'orders',
        operation: null,
        count: 3,
        errorCount: 1,
        quantiles: [
          { q: 0.5, durationNano: '2300000' },
          { q: 0.99, durationNano: null },
        ],
      }),
    ).toEqual({ service: 'orders', operation: '', count: 3, errorCount: 1, quantiles: [{ q: 0.5, durationNano: 2_300_000 }] });
  });

  it('decodes slow spans with their threshold and cursor', () => {
    expect(parseSlowSpansResponse({ thresholdNano: '41000000', spans: [span], nextCursor: '812000000.17' })).toEqual({
      thresholdNano: 41_000_000,
      spans: [{ ...span, durationNano: 812_000_000 }],
      nextCursor: '812000000.17',
    });
    expect(parseSlowSpansResponse({ thresholdNano: null, spans: [] })).toEqual({ thresholdNano: null, spans: [], nextCursor: null });
    expect(parseSpansResponse({ spans: [] })).toEqual({ spans: [], nextCursor: null });
  });

  it('decodes operation stats into table rows', () => {
    const stats = parseOperationStatsResponse({
      service: 'orders',
      startTimeUnixNano: '1712345640000000000',
      endTimeUnixNano: '1712349300000000000',
      bucketNano: '120000000000',
      bucketStarts: ['1712345640000000000'],
      operations: [
        { name: 'Checkout', spanKind: 'server', count: 200, errorCount: 3, rate: 0.0555, errorRate: 0.015, p50Nano: '40000000', p90Nano: '56000000', p99Nano: '750000000', p99Series: ['750000000', null] },
      ],
    });
    expect(stats.operations).toEqual([
      { name: 'Checkout', spanKind: 'server', count: 200, errorCount: 3, rate: 0.0555, errorRate: 0.015, p50: 40e6, p90: 56e6, p99: 750e6, p99Series: [750e6, null] },
    ]);
    expect(stats.bucketNano).toBe(120e9);
  });

  it('decodes a histogram', () => {
    const h = parseLatencyHistogramResponse({
      service: 'orders',
      operation: 'Checkout',
      startTimeUnixNano: '1',
      endTimeUnixNano: '2',
      count: 20,
      errorCount: 1,
      buckets: [
        { lowNano: '0', highNano: '0', count: 3, errorCount: 0 },
        { lowNano: '1003', highNano: '1084', count: 17, errorCount: 1 },
      ],
    });
    expect(h.buckets).toEqual([
      { lowNs: 0, highNs: 0, count: 3, errorCount: 0 },
      { lowNs: 1003, highNs: 1084, count: 17, errorCount: 1 },
    ]);
  });

  it('decodes a heatmap and checks that its grid has the shape of its axes', () => {
    const body = {
      service: 'orders',
      operation: null,
      startTimeUnixNano: '1712345640000000000',
      endTimeUnixNano: '1712345760000000000',
      timeBucketNano: '60000000000',
      timeBuckets: ['1712345640000000000', '1712345700000000000'],
      latencyBuckets: [{ lowNano: '1000', highNano: '1999' }],
      cells: [[4], [0]],
      errorCells: [[1], [0]],
    };
    expect(parseLatencyHeatmapResponse(body)).toMatchObject({
      timeStartsNs: [1712345640000000000n, 1712345700000000000n],
      timeBucketNs: 60000000000n,
      latencyBuckets: [{ lowNs: 1000, highNs: 1999 }],
      counts: [[4], [0]],
      errorCounts: [[1], [0]],
    });
    expect(() => parseLatencyHeatmapResponse({ ...body, cells: [[4]] })).toThrow(ApiError);
    expect(() => parseLatencyHeatmapResponse({ ...body, errorCells: [[1, 2], [0, 0]] })).toThrow(/\$\.errorCells/);
  });

  it('reports an unexpected shape as a bad_response naming the field', () => {
    expect(() => parseSlowSpansResponse({ thresholdNano: 41, spans: [] })).toThrow(/\$\.thresholdNano/);
    expect(() => parseSpansResponse({ spans: [{ ...span, durationNano: '-1' }] })).toThrow(/\$\.spans\[0\]\.durationNano/);
    expect(() => parsePercentilesResponse({ count: -1, errorCount: 0, quantiles: [] })).toThrow(ApiError);
  });
});
