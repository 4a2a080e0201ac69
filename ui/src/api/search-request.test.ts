import { describe, expect, it } from 'vitest';
import { toSearchApiParams } from './search-request';
import { DEFAULT_SEARCH } from '../model/search-query';

describe('search API parameters', () => {
  const now = Date.UTC(2024, 3, 5, 12, 0, 0);

  it('resolves a relative lookback against now, in nanoseconds', () => {
    const params = toSearchApiParams({ ...DEFAULT_SEARCH, service: 'api', lookback: '15m' }, now);
    expect(params.get('end')).toBe(`${now}000000`);
    expect(params.get('start')).toBe(`${now - 15 * 60_000}000000`);
    expect(params.get('service')).toBe('api');
    expect(params.has('operation')).toBe(false);
  });

  it('passes a custom range, tags, durations and flags through', () => {
    const params = toSearchApiParams(
      { ...DEFAULT_SEARCH, lookback: 'custom', start: '1', end: '2', tags: ['a=1', 'b=x=y'], minDuration: '120ms', maxDuration: '1.5s', errorsOnly: true, limit: 7 },
      now,
    );
    expect(params.toString()).toBe('tag=a%3D1&tag=b%3Dx%3Dy&start=1&end=2&minDuration=120ms&maxDuration=1.5s&errorsOnly=true&limit=7');
  });
});
