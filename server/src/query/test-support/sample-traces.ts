import { SpanKind, StatusCode, type Span } from '@threadline/shared';
import { buildSpan, resourceOf, str, TRACE_B } from './span-builder.js';

/**
 * Test-only data: trace A is frontend → backend with a failing backend call; trace B,
 * a second later, is a lone backend job. Trace C has a 64-bit (Zipkin) ID.
 */

export const TRACE_C = '0000000000000000a3ce929d0e0e4736';

const frontend = resourceOf('frontend', str('host.name', 'web-1'));
const backend = resourceOf('backend', str('host.name', 'db-1'));

export const TRACE_A_SPANS: readonly Span[] = [
  buildSpan({
    spanId: 'a000000000000001',
    serviceName: 'frontend',
    resource: frontend,
    name: 'GET /orders',
    kind: SpanKind.SERVER,
    attributes: [str('http.method', 'GET'), { key: 'http.status_code', value: { intValue: '500' } }],
    startTimeUnixNano: '1712345678000000000',
    endTimeUnixNano: '1712345678300000000',
  }),
  buildSpan({
    spanId: 'a000000000000002',
    parentSpanId: 'a000000000000001',
    serviceName: 'frontend',
    resource: frontend,
    name: 'orders.Get',
    kind: SpanKind.CLIENT,
    startTimeUnixNano: '1712345678010000000',
    endTimeUnixNano: '1712345678290000000',
  }),
  buildSpan({
    spanId: 'a000000000000003',
    parentSpanId: 'a000000000000002',
    serviceName: 'backend',
    resource: backend,
    name: 'orders.Get',
    kind: SpanKind.SERVER,
    status: { code: StatusCode.ERROR, message: 'db timeout' },
    startTimeUnixNano: '1712345678020000000',
    endTimeUnixNano: '1712345678280000000',
  }),
];

export const TRACE_B_SPANS: readonly Span[] = [
  buildSpan({
    traceId: TRACE_B,
    spanId: 'b000000000000001',
    serviceName: 'backend',
    resource: backend,
    name: 'cleanup',
    kind: SpanKind.INTERNAL,
    startTimeUnixNano: '1712345679000000000',
    endTimeUnixNano: '1712345679005000000',
  }),
];

export const TRACE_C_SPANS: readonly Span[] = [
  buildSpan({
    traceId: TRACE_C,
    spanId: 'c000000000000001',
    serviceName: 'legacy',
    resource: resourceOf('legacy'),
    name: 'poll',
    startTimeUnixNano: '1712345000000000000',
    endTimeUnixNano: '1712345000001000000',
  }),
];

export const ALL_SAMPLE_SPANS: readonly Span[] = [...TRACE_A_SPANS, ...TRACE_B_SPANS, ...TRACE_C_SPANS];
