import { SpanKind, StatusCode, type KeyValue, type Span } from '@threadline/shared';

/** Test-only: a valid span with every field set, overridable piecemeal. */

export const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

export function str(key: string, value: string): KeyValue {
  return { key, value: { stringValue: value } };
}

export function resourceOf(service: string, ...extra: KeyValue[]): Span['resource'] {
  return { attributes: [str('service.name', service), ...extra], droppedAttributesCount: 0 };
}

export function buildSpan(overrides: Partial<Span> & Pick<Span, 'spanId'>): Span {
  const serviceName = overrides.serviceName ?? 'frontend';
  return {
    traceId: TRACE_A,
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'GET /orders',
    kind: SpanKind.SERVER,
    startTimeUnixNano: '1712345678901234567',
    endTimeUnixNano: '1712345678951234567',
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.UNSET, message: '' },
    resource: resourceOf(serviceName),
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    serviceName,
    ...overrides,
  };
}
