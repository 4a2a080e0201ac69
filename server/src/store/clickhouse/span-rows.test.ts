import { describe, expect, it } from 'vitest';
import { StatusCode, type Span } from '@threadline/shared';
import { parseJsonText } from '../sqlite/span-json.js';
import { StoreInputError } from '../sqlite/store-input-error.js';
import { ZERO_BUCKET } from './schema.js';
import { buildSpanBatchRows } from './span-rows.js';

function span(overrides: Partial<Span> = {}): Span {
  return {
    traceId: 'a'.repeat(32), spanId: '1'.repeat(16), parentSpanId: '', traceState: '', flags: 0, name: 'GET /', kind: 2,
    startTimeUnixNano: '1000', endTimeUnixNano: '1500', attributes: [{ key: 'http.status', value: { doubleValue: Number.NaN } }],
    droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
    status: { code: StatusCode.ERROR, message: 'boom' },
    resource: { attributes: [{ key: 'host.name', value: { stringValue: 'h1' } }], droppedAttributesCount: 0 },
    scope: { name: 'lib', version: '1', attributes: [], droppedAttributesCount: 0 }, serviceName: 'web',
    ...overrides,
  };
}

describe('buildSpanBatchRows', () => {
  it('makes a row per span with its search tags (own, derived, resource), a trace-index row per trace, and the operations', () => {
    const rows = buildSpanBatchRows([span(), span({ spanId: '2'.repeat(16), startTimeUnixNano: '900', endTimeUnixNano: '900', status: { code: StatusCode.UNSET, message: '' } })]);
    const [first, second] = rows.spans;
    expect(first).toMatchObject({ trace_id: 'a'.repeat(32), service: 'web', name: 'GET /', kind: 2, start_ns: '1000', duration_ns: '500', is_error: 1 });
    const tags = first!.tag_keys.map((k, i) => `${k}=${first!.tag_values[i]}`);
    expect(tags).toEqual(expect.arrayContaining(['http.status=NaN', 'span.kind=server', 'error=true', 'otel.status_code=ERROR', 'otel.status_description=boom', 'otel.scope.name=lib', 'host.name=h1']));
    expect(second!.latency_bucket).toBe(ZERO_BUCKET);
    // The stored JSON keeps NaN.
    expect(Number.isNaN(parseJsonText<Span>(first!.span).attributes[0]!.value.doubleValue)).toBe(true);
    expect(rows.traces).toEqual([{ trace_id: 'a'.repeat(32), first_start_ns: '900', last_start_ns: '1000' }]);
    expect(rows.operations).toEqual([{ service: 'web', name: 'GET /', kind: 2 }]);
  });

  it('refuses the whole batch when one span is malformed', () => {
    expect(() => buildSpanBatchRows([span(), span({ endTimeUnixNano: '10' })])).toThrow(StoreInputError);
  });
});
