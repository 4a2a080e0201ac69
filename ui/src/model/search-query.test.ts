import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH, MAX_LIMIT, parseSearchParams, searchQueryToParams, type SearchQuery } from './search-query';
import { comparePath, dependenciesPath, parseRoute, searchPath, tracePath } from './route';

const full: SearchQuery = {
  service: 'checkout',
  operation: 'POST /cart',
  tags: ['http.status_code=500', 'region=eu=west'],
  lookback: 'custom',
  start: '1712345678000000000',
  end: '1712349278000000000',
  minDuration: '120ms',
  maxDuration: '1.5s',
  errorsOnly: true,
  limit: 50,
};

describe('search URL state', () => {
  it('round-trips through URL parameters', () => {
    for (const query of [full, { ...DEFAULT_SEARCH }, { ...DEFAULT_SEARCH, service: 'a b&c', lookback: '2d' as const }]) {
      const params = new URLSearchParams(searchQueryToParams(query).toString());
      expect(parseSearchParams(params)).toEqual({ query, notices: [] });
    }
  });

  it('round-trips through a whole route', () => {
    const route = parseRoute('/search', searchPath(full).slice('/search'.length));
    expect(route).toEqual({ page: 'search', query: full, submitted: true, notices: [], sort: 'recent' });
    expect(parseRoute('/search', searchPath(full, 'longest').slice('/search'.length))).toMatchObject({ query: full, sort: 'longest', notices: [] });
  });

  it('writes repeated tags and leaves out empty fields', () => {
    const text = searchQueryToParams({ ...DEFAULT_SEARCH, tags: ['a=1', 'b=2'] }).toString();
    expect(text).toBe('tag=a%3D1&tag=b%3D2&lookback=1h&limit=20');
  });

  it('falls back to defaults for anything invalid in a pasted URL, with a notice for each', () => {
    const { query, notices } = parseSearchParams(
      new URLSearchParams('lookback=3x&limit=-4&minDuration=fast&maxDuration=2s&tag=novalue&tag==x&errorsOnly=yes&spanKind=server'),
    );
    expect(query).toEqual({ ...DEFAULT_SEARCH, maxDuration: '2s' });
    expect(notices).toHaveLength(7);
    expect(notices.join('\n')).toMatch(/lookback=3x[\s\S]*minDuration=fast[\s\S]*limit=-4/);
    expect(notices.join('\n')).toContain('spanKind=server');
    expect(parseSearchParams(new URLSearchParams('limit=999999')).query.limit).toBe(MAX_LIMIT);
    expect(parseSearchParams(new URLSearchParams('limit=999999')).notices).toHaveLength(1);
    // A custom range without valid bounds is not a custom range.
    expect(parseSearchParams(new URLSearchParams('lookback=custom&start=abc&end=1')).query.lookback).toBe(DEFAULT_SEARCH.lookback);
  });
});

describe('Jaeger UI search links', () => {
  it('reads tags as JSON, start/end in microseconds, and Jaeger\'s tag=k:v', () => {
    const { query, notices } = parseSearchParams(
      new URLSearchParams(
        'service=checkout&operation=GET&tags=' +
          encodeURIComponent('{"http.status_code":"500","error":true,"retries":3}') +
          '&tag=region:eu&start=1712345678000000&end=1712349278000000&lookback=custom&limit=40&minDuration=1.2s&maxDuration=3s',
      ),
    );
    expect(notices).toEqual([]);
    expect(query).toEqual({
      ...DEFAULT_SEARCH,
      service: 'checkout',
      operation: 'GET',
      tags: ['region=eu', 'http.status_code=500', 'error=true', 'retries=3'],
      lookback: 'custom',
      start: '1712345678000000000',
      end: '1712349278000000000',
      minDuration: '1.2s',
      maxDuration: '3s',
      limit: 40,
    });
  });

  it('keeps the absolute window Jaeger links carry besides a relative lookback', () => {
    const { query, notices } = parseSearchParams(new URLSearchParams('lookback=2h&start=1712345678000000&end=1712349278000000'));
    expect(query).toMatchObject({ lookback: 'custom', start: '1712345678000000000', end: '1712349278000000000' });
    expect(notices).toEqual([]);
  });

  it('maps a Jaeger-only lookback to the smallest covering one, and says so', () => {
    expect(parseSearchParams(new URLSearchParams('lookback=3h'))).toMatchObject({ query: { lookback: '6h' }, notices: [expect.stringContaining('lookback=3h')] });
    expect(parseSearchParams(new URLSearchParams('lookback=7d')).query.lookback).toBe('2d');
    expect(parseSearchParams(new URLSearchParams('lookback=12h')).query.lookback).toBe('24h');
  });

  it('reports tags that are not a JSON object and times that are not a range', () => {
    expect(parseSearchParams(new URLSearchParams('tags=nope')).notices).toEqual([expect.stringContaining('not JSON')]);
    expect(parseSearchParams(new URLSearchParams('tags=[1]')).notices).toEqual([expect.stringContaining('not a JSON object')]);
    expect(parseSearchParams(new URLSearchParams('tags={"a":{"b":1}}')).notices).toEqual([expect.stringContaining('"a"')]);
    const reversed = parseSearchParams(new URLSearchParams('start=1712349278000000&end=1712345678000000'));
    expect(reversed.query.lookback).toBe(DEFAULT_SEARCH.lookback);
    expect(reversed.notices).toEqual([expect.stringContaining('not a time range')]);
    expect(parseSearchParams(new URLSearchParams('traceID=abc')).notices).toEqual([expect.stringContaining('traceID=abc')]);
  });
});

describe('routes', () => {
  it('parses the fixed public routes', () => {
    expect(parseRoute('/search', '')).toMatchObject({ page: 'search', submitted: false });
    expect(parseRoute('/', '')).toMatchObject({ page: 'search' });
    expect(parseRoute('/trace/4BF92F3577B34DA6A3CE929D0E0E4736', '?span=00F067AA0BA902B7')).toEqual({
      page: 'trace',
      source: { kind: 'server', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
      spanId: '00f067aa0ba902b7',
      skew: 'adjusted',
      find: '',
      tab: 'waterfall',
    });
  });

  it('pads short (Zipkin 64-bit) trace IDs and rejects non-hex ones', () => {
    expect(parseRoute('/trace/abc', '')).toMatchObject({ source: { traceId: '0'.repeat(29) + 'abc' } });
    expect(parseRoute('/trace/not-hex', '')).toMatchObject({ page: 'not-found' });
    // A malformed escape in a pasted address is a not-found page, not an exception that leaves the app blank.
    expect(parseRoute('/trace/%E0%A4%A', '')).toEqual({ page: 'not-found', message: '"%E0%A4%A" is not a trace ID (up to 32 hex digits).' });
    expect(parseRoute('/compare/%E0/abc', '')).toMatchObject({ page: 'not-found' });
    expect(parseRoute('/nope', '')).toMatchObject({ page: 'not-found' });
  });

  it('round-trips trace links including span and skew mode', () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    const path = tracePath(id, '00f067aa0ba902b7', 'raw', { find: 'deadlock detected', tab: 'stats' });
    expect(path).toBe(`/trace/${id}?span=00f067aa0ba902b7&skew=raw&uiFind=deadlock+detected&tab=stats`);
    const [pathname, search] = path.split('?');
    expect(parseRoute(pathname!, `?${search}`)).toEqual({
      page: 'trace',
      source: { kind: 'server', traceId: id },
      spanId: '00f067aa0ba902b7',
      skew: 'raw',
      find: 'deadlock detected',
      tab: 'stats',
    });
    expect(parseRoute(pathname!, '?tab=bogus')).toMatchObject({ tab: 'waterfall', find: '' });
    expect(tracePath({ kind: 'local' })).toBe('/trace/local');
    expect(parseRoute('/trace/local', '?span=01')).toMatchObject({ source: { kind: 'local' }, spanId: '0000000000000001' });
  });

  it('parses compare and dependency graph routes', () => {
    const a = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(parseRoute(comparePath(a, 'ABC'), '')).toEqual({ page: 'compare', a, b: '0'.repeat(29) + 'abc' });
    expect(parseRoute('/compare/xyz/abc', '')).toMatchObject({ page: 'not-found' });
    const path = dependenciesPath({ window: '6h', start: '', end: '' });
    expect(path).toBe('/dependencies?window=6h');
    expect(parseRoute('/dependencies', '?window=6h')).toEqual({ page: 'dependencies', window: { window: '6h', start: '', end: '' } });
  });
});
