import { describe, expect, it } from 'vitest';
import { SpanKind, StatusCode, UNKNOWN_SERVICE } from '@threadline/shared';
import { buildEveryFieldTraceRequest, buildSampleTraceRequest } from './otlp-sample-requests.js';
import { MAX_REJECTION_MESSAGES, toSpans } from './otlp-to-spans.js';
import type { OtlpSpan, OtlpTraceRequest } from './otlp-types.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

function requestWith(...overrides: Partial<OtlpSpan>[]): OtlpTraceRequest {
  const req = buildSampleTraceRequest({ spans: overrides.length, attributesPerSpan: 1 });
  const spans = req.resourceSpans[0]!.scopeSpans[0]!.spans;
  overrides.forEach((o, i) => Object.assign(spans[i]!, o));
  return req;
}

describe('toSpans', () => {
  it('normalizes every field into the shared span model', () => {
    const req = buildEveryFieldTraceRequest();
    const { spans, rejected, rejectionMessages } = toSpans(req);
    expect(rejected).toBe(0);
    expect(rejectionMessages).toEqual([]);
    const rs = req.resourceSpans[0]!;
    const { status, ...raw } = rs.scopeSpans[0]!.spans[0]!;
    expect(spans).toEqual([{ ...raw, status, resource: rs.resource, scope: rs.scopeSpans[0]!.scope, serviceName: 'checkout' }]);
  });

  it('takes the service from the resource’s service.name, else unknown_service', () => {
    const req: OtlpTraceRequest = {
      resourceSpans: [
        buildSampleTraceRequest({ spans: 1, serviceName: 'a' }).resourceSpans[0]!,
        { ...buildSampleTraceRequest({ spans: 1 }).resourceSpans[0]!, resource: { attributes: [], droppedAttributesCount: 0 } },
        { ...buildSampleTraceRequest({ spans: 1 }).resourceSpans[0]!, resource: { attributes: [{ key: 'service.name', value: { stringValue: '' } }], droppedAttributesCount: 0 } },
        { ...buildSampleTraceRequest({ spans: 1 }).resourceSpans[0]!, resource: { attributes: [{ key: 'service.name', value: { intValue: '1' } }], droppedAttributesCount: 0 } },
      ],
    };
    expect(toSpans(req).spans.map((s) => s.serviceName)).toEqual(['a', UNKNOWN_SERVICE, UNKNOWN_SERVICE, UNKNOWN_SERVICE]);
  });

  it('rejects invalid spans one by one and keeps the rest', () => {
    const cases: [Partial<OtlpSpan>, RegExp][] = [
      [{ traceId: '' }, /trace ID "" is not 32 hex digits/],
      [{ traceId: TRACE_ID.slice(2) }, /trace ID ".*" is not 32 hex digits/],
      [{ traceId: TRACE_ID.replace('4', 'g') }, /is not 32 hex digits/],
      [{ traceId: '0'.repeat(32) }, /trace ID is all zeros/],
      [{ spanId: '00f067aa0ba902' }, /span ID "00f067aa0ba902" is not 16 hex digits/],
      [{ spanId: '0'.repeat(16) }, /span ID is all zeros/],
      [{ parentSpanId: 'abc' }, /parent span ID "abc" is not 16 hex digits/],
      [{ startTimeUnixNano: '0' }, /start time is missing/],
      [{ startTimeUnixNano: '1712345678901234567', endTimeUnixNano: '1712345678901234566' }, /end time 1712345678901234566 is before start time 1712345678901234567/],
      [{ startTimeUnixNano: '999', endTimeUnixNano: '0' }, /end time 0 is before start time 999/],
    ];
    for (const [override, reason] of cases) {
      const { spans, rejected, rejectionMessages } = toSpans(requestWith({}, override, {}));
      expect(spans.map((s) => s.spanId)).toEqual(['0000000000000001', '0000000000000003']);
      expect(rejected).toBe(1);
      expect(rejectionMessages).toHaveLength(1);
      expect(rejectionMessages[0]).toMatch(/^span .*"GET \/api\/v1\/items\/\{id\}" \(resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\) rejected: /);
      expect(rejectionMessages[0]).toMatch(reason);
    }
  });

  it('accepts a span that ends when it starts, and 64-bit times compared exactly', () => {
    const { spans, rejected } = toSpans(
      requestWith(
        { startTimeUnixNano: '1712345678901234567', endTimeUnixNano: '1712345678901234567' },
        { startTimeUnixNano: '9007199254740993', endTimeUnixNano: '18446744073709551615' },
      ),
    );
    expect(rejected).toBe(0);
    expect(spans).toHaveLength(2);
  });

  it('treats an all-zero parent as no parent', () => {
    expect(toSpans(requestWith({ parentSpanId: '0'.repeat(16) })).spans[0]!.parentSpanId).toBe('');
  });

  it('caps the rejection messages but counts every rejected span', () => {
    const bad = Array.from({ length: 25 }, (): Partial<OtlpSpan> => ({ startTimeUnixNano: '0' }));
    const { spans, rejected, rejectionMessages } = toSpans(requestWith(...bad, {}));
    expect(spans).toHaveLength(1);
    expect(rejected).toBe(25);
    expect(rejectionMessages).toHaveLength(MAX_REJECTION_MESSAGES);
    expect(new Set(rejectionMessages).size).toBe(MAX_REJECTION_MESSAGES);
  });

  it('keeps untrusted IDs and names short in messages', () => {
    const { rejectionMessages } = toSpans(requestWith({ name: 'n'.repeat(10_000), spanId: 'x'.repeat(10_000) }));
    expect(rejectionMessages[0]!.length).toBeLessThan(500);
  });

  it('drops bad links and timeless events, counting them as dropped, without rejecting the span', () => {
    const good = { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 };
    const { spans, rejected } = toSpans(
      requestWith({
        links: [good, { ...good, traceId: '' }, { ...good, spanId: '0'.repeat(16) }, { ...good, traceId: 'zz' }],
        droppedLinksCount: 1,
        events: [
          { timeUnixNano: '1712345678901234600', name: 'ok', attributes: [], droppedAttributesCount: 0 },
          { timeUnixNano: '0', name: 'timeless', attributes: [], droppedAttributesCount: 0 },
        ],
        droppedEventsCount: 2,
      }),
    );
    expect(rejected).toBe(0);
    expect(spans[0]!.links).toEqual([good]);
    expect(spans[0]!.droppedLinksCount).toBe(4);
    expect(spans[0]!.events.map((e) => e.name)).toEqual(['ok']);
    expect(spans[0]!.droppedEventsCount).toBe(3);
  });

  it('maps unknown span kinds and status codes to unspecified/unset', () => {
    const { spans } = toSpans(requestWith({ kind: 9, status: { code: 7, message: 'm' } }, { kind: -1, status: { code: -1, message: '' } }, { kind: SpanKind.CLIENT, status: { code: StatusCode.OK, message: '' } }));
    expect(spans.map((s) => [s.kind, s.status.code])).toEqual([
      [SpanKind.UNSPECIFIED, StatusCode.UNSET],
      [SpanKind.UNSPECIFIED, StatusCode.UNSET],
      [SpanKind.CLIENT, StatusCode.OK],
    ]);
    expect(spans[0]!.status.message).toBe('m');
  });

  it('handles an empty request', () => {
    expect(toSpans({ resourceSpans: [] })).toEqual({ spans: [], rejected: 0, rejectionMessages: [] });
  });
});
