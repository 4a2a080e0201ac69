/**
 * Cross-checks both decoders against the real OpenTelemetry JS serializers (the ones its
 * OTLP exporters send with), on spans recorded by the real SDK and on a hand-made span
 * with the attribute types the SDK API cannot produce (bytes, maps).
 */

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type HrTime, type Link } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { parseExportTraceRequestJson } from './otlp-json-decoder.js';
import { parseExportTraceRequestProto } from './otlp-proto-decoder.js';
import { toSpans } from './otlp-to-spans.js';

const nanos = ([s, ns]: HrTime) => (BigInt(s) * 1_000_000_000n + BigInt(ns)).toString();
const T0: HrTime = [1712345678, 901234567];
/** T0 plus a few milliseconds (staying within T0's second). */
const later = (ms: number): HrTime => [T0[0], T0[1] + ms * 1_000_000];

const LINKED = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };

function recordSdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'h1', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('github.com/acme/checkout', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' });
  const root = tracer.startSpan('POST /cart', {
    kind: SpanKind.SERVER,
    startTime: T0,
    attributes: {
      'http.request.method': 'POST',
      'http.response.status_code': 500,
      'app.ratio': 0.25,
      'app.negative': -42,
      'app.big': 2 ** 60,
      'app.min': -(2 ** 63),
      'app.flag': true,
      'app.tags': ['a', 'b'],
      'app.ids': [1, 2, 3],
      'app.bools': [true, false],
    },
  });
  root.addEvent('exception', { 'exception.type': 'Error', 'exception.message': 'boom' }, later(3));
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
  const child = tracer.startSpan(
    'SELECT carts',
    { kind: SpanKind.CLIENT, startTime: later(1), links: [{ context: LINKED, attributes: { 'link.reason': 'batch' } } satisfies Link] },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end(later(2));
  root.end(later(5));
  return exporter.getFinishedSpans();
}

describe('interop with @opentelemetry/otlp-transformer', () => {
  const spans = recordSdkSpans();
  const [child, root] = spans as [ReadableSpan, ReadableSpan];

  it('decodes what the real protobuf serializer wrote', () => {
    const req = parseExportTraceRequestProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(req.resourceSpans).toHaveLength(1);
    const rs = req.resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual(
      expect.arrayContaining([
        { key: 'service.name', value: { stringValue: 'checkout' } },
        { key: 'host.name', value: { stringValue: 'h1' } },
        { key: 'process.pid', value: { intValue: '4242' } },
      ]),
    );
    expect(rs.scopeSpans).toHaveLength(1);
    const ss = rs.scopeSpans[0]!;
    expect(ss.scope).toEqual({ name: 'github.com/acme/checkout', version: '1.2.3', attributes: [], droppedAttributesCount: 0 });
    expect(ss.schemaUrl).toBe('https://opentelemetry.io/schemas/1.24.0');

    const [c, r] = ss.spans as [(typeof ss.spans)[0], (typeof ss.spans)[0]];
    expect(r).toEqual({
      traceId: root.spanContext().traceId,
      spanId: root.spanContext().spanId,
      traceState: '',
      parentSpanId: '',
      flags: 0x101, // sampled, and "has is_remote" (not remote)
      name: 'POST /cart',
      kind: 2,
      startTimeUnixNano: '1712345678901234567',
      endTimeUnixNano: nanos(root.endTime),
      attributes: [
        { key: 'http.request.method', value: { stringValue: 'POST' } },
        { key: 'http.response.status_code', value: { intValue: '500' } },
        { key: 'app.ratio', value: { doubleValue: 0.25 } },
        { key: 'app.negative', value: { intValue: '-42' } },
        { key: 'app.big', value: { intValue: '1152921504606846976' } },
        { key: 'app.min', value: { intValue: '-9223372036854775808' } },
        { key: 'app.flag', value: { boolValue: true } },
        { key: 'app.tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
        { key: 'app.ids', value: { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }, { intValue: '3' }] } } },
        { key: 'app.bools', value: { arrayValue: { values: [{ boolValue: true }, { boolValue: false }] } } },
      ],
      droppedAttributesCount: 0,
      events: [
        {
          timeUnixNano: nanos(root.events[0]!.time),
          name: 'exception',
          attributes: [
            { key: 'exception.type', value: { stringValue: 'Error' } },
            { key: 'exception.message', value: { stringValue: 'boom' } },
          ],
          droppedAttributesCount: 0,
        },
      ],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 2, message: 'payment declined' },
    });
    expect(r.endTimeUnixNano).toBe('1712345678906234567');
    expect(r.events[0]!.timeUnixNano).toBe('1712345678904234567');

    expect(c).toMatchObject({
      traceId: root.spanContext().traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: root.spanContext().spanId,
      kind: 3,
      startTimeUnixNano: '1712345678902234567',
      endTimeUnixNano: '1712345678903234567',
      links: [
        {
          traceId: LINKED.traceId,
          spanId: LINKED.spanId,
          traceState: '',
          attributes: [{ key: 'link.reason', value: { stringValue: 'batch' } }],
          droppedAttributesCount: 0,
          flags: 0x301, // sampled, has is_remote, is remote
        },
      ],
      status: { code: 1, message: '' },
    });

    const { spans: normalized, rejected } = toSpans(req);
    expect(rejected).toBe(0);
    expect(normalized.map((s) => [s.serviceName, s.name])).toEqual([
      ['checkout', 'SELECT carts'],
      ['checkout', 'POST /cart'],
    ]);
  });

  it('reads the same request from the real JSON serializer', () => {
    const fromProto = parseExportTraceRequestProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    const fromJson = parseExportTraceRequestJson(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!));
    expect(fromJson).toEqual(fromProto);
  });

  it('decodes bytes and map attributes, trace state and resource schema URL from a hand-made span', () => {
    const resource = resourceFromAttributes({ 'service.name': 'raw' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
    const raw = {
      name: 'raw',
      kind: SpanKind.INTERNAL,
      spanContext: () => ({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.NONE,
        isRemote: false,
        traceState: { serialize: () => 'rojo=00f067aa0ba902b7', get: () => undefined, set: () => raw.spanContext().traceState, unset: () => raw.spanContext().traceState },
      }),
      parentSpanContext: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: 'ffffffffffffffff', traceFlags: TraceFlags.NONE, isRemote: true },
      startTime: [4102444800, 123456789] as HrTime, // 2100-01-01, beyond 2^62 ns
      endTime: [4102444801, 0] as HrTime,
      status: { code: SpanStatusCode.UNSET },
      attributes: {
        bytes: new Uint8Array([0, 1, 2, 253, 254, 255]),
        map: { inner: { deep: 'x' }, n: 7 },
      },
      links: [],
      events: [],
      duration: [1, 0] as HrTime,
      ended: true,
      resource,
      instrumentationScope: { name: 'raw-scope' },
      droppedAttributesCount: 3,
      droppedEventsCount: 4,
      droppedLinksCount: 5,
    } as unknown as ReadableSpan;
    const req = parseExportTraceRequestProto(ProtobufTraceSerializer.serializeRequest([raw])!);
    const rs = req.resourceSpans[0]!;
    expect(rs.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    expect(rs.scopeSpans[0]!.spans[0]).toMatchObject({
      traceState: 'rojo=00f067aa0ba902b7',
      parentSpanId: 'ffffffffffffffff',
      flags: 0x300,
      kind: 1,
      startTimeUnixNano: '4102444800123456789',
      endTimeUnixNano: '4102444801000000000',
      droppedAttributesCount: 3,
      droppedEventsCount: 4,
      droppedLinksCount: 5,
      attributes: [
        { key: 'bytes', value: { bytesValue: 'AAEC/f7/' } },
        {
          key: 'map',
          value: {
            kvlistValue: {
              values: [
                { key: 'inner', value: { kvlistValue: { values: [{ key: 'deep', value: { stringValue: 'x' } }] } } },
                { key: 'n', value: { intValue: '7' } },
              ],
            },
          },
        },
      ],
    });
    const fromJson = parseExportTraceRequestJson(new TextDecoder().decode(JsonTraceSerializer.serializeRequest([raw])!));
    expect(fromJson).toEqual(req);
  });
});
