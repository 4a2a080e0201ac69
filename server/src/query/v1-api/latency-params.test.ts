import { describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import {
  DEFAULT_QUANTILES,
  parseDurationBox,
  parseIntegerParam,
  parseLatencyScope,
  parsePercentile,
  parseQuantiles,
  parseSpanListFilters,
} from './latency-params.js';
import { thrownBy } from '../../test-support/thrown-by.js';

const p = (qs: string) => new URLSearchParams(qs);
const failure = (run: () => unknown) => thrownBy(run, AppError);
const NOW = 1712345678000000000n;
const HOUR = 3_600_000_000_000n;

describe('parseLatencyScope', () => {
  it('defaults to the last hour up to now', () => {
    expect(parseLatencyScope(p('service=api'), NOW)).toEqual({ service: 'api', startNs: NOW - HOUR, endNs: NOW });
    expect(parseLatencyScope(p('service=api&end=5000000000000000'), NOW).startNs).toBe(5000000000000000n - HOUR);
  });

  it('takes operation, span kind and a window in nanoseconds', () => {
    expect(parseLatencyScope(p('service=api&operation=GET+%2Fx&spanKind=server&start=10&end=20'), NOW)).toEqual({
      service: 'api',
      operation: 'GET /x',
      spanKind: 'server',
      startNs: 10n,
      endNs: 20n,
    });
  });

  it.each([
    ['', 'service is required'],
    ['service=api&start=20&end=10', 'end must not be before start'],
    ['service=api&start=1.5', 'invalid start "1.5": expected Unix nanoseconds'],
    ['service=api&spanKind=SERVER', /invalid spanKind "SERVER"/],
  ])('%j → 400', (qs, message) => {
    const err = failure(() => parseLatencyScope(p(qs), NOW));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });
});

describe('parseQuantiles and parsePercentile', () => {
  it('reads lists and repeats, in order, with a default', () => {
    expect(parseQuantiles(p(''))).toEqual(DEFAULT_QUANTILES);
    expect(parseQuantiles(p('q=0.99,0.5&q=1&q=0'))).toEqual([0.99, 0.5, 1, 0]);
    expect(parsePercentile(p(''))).toBe(0.99);
    expect(parsePercentile(p('percentile=99.9'))).toBeCloseTo(0.999, 12);
  });

  it.each(['q=1.5', 'q=-0.1', 'q=abc', 'q=1e-3', `q=${Array(33).fill('0.5').join(',')}`])('refuses %s', (qs) => {
    expect(failure(() => parseQuantiles(p(qs))).status).toBe(400);
  });

  it.each(['percentile=0', 'percentile=101', 'percentile=p99'])('refuses %s', (qs) => {
    expect(failure(() => parsePercentile(p(qs))).message).toMatch(/invalid percentile/);
  });
});

describe('span list parameters', () => {
  it('reads tags, errorsOnly and paging', () => {
    expect(parseSpanListFilters(p('tag=http.route=/a&tags=region=eu&errorsOnly=true&limit=5000&offset=10&cursor=12.3'))).toEqual({
      tags: [
        { key: 'region', value: 'eu' },
        { key: 'http.route', value: '/a' },
      ],
      errorsOnly: true,
      limit: 1000,
      offset: 10,
      cursor: '12.3',
    });
    expect(parseSpanListFilters(p(''))).toEqual({ tags: [], errorsOnly: false, limit: 50, offset: 0 });
  });

  it('takes durations as Go durations or whole nanoseconds', () => {
    expect(parseDurationBox(p('minDuration=1.5ms&maxDuration=2000000'))).toEqual({
      minDurationNs: 1_500_000n,
      maxDurationNs: 2_000_000n,
    });
    expect(parseDurationBox(p(''))).toEqual({ minDurationNs: 0n });
    expect(failure(() => parseDurationBox(p('minDuration=2s&maxDuration=1s'))).message).toMatch(/maxDuration/);
    expect(failure(() => parseDurationBox(p('minDuration=soon'))).message).toMatch(/invalid minDuration/);
  });

  it('bounds integers', () => {
    const rule = { defaultValue: 30, min: 1, max: 500 };
    expect(parseIntegerParam(p(''), 'buckets', rule)).toBe(30);
    expect(failure(() => parseIntegerParam(p('buckets=0'), 'buckets', rule)).message).toBe(
      'invalid buckets "0": expected an integer from 1 to 500',
    );
    expect(failure(() => parseSpanListFilters(p('offset=-1'))).message).toMatch(/invalid offset/);
  });
});
