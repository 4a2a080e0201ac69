import { describe, expect, it } from 'vitest';
import { toHeatmapParams, toHistogramParams, toOperationStatsParams, toPercentilesParams, toSlowSpansParams, toSpansParams } from './latency-requests';
import { DEFAULT_SLOW_QUERY } from '../model/slow-query';

const window = { startNs: '1000', endNs: '2000' };

describe('latency API parameters', () => {
  it('asks for percentiles as exact quantiles, every operation when none is chosen', () => {
    expect(toPercentilesParams('orders', '', window, ['50', '99', '99.9']).toString()).toBe('service=orders&start=1000&end=2000&q=0.5%2C0.99%2C0.999');
  });

  it('passes the percentile search through, with its cursor', () => {
    const query = { ...DEFAULT_SLOW_QUERY, service: 'orders', operation: 'GET /x', percentile: '99.9', tags: ['a=1', 'b=c=d'], errorsOnly: true };
    expect(toSlowSpansParams(query, window, 50, 'c1').toString()).toBe(
      'service=orders&operation=GET+%2Fx&start=1000&end=2000&percentile=99.9&tag=a%3D1&tag=b%3Dc%3Dd&errorsOnly=true&limit=50&cursor=c1',
    );
  });

  it('asks for the spans of a selection with its exact bounds', () => {
    const selection = { startNs: '1100', endNs: '1199', minNs: '1003', maxNs: '1084' };
    expect(toSpansParams('orders', 'Checkout', selection, false, 50, null).toString()).toBe(
      'service=orders&operation=Checkout&start=1100&end=1199&minDuration=1003&maxDuration=1084&limit=50',
    );
  });

  it('sizes the charts', () => {
    expect(toOperationStatsParams('orders', window).toString()).toBe('service=orders&start=1000&end=2000&buckets=30');
    expect(toHistogramParams('orders', 'op', window).get('buckets')).toBe('40');
    const heatmap = toHeatmapParams('orders', 'op', window);
    expect([heatmap.get('timeBuckets'), heatmap.get('latencyBuckets')]).toEqual(['60', '32']);
  });
});
