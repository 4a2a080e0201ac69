import { describe, expect, it } from 'vitest';
import { parseDependenciesResponse, parseOperationsResponse, parseSearchResponse, parseServicesResponse, parseTraceResponse } from './decode-responses';
import { anyValueToString } from '@threadline/shared';
import { ApiError } from './api-error';
import { makeSpan } from '../model/fixtures/make-span';

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

  it('decodes a trace and fills OTLP defaults', () => {
    const span = makeSpan({ id: 'r', start: 0, end: 1 });
    const { events: _e, links: _l, ...sparse } = span;
    const decoded = parseTraceResponse({ traceId: span.traceId, spans: [sparse] });
    expect(decoded.spans[0]).toEqual(span);
  });

  it('decodes non-finite doubles spelled as OTLP JSON strings, and shows them', () => {
    const span = makeSpan({ id: 'a', start: 0, end: 1 });
    const values = ['NaN', 'Infinity', '-Infinity', '2.5e3', 0.25];
    const wire = { ...span, attributes: values.map((v, i) => ({ key: `d${i}`, value: { doubleValue: v } })) };
    const decoded = parseTraceResponse({ traceId: span.traceId, spans: [wire] }).spans[0]!.attributes.map((kv) => kv.value.doubleValue);
    expect(decoded).toEqual([Number.NaN, Infinity, -Infinity, 2500, 0.25]);
    expect(decoded.map((d) => anyValueToString({ doubleValue: d }))).toEqual(['NaN', 'Infinity', '-Infinity', '2500', '0.25']);
    for (const bad of ['fast', '', true]) {
      const attempt = (): unknown => parseTraceResponse({ traceId: span.traceId, spans: [{ ...span, attributes: [{ key: 'd', value: { doubleValue: bad } }] }] });
      expect(attempt).toThrow(/doubleValue/);
    }
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
    expect(() => parseTraceResponse({ traceId: 'x', spans: [{ traceId: 'x', spanId: 'y', startTimeUnixNano: 12.5 }] })).toThrow(ApiError);
  });
});
