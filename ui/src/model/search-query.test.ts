import { describe, expect, it } from 'vitest';
import { DEFAULT_SEARCH, MAX_LIMIT, parseSearchParams, searchQueryToParams, type SearchQuery } from './search-query';
import { parseRoute, searchPath, tracePath } from './route';

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
      expect(parseSearchParams(params)).toEqual(query);
    }
  });

  it('round-trips through a whole route', () => {
    const route = parseRoute('/search', searchPath(full).slice('/search'.length));
    expect(route).toEqual({ page: 'search', query: full, submitted: true });
  });

  it('writes repeated tags and leaves out empty fields', () => {
    const text = searchQueryToParams({ ...DEFAULT_SEARCH, tags: ['a=1', 'b=2'] }).toString();
    expect(text).toBe('tag=a%3D1&tag=b%3D2&lookback=1h&limit=20');
  });

  it('falls back to defaults for anything invalid in a pasted URL', () => {
    const query = parseSearchParams(
      new URLSearchParams('lookback=3w&limit=-4&minDuration=fast&maxDuration=2s&tag=novalue&tag==x&errorsOnly=yes'),
    );
    expect(query).toEqual({ ...DEFAULT_SEARCH, maxDuration: '2s' });
    expect(parseSearchParams(new URLSearchParams('limit=999999')).limit).toBe(MAX_LIMIT);
    // A custom range without valid bounds is not a custom range.
    expect(parseSearchParams(new URLSearchParams('lookback=custom&start=abc&end=1')).lookback).toBe(DEFAULT_SEARCH.lookback);
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
});
