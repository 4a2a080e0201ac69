import type { Span } from '@threadline/shared';

let counter = 0;

/** A valid span with overridable fields; IDs are unique per call. Tests only. */
export function makeSpan(overrides: Partial<Span> = {}): Span {
  counter++;
  const hex = counter.toString(16).padStart(16, '0');
  return {
    traceId: `${hex}${hex}`,
    spanId: hex,
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'GET /orders',
    kind: 2,
    startTimeUnixNano: '1712345678901234567',
    endTimeUnixNano: '1712345678951234567',
    attributes: [{ key: 'http.method', value: { stringValue: 'GET' } }],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], droppedAttributesCount: 0 },
    scope: { name: 'test', version: '1.0.0', attributes: [], droppedAttributesCount: 0 },
    serviceName: 'api',
    ...overrides,
  };
}
