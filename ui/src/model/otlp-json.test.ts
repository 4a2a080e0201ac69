import { describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import { toOtlpJson } from '@threadline/shared';
import { parseOtlpJson } from './otlp-json-import';
import { JsonShapeError } from './json-guards';
import { makeSpan, TRACE_ID } from './fixtures/make-span';

const spans: Span[] = [
  makeSpan({ id: 'root', service: 'frontend', host: 'h1', start: 0, end: 10, attributes: [{ key: 'n', value: { intValue: '9007199254740993' } }] }),
  makeSpan({ id: 'db', parent: 'root', service: 'postgres', host: 'h2', start: 1, end: 2, error: true, events: [{ at: 1.5, name: 'query' }] }),
  makeSpan({ id: 'again', parent: 'root', service: 'frontend', host: 'h1', start: 3, end: 4 }),
];

describe('OTLP JSON export', () => {
  it('groups spans by resource and then by scope', () => {
    const doc = toOtlpJson(spans);
    expect(doc.resourceSpans).toHaveLength(2);
    expect(doc.resourceSpans[0]!.scopeSpans).toHaveLength(1);
    expect(doc.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name)).toEqual(['root', 'again']);
  });

  it('follows the OTLP JSON mapping: hex IDs, ns strings, integer enums', () => {
    const span = toOtlpJson(spans).resourceSpans[1]!.scopeSpans[0]!.spans[0]!;
    expect(span.traceId).toBe(TRACE_ID);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof span.startTimeUnixNano).toBe('string');
    expect(span.kind).toBe(1);
    expect(span.status).toEqual({ code: 2, message: '' });
    expect('serviceName' in span).toBe(false);
  });

  it('groups resources with the same attributes in another order together', () => {
    const a = makeSpan({ id: 'a', service: 's', host: 'h', start: 0, end: 1 });
    const b = makeSpan({ id: 'b', service: 's', host: 'h', start: 0, end: 1 });
    b.resource = { ...b.resource, attributes: [...b.resource.attributes].reverse() };
    expect(toOtlpJson([a, b]).resourceSpans).toHaveLength(1);
  });

  it('round-trips through the importer without loss', () => {
    const back = parseOtlpJson(JSON.parse(JSON.stringify(toOtlpJson(spans))));
    const order = (list: Span[]) => [...list].sort((x, y) => x.spanId.localeCompare(y.spanId));
    expect(order(back)).toEqual(order(spans));
  });
});

describe('OTLP JSON import', () => {
  it('accepts what real producers write: base64 IDs, numeric times, enum names', () => {
    const [span] = parseOtlpJson({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
          scopeSpans: [
            {
              scope: { name: 'lib' },
              spans: [
                {
                  traceId: 'S/kvNXezTaajzpKdDg5HNg==',
                  spanId: 'APBnqgupArc=',
                  name: 'GET',
                  kind: 'SPAN_KIND_SERVER',
                  startTimeUnixNano: 1712345678000000000,
                  endTimeUnixNano: '1712345678000001000',
                  status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                  attributes: [{ key: 'x', value: { intValue: 5 } }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(span).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: '',
      kind: 2,
      status: { code: 2, message: 'boom' },
      serviceName: 'api',
      attributes: [{ key: 'x', value: { intValue: '5' } }],
      events: [],
    });
  });

  it('names the broken spot of a malformed document', () => {
    expect(() => parseOtlpJson({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz' }] }] }] })).toThrow(
      /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.traceId/,
    );
    expect(() => parseOtlpJson({ resourceSpans: 'no' })).toThrow(JsonShapeError);
  });
});
