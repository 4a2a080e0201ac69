import { describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import { parseJaegerDependencyQuery, parseJaegerTags, parseJaegerTraceSearch } from './jaeger-params.js';

const NOW_NS = 1_712_345_678_000_000_000n;
const HOUR_NS = 3_600_000_000_000n;

const search = (qs: string) => parseJaegerTraceSearch(new URLSearchParams(qs), NOW_NS);

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError && err.status === 400) return err.message;
    throw err;
  }
  throw new Error('expected a 400 AppError');
}

describe('parseJaegerTraceSearch', () => {
  it('parses what Grafana sends', () => {
    const { traceIds, query } = search(
      'service=api&operation=GET%20%2Forders&start=1712345678901234&end=1712345679901234&minDuration=1.2s&maxDuration=1h&limit=50&tags=%7B%22http.status_code%22%3A%22500%22%7D',
    );
    expect(traceIds).toEqual([]);
    expect(query).toEqual({
      service: 'api',
      operation: 'GET /orders',
      startNs: 1712345678901234000n,
      endNs: 1712345679901234000n,
      minDurationNs: 1_200_000_000n,
      maxDurationNs: HOUR_NS,
      limit: 50,
      tags: [{ key: 'http.status_code', value: '500' }],
    });
  });

  it('defaults: no filters, limit 100 as in Jaeger, no time bounds', () => {
    expect(search('')).toEqual({ traceIds: [], query: { tags: [], limit: 100 } });
    expect(search('service=&operation=&tags=&tag=&minDuration=').query).toEqual({ tags: [], limit: 100 });
  });

  it('caps the limit', () => {
    expect(search('limit=100000').query.limit).toBe(1500);
  });

  it('uses lookback only when start is missing', () => {
    expect(search('lookback=1h').query).toMatchObject({ startNs: NOW_NS - HOUR_NS });
    expect(search('lookback=2d&end=1712345678000000').query).toMatchObject({
      startNs: NOW_NS - 48n * HOUR_NS,
      endNs: NOW_NS,
    });
    expect(search('lookback=1h&start=1000').query.startNs).toBe(1_000_000n);
    expect(search('lookback=custom').query.startNs).toBeUndefined();
  });

  it('normalizes traceID parameters (uppercase, 64-bit IDs padded)', () => {
    expect(search('traceID=4BF92F3577B34DA6A3CE929D0E0E4736&traceID=a3ce929d0e0e4736').traceIds).toEqual([
      '4bf92f3577b34da6a3ce929d0e0e4736',
      '0000000000000000a3ce929d0e0e4736',
    ]);
  });

  it.each([
    ['minDuration=12x', 'invalid minDuration "12x": unknown unit "x"; expected a Go duration like 1.2s or 300ms'],
    ['maxDuration=300', 'invalid maxDuration "300": missing unit; expected a Go duration like 1.2s or 300ms'],
    ['minDuration=-1s', 'invalid minDuration "-1s": a duration filter cannot be negative'],
    ['minDuration=2s&maxDuration=1s', 'maxDuration must not be less than minDuration'],
    ['start=yesterday', 'invalid start "yesterday": expected Unix microseconds'],
    ['end=-5', 'invalid end "-5": expected Unix microseconds'],
    ['start=99999999999999999', 'invalid start "99999999999999999": expected Unix microseconds'],
    ['start=2000&end=1000', 'end must not be before start'],
    ['limit=0', 'invalid limit "0": expected a positive integer'],
    ['limit=ten', 'invalid limit "ten": expected a positive integer'],
    ['lookback=forever', 'invalid lookback "forever": expected a duration like 1h, 2d or custom'],
    ['traceID=xyz', 'invalid trace ID "xyz": expected 1 to 32 hex digits, not all zero'],
    ['traceID=00000000', 'invalid trace ID "00000000": expected 1 to 32 hex digits, not all zero'],
    ['tag=novalue', 'invalid tag "novalue": expected key:value'],
    ['tags=%5B1%5D', 'invalid tags "[1]": expected a JSON object of strings like {"http.status_code":"500"}'],
  ])('%s → 400 %j', (qs, message) => {
    expect(badRequestMessage(() => search(qs))).toBe(message);
  });

  it('does not echo a huge parameter whole', () => {
    const message = badRequestMessage(() => search(`minDuration=${'9'.repeat(10_000)}x`));
    expect(message.length).toBeLessThan(200);
  });
});

describe('parseJaegerTags', () => {
  it('takes repeated tag=k:v with colons in the value, and JSON objects; the last value of a key wins', () => {
    expect(
      parseJaegerTags(['http.url:http://x:8080/a', 'peer:one'], ['{"peer":"two","http.status_code":500,"ok":true}']),
    ).toEqual([
      { key: 'http.url', value: 'http://x:8080/a' },
      { key: 'peer', value: 'two' },
      { key: 'http.status_code', value: '500' },
      { key: 'ok', value: 'true' },
    ]);
  });

  it.each(['not json', 'null', '"s"', '{"k":{"nested":1}}', '{"k":null}', '{"":"v"}'])('rejects tags=%s', (json) => {
    expect(() => parseJaegerTags([], [json])).toThrow(AppError);
  });

  it('rejects a tag without a key', () => {
    expect(() => parseJaegerTags([':v'], [])).toThrow('invalid tag ":v": expected key:value');
  });
});

describe('parseJaegerDependencyQuery', () => {
  const deps = (qs: string) => parseJaegerDependencyQuery(new URLSearchParams(qs), NOW_NS);

  it('defaults to the 24 hours before now', () => {
    expect(deps('')).toEqual({ startNs: NOW_NS - 24n * HOUR_NS, endNs: NOW_NS });
  });

  it('reads endTs and lookback in milliseconds, and the service filter', () => {
    expect(deps('endTs=1712345678000&lookback=3600000&service=api')).toEqual({
      startNs: 1712345678000_000_000n - HOUR_NS,
      endNs: 1712345678000_000_000n,
      service: 'api',
    });
  });

  it('clamps a lookback reaching before the epoch', () => {
    expect(deps('endTs=1000&lookback=5000').startNs).toBe(0n);
  });

  it.each([
    ['endTs=now', 'invalid endTs "now": expected Unix milliseconds'],
    ['lookback=1h', 'invalid lookback "1h": expected milliseconds'],
  ])('%s → 400 %j', (qs, message) => {
    expect(badRequestMessage(() => deps(qs))).toBe(message);
  });
});
