import { describe, expect, it } from 'vitest';
import { parseDependenciesResponse, parseOperationsResponse, parseSearchResponse, parseServicesResponse } from './decode-responses';
import { ApiError } from './api-error';

describe('API response decoding', () => {
  it('decodes services and operations', () => {
    expect(parseServicesResponse({ services: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(parseOperationsResponse({ operations: [{ name: 'GET', spanKind: 'server' }, { name: 'x' }] })).toEqual([
      { name: 'GET', spanKind: 'server' },
      { name: 'x', spanKind: '' },
    ]);
  });

  it('decodes search hits, keeping nanoseconds as strings', () => {
    const hit = {
      traceId: 'abc',
      rootService: 'a',
      rootOperation: 'GET',
      startTimeUnixNano: '1712345678901234567',
      durationNano: '1500000',
      spanCount: 3,
      errorCount: 1,
      services: ['a', 'b'],
    };
    expect(parseSearchResponse({ traces: [hit] })).toEqual([hit]);
  });

  it('decodes Jaeger dependency links', () => {
    const data = [{ parent: 'web', child: 'db', callCount: 12 }];
    expect(parseDependenciesResponse({ data, total: 0, limit: 0, offset: 0, errors: null })).toEqual(data);
    expect(() => parseDependenciesResponse({ data: [{ parent: 'web' }] })).toThrow(ApiError);
  });

  it('reports an unexpected shape as a bad_response ApiError', () => {
    const attempt = (): unknown => parseSearchResponse({ traces: [{ traceId: 1 }] });
    expect(attempt).toThrow(ApiError);
    expect(attempt).toThrow(/\$\.traces\[0\]\.traceId/);
  });
});
