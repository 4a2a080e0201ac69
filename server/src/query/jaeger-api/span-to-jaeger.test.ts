import { describe, expect, it } from 'vitest';
import { SpanKind, StatusCode, type JaegerTag, type Span } from '@threadline/shared';
import { buildSpan, resourceOf, str, TRACE_A, TRACE_B } from '../test-support/span-builder.js';
import { toJaegerTrace } from './span-to-jaeger.js';

const ROOT = 'a000000000000001';
const CHILD = 'a000000000000002';

function onlySpan(span: Span) {
  const [converted] = toJaegerTrace(span.traceId, [span]).spans;
  if (!converted) throw new Error('no span converted');
  return converted;
}

function tag(tags: readonly JaegerTag[], key: string): JaegerTag | undefined {
  return tags.find((t) => t.key === key);
}

describe('toJaegerTrace', () => {
  it('converts nanoseconds to microseconds exactly, truncating like Jaeger', () => {
    const span = onlySpan(
      buildSpan({ spanId: ROOT, startTimeUnixNano: '1712345678901234567', endTimeUnixNano: '1712345678951235566' }),
    );
    expect(span.startTime).toBe(1712345678901234);
    // (951235566 - 901234567) ns = 50000999 ns → 50000 µs (not 951235 - 901234 = 50001)
    expect(span.duration).toBe(50000);
  });

  it('maps the basic identity fields', () => {
    const span = onlySpan(buildSpan({ spanId: ROOT, name: 'GET /orders', flags: 0x301 }));
    expect(span).toMatchObject({ traceID: TRACE_A, spanID: ROOT, operationName: 'GET /orders', flags: 1, processID: 'p1' });
    expect(span.references).toEqual([]);
    expect(span.logs).toEqual([]);
    expect(span.warnings).toBeNull();
  });

  it('makes one process per distinct resource, named p1, p2… in order of appearance', () => {
    const api1 = resourceOf('api', str('host.name', 'h1'));
    const api2 = resourceOf('api', str('host.name', 'h2'));
    const db = resourceOf('db');
    const trace = toJaegerTrace(TRACE_A, [
      buildSpan({ spanId: 'b000000000000001', serviceName: 'api', resource: api1, startTimeUnixNano: '100' }),
      buildSpan({ spanId: 'b000000000000002', serviceName: 'db', resource: db, startTimeUnixNano: '200' }),
      buildSpan({ spanId: 'b000000000000003', serviceName: 'api', resource: api2, startTimeUnixNano: '300' }),
      // Same attributes as api1 in another order: the same process.
      buildSpan({
        spanId: 'b000000000000004',
        serviceName: 'api',
        resource: { attributes: [str('host.name', 'h1'), str('service.name', 'api')], droppedAttributesCount: 0 },
        startTimeUnixNano: '400',
      }),
    ]);
    expect(trace.processes).toEqual({
      p1: { serviceName: 'api', tags: [{ key: 'host.name', type: 'string', value: 'h1' }] },
      p2: { serviceName: 'db', tags: [] },
      p3: { serviceName: 'api', tags: [{ key: 'host.name', type: 'string', value: 'h2' }] },
    });
    expect(trace.spans.map((s) => s.processID)).toEqual(['p1', 'p2', 'p3', 'p1']);
    expect(trace.traceID).toBe(TRACE_A);
    expect(trace.warnings).toBeNull();
  });

  it('sorts spans by start time, keeping input order on ties', () => {
    const trace = toJaegerTrace(TRACE_A, [
      buildSpan({ spanId: 'c000000000000003', startTimeUnixNano: '1712345678901234569' }),
      buildSpan({ spanId: 'c000000000000001', startTimeUnixNano: '1712345678901234567' }),
      buildSpan({ spanId: 'c000000000000004', startTimeUnixNano: '1712345678901234569' }),
      buildSpan({ spanId: 'c000000000000002', startTimeUnixNano: '1712345678901234568' }),
    ]);
    expect(trace.spans.map((s) => s.spanID)).toEqual([
      'c000000000000001',
      'c000000000000002',
      'c000000000000003',
      'c000000000000004',
    ]);
  });

  it('references the parent with CHILD_OF and links with FOLLOWS_FROM, parent first', () => {
    const link = (traceId: string, spanId: string, attributes = [] as Span['attributes']) => ({
      traceId,
      spanId,
      traceState: '',
      attributes,
      droppedAttributesCount: 0,
      flags: 0,
    });
    const trace = toJaegerTrace(TRACE_A, [
      buildSpan({ spanId: ROOT }),
      buildSpan({
        spanId: CHILD,
        parentSpanId: ROOT,
        links: [link(TRACE_B, 'd000000000000001'), link(TRACE_B, 'd000000000000002', [str('opentracing.ref_type', 'child_of')])],
      }),
    ]);
    expect(trace.spans[1]?.references).toEqual([
      { refType: 'CHILD_OF', traceID: TRACE_A, spanID: ROOT },
      { refType: 'FOLLOWS_FROM', traceID: TRACE_B, spanID: 'd000000000000001' },
      { refType: 'CHILD_OF', traceID: TRACE_B, spanID: 'd000000000000002' },
    ]);
    expect(trace.spans[1]?.warnings).toBeNull();
  });

  it('lets a link to the parent set the parent reference type instead of repeating it', () => {
    const span = buildSpan({
      spanId: CHILD,
      parentSpanId: ROOT,
      links: [{ traceId: TRACE_A, spanId: ROOT, traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 }],
    });
    const trace = toJaegerTrace(TRACE_A, [buildSpan({ spanId: ROOT }), span]);
    expect(trace.spans[1]?.references).toEqual([{ refType: 'FOLLOWS_FROM', traceID: TRACE_A, spanID: ROOT }]);
  });

  it('warns on a span whose parent is not in the trace', () => {
    const span = onlySpan(buildSpan({ spanId: CHILD, parentSpanId: 'ffffffffffffffff' }));
    expect(span.references).toEqual([{ refType: 'CHILD_OF', traceID: TRACE_A, spanID: 'ffffffffffffffff' }]);
    expect(span.warnings).toEqual([
      'parent span ID=ffffffffffffffff is not in the trace; it may have been dropped or not exported yet',
    ]);
  });

  it('gives every attribute value type its Jaeger tag type', () => {
    const span = onlySpan(
      buildSpan({
        spanId: ROOT,
        attributes: [
          str('s', 'text'),
          { key: 'b', value: { boolValue: false } },
          { key: 'i', value: { intValue: '42' } },
          { key: 'neg', value: { intValue: '-9007199254740991' } },
          { key: 'big', value: { intValue: '9007199254740993' } },
          { key: 'min', value: { intValue: '-9223372036854775808' } },
          { key: 'd', value: { doubleValue: 0.25 } },
          { key: 'nan', value: { doubleValue: Number.NaN } },
          { key: 'bin', value: { bytesValue: 'AQID' } },
          {
            key: 'arr',
            value: { arrayValue: { values: [{ stringValue: 'a"b' }, { intValue: '9007199254740993' }, { boolValue: true }, {}] } },
          },
          {
            key: 'map',
            value: { kvlistValue: { values: [{ key: 'k', value: { doubleValue: 1.5 } }, { key: 'n', value: { arrayValue: { values: [] } } }] } },
          },
          { key: 'empty', value: {} },
        ],
      }),
    );
    expect(span.tags.slice(0, 12)).toEqual([
      { key: 's', type: 'string', value: 'text' },
      { key: 'b', type: 'bool', value: false },
      { key: 'i', type: 'int64', value: 42 },
      { key: 'neg', type: 'int64', value: -9007199254740991 },
      { key: 'big', type: 'int64', value: '9007199254740993' },
      { key: 'min', type: 'int64', value: '-9223372036854775808' },
      { key: 'd', type: 'float64', value: 0.25 },
      { key: 'nan', type: 'float64', value: 'NaN' },
      { key: 'bin', type: 'binary', value: 'AQID' },
      { key: 'arr', type: 'string', value: '["a\\"b",9007199254740993,true,null]' },
      { key: 'map', type: 'string', value: '{"k":1.5,"n":[]}' },
      { key: 'empty', type: 'string', value: '' },
    ]);
  });

  it('adds the tags Jaeger derives from scope, kind, status and trace state, after the attributes', () => {
    const span = onlySpan(
      buildSpan({
        spanId: ROOT,
        kind: SpanKind.CLIENT,
        attributes: [str('http.method', 'GET')],
        scope: { name: 'net/http', version: '0.49.0', attributes: [], droppedAttributesCount: 0 },
        status: { code: StatusCode.ERROR, message: 'connection refused' },
        traceState: 'vendor=abc',
        droppedAttributesCount: 3,
        droppedEventsCount: 1,
      }),
    );
    expect(span.tags).toEqual([
      { key: 'otel.scope.name', type: 'string', value: 'net/http' },
      { key: 'otel.scope.version', type: 'string', value: '0.49.0' },
      { key: 'http.method', type: 'string', value: 'GET' },
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: 'otel.status_code', type: 'string', value: 'ERROR' },
      { key: 'error', type: 'bool', value: true },
      { key: 'otel.status_description', type: 'string', value: 'connection refused' },
      { key: 'w3c.tracestate', type: 'string', value: 'vendor=abc' },
      { key: 'otel.dropped_attributes_count', type: 'int64', value: 3 },
      { key: 'otel.dropped_events_count', type: 'int64', value: 1 },
    ]);
  });

  it.each([
    [SpanKind.UNSPECIFIED, undefined],
    [SpanKind.INTERNAL, 'internal'],
    [SpanKind.SERVER, 'server'],
    [SpanKind.CLIENT, 'client'],
    [SpanKind.PRODUCER, 'producer'],
    [SpanKind.CONSUMER, 'consumer'],
  ] as const)('span kind %d → span.kind=%s', (kind, expected) => {
    expect(tag(onlySpan(buildSpan({ spanId: ROOT, kind })).tags, 'span.kind')?.value).toBe(expected);
  });

  it('marks OK status without an error tag, and unset status with neither', () => {
    const ok = onlySpan(buildSpan({ spanId: ROOT, status: { code: StatusCode.OK, message: '' } }));
    expect(tag(ok.tags, 'otel.status_code')?.value).toBe('OK');
    expect(tag(ok.tags, 'error')).toBeUndefined();
    const unset = onlySpan(buildSpan({ spanId: ROOT }));
    expect(tag(unset.tags, 'otel.status_code')).toBeUndefined();
  });

  it('lets an error status replace an `error` attribute rather than duplicate it', () => {
    const span = onlySpan(
      buildSpan({ spanId: ROOT, attributes: [str('error', 'maybe')], status: { code: StatusCode.ERROR, message: '' } }),
    );
    expect(span.tags.filter((t) => t.key === 'error')).toEqual([{ key: 'error', type: 'bool', value: true }]);
  });

  it('turns events into logs with the name as the `event` field', () => {
    const span = onlySpan(
      buildSpan({
        spanId: ROOT,
        events: [
          { timeUnixNano: '1712345678901234999', name: 'retry', attributes: [{ key: 'attempt', value: { intValue: '2' } }], droppedAttributesCount: 0 },
          { timeUnixNano: '1712345678901235000', name: 'ignored', attributes: [str('event', 'custom')], droppedAttributesCount: 0 },
          { timeUnixNano: '1712345678901236000', name: '', attributes: [], droppedAttributesCount: 0 },
        ],
      }),
    );
    expect(span.logs).toEqual([
      {
        timestamp: 1712345678901234,
        fields: [
          { key: 'event', type: 'string', value: 'retry' },
          { key: 'attempt', type: 'int64', value: 2 },
        ],
      },
      { timestamp: 1712345678901235, fields: [{ key: 'event', type: 'string', value: 'custom' }] },
      { timestamp: 1712345678901236, fields: [] },
    ]);
  });
});
