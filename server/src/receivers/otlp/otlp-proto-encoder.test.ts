import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeExportTraceRequestProto } from './otlp-proto-encoder.js';
import { buildEveryFieldTraceRequest, buildSampleTraceRequest } from './otlp-sample-requests.js';

// The upstream messages (opentelemetry-proto v1), for an independent protobuf implementation.
const schema = protobuf.parse(`
  syntax = "proto3";
  package otlp;
  message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
  message ArrayValue { repeated AnyValue values = 1; }
  message KeyValueList { repeated KeyValue values = 1; }
  message KeyValue { string key = 1; AnyValue value = 2; }
  message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
  message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
  message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
  message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
  message Span {
    bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16; string name = 5;
    int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
    uint32 dropped_attributes_count = 10; repeated Event events = 11; uint32 dropped_events_count = 12;
    repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
    message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
    message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
  }
  message Status { string message = 2; int32 code = 3; }
`).root;
const Request = schema.lookupType('otlp.ExportTraceServiceRequest');

describe('encodeExportTraceRequestProto', () => {
  it('writes what an independent protobuf implementation reads as the same request', () => {
    const req = buildEveryFieldTraceRequest();
    const decoded = Request.toObject(Request.decode(encodeExportTraceRequestProto(req)), { longs: String, bytes: String, defaults: true, oneofs: false });
    const span = decoded.resourceSpans[0].scopeSpans[0].spans[0];
    const expected = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(Buffer.from(span.traceId, 'base64').toString('hex')).toBe(expected.traceId);
    expect(Buffer.from(span.parentSpanId, 'base64').toString('hex')).toBe(expected.parentSpanId);
    expect(span).toMatchObject({
      startTimeUnixNano: '1712345678901234567',
      endTimeUnixNano: '18446744073709551615',
      flags: 0xffffffff,
      kind: 5,
      droppedAttributesCount: 4294967295,
      status: { code: 2, message: 'payment declined' },
    });
    expect(span.events[0].timeUnixNano).toBe('9007199254740993');
    expect(span.attributes.find((a: { key: string }) => a.key === 'span.int').value.intValue).toBe('-9223372036854775808');
    expect(span.attributes.find((a: { key: string }) => a.key === 'span.bytes').value.bytesValue).toBe('AAEC/f7/');
    expect(span.links[0].flags).toBe(0x301);
    expect(decoded.resourceSpans[0].scopeSpans[0].scope).toMatchObject({ name: 'github.com/acme/lib', version: 'v1.2.3', droppedAttributesCount: 4 });
  });

  it('leaves out fields holding their default value', () => {
    const req = buildSampleTraceRequest({ spans: 1, attributesPerSpan: 0 });
    const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    Object.assign(span, { traceId: '', spanId: '', name: '', kind: 0, flags: 0, startTimeUnixNano: '0', endTimeUnixNano: '0' });
    req.resourceSpans[0]!.resource.attributes = [];
    req.resourceSpans[0]!.scopeSpans[0]!.scope.name = '';
    req.resourceSpans[0]!.scopeSpans[0]!.scope.version = '';
    req.resourceSpans[0]!.scopeSpans[0]!.schemaUrl = '';
    // resource_spans { resource {} scope_spans { scope {} spans {} } }
    expect(Buffer.from(encodeExportTraceRequestProto(req)).toString('hex')).toBe('0a08' + '0a00' + '1204' + '0a00' + '1200');
  });

  it('refuses IDs that are not whole hex bytes', () => {
    for (const traceId of ['abc', 'zz', '4bf92f3577b34da6a3ce929d0e0e473g']) {
      const req = buildSampleTraceRequest({ spans: 1 });
      req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId = traceId;
      expect(() => encodeExportTraceRequestProto(req)).toThrow(RangeError);
    }
  });
});
