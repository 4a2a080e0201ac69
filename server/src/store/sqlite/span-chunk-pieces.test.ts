import { describe, expect, it } from 'vitest';
import { stringAttr, type Span } from '@threadline/shared';
import { encodeSpanChunk, parseSpanChunk } from './span-chunk-codec.js';
import { splitSpanChunk } from './span-chunk-pieces.js';
import { at, spanIdOf, testSpan } from './test-spans.js';
import { parseExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-encoder.js';
import { toSpans } from '../../receivers/otlp/otlp-to-spans.js';

/** 23 spans over three services (one with two scopes), each service's spans sharing a resource object as a receiver's do. */
function spans(): Span[] {
  const resources = new Map<string, Span['resource']>();
  const scopes = [
    { name: 'http', version: '1', attributes: [], droppedAttributesCount: 0 },
    { name: 'sql', version: '', attributes: [stringAttr('db', 'pg')], droppedAttributesCount: 0 },
  ];
  return Array.from({ length: 23 }, (_, i) => {
    const serviceName = ['api', 'db', 'cache'][i % 3]!;
    if (!resources.has(serviceName)) resources.set(serviceName, { attributes: [stringAttr('service.name', serviceName), stringAttr('host', `h${i}`)], droppedAttributesCount: 0 });
    return testSpan({
      spanId: spanIdOf(i + 1),
      parentSpanId: i === 0 ? '' : spanIdOf(1),
      serviceName,
      resource: resources.get(serviceName)!,
      scope: scopes[serviceName === 'db' && i % 2 ? 1 : 0]!,
      name: `op ${i}`,
      startTimeUnixNano: at(i),
      endTimeUnixNano: at(i + 5),
      attributes: [stringAttr('i', String(i))],
    });
  });
}

function expectSplitKeepsSpans(chunk: Uint8Array): void {
  const whole = parseSpanChunk(chunk);
  for (const maxSpans of [1, 2, 5, 7, whole.length - 1]) {
    const pieces = [...splitSpanChunk(chunk, maxSpans)];
    const decoded = pieces.map((p) => parseSpanChunk(p));
    expect(decoded.every((p) => p.length <= maxSpans)).toBe(true);
    // Every piece is full but the last: pieces of a page's size, not one per group.
    expect(decoded.slice(0, -1).every((p) => p.length === maxSpans)).toBe(true);
    expect(decoded.flat()).toEqual(whole);
  }
  expect([...splitSpanChunk(chunk, whole.length)]).toEqual([chunk]);
}

describe('splitSpanChunk', () => {
  it('cuts a chunk encoded from span objects into pieces holding the same spans in the same order', () => {
    expectSplitKeepsSpans(encodeSpanChunk(spans()));
  });

  it('does the same for a chunk of OTLP protobuf spans stored as they came (raw bytes)', () => {
    const request = {
      resourceSpans: ['api', 'db'].map((service, r) => ({
        resource: { attributes: [stringAttr('service.name', service)], droppedAttributesCount: 0 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
        scopeSpans: [0, 1].map((s) => ({
          scope: { name: `scope${s}`, version: '', attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          spans: spans().slice(r * 10 + s * 5, r * 10 + s * 5 + 5).map((span) => ({ ...span, traceId: span.traceId })),
        })),
      })),
    };
    const decoded = toSpans(parseExportTraceRequestProto(new Uint8Array(encodeExportTraceRequestProto(request)))).spans;
    expect(decoded).toHaveLength(20);
    expectSplitKeepsSpans(encodeSpanChunk(decoded));
  });
});
