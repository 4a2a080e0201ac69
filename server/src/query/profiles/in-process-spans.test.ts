import { SpanKind, stringAttr, type Span } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { testSpan } from '../../store/sqlite/test-spans.js';
import { buildInProcessSpans } from './in-process-spans.js';

function span(spanId: string, parentSpanId: string, service: string, kind: Span['kind']): Span {
  return { ...testSpan({ spanId, parentSpanId, kind }), serviceName: service, resource: { attributes: [stringAttr('service.name', service)], droppedAttributesCount: 0 } };
}

// api server → api internal → api client → db server (other process); api internal → api server (a call to itself)
const trace = [
  span('a', '', 'api', SpanKind.SERVER),
  span('b', 'a', 'api', SpanKind.INTERNAL),
  span('c', 'b', 'api', SpanKind.CLIENT),
  span('d', 'c', 'db', SpanKind.SERVER),
  span('e', 'b', 'api', SpanKind.SERVER),
];

describe('buildInProcessSpans', () => {
  it('takes the span and its descendants in the same process, not a remote or re-entrant server span', () => {
    expect(buildInProcessSpans(trace, 'a')).toEqual({ spanIds: ['a', 'b', 'c'], labeledSpanId: 'a' });
  });

  it('names the nearest local root or server span as the one whose labels cover a child', () => {
    expect(buildInProcessSpans(trace, 'c')).toEqual({ spanIds: ['c'], labeledSpanId: 'a' });
    expect(buildInProcessSpans(trace, 'd')).toEqual({ spanIds: ['d'], labeledSpanId: 'd' });
  });

  it('is undefined for a span not in the trace', () => {
    expect(buildInProcessSpans(trace, 'z')).toBeUndefined();
  });
});
