/**
 * Encodes `OtlpTraceRequest` as a protobuf ExportTraceServiceRequest, the inverse of
 * `parseExportTraceRequestProto`: tests and benchmarks use it to produce payloads.
 * proto3 style: fields holding their default value are left out.
 */

import type { AnyValue, InstrumentationScope, KeyValue, Resource, SpanEvent, SpanLink } from '@threadline/shared';
import { ProtobufWriter } from './protobuf-writer.js';
import { WireType } from './protobuf-reader.js';
import type { OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpTraceRequest } from './otlp-types.js';

const { VARINT, I64, LEN, I32 } = WireType;

export function encodeExportTraceRequestProto(req: OtlpTraceRequest): Uint8Array {
  const w = new ProtobufWriter(4096);
  for (const rs of req.resourceSpans) w.message(1, () => writeResourceSpans(w, rs));
  return w.finish();
}

/** One ResourceSpans message's fields, into a writer of the caller's (the store's span chunks). */
export function writeResourceSpans(w: ProtobufWriter, rs: OtlpResourceSpans): void {
  w.message(1, () => writeResource(w, rs.resource));
  for (const ss of rs.scopeSpans) w.message(2, () => writeScopeSpans(w, ss));
  string(w, 3, rs.schemaUrl);
}

function writeResource(w: ProtobufWriter, r: Resource): void {
  attributes(w, 1, r.attributes);
  uint32(w, 2, r.droppedAttributesCount);
}

function writeScopeSpans(w: ProtobufWriter, ss: OtlpScopeSpans): void {
  w.message(1, () => writeScope(w, ss.scope));
  for (const s of ss.spans) w.message(2, () => writeSpan(w, s));
  string(w, 3, ss.schemaUrl);
}

function writeScope(w: ProtobufWriter, s: InstrumentationScope): void {
  string(w, 1, s.name);
  string(w, 2, s.version);
  attributes(w, 3, s.attributes);
  uint32(w, 4, s.droppedAttributesCount);
}

function writeSpan(w: ProtobufWriter, s: OtlpSpan): void {
  id(w, 1, s.traceId);
  id(w, 2, s.spanId);
  string(w, 3, s.traceState);
  id(w, 4, s.parentSpanId);
  string(w, 5, s.name);
  if (s.kind !== 0) w.tag(6, VARINT).int32(s.kind);
  fixed64(w, 7, s.startTimeUnixNano);
  fixed64(w, 8, s.endTimeUnixNano);
  attributes(w, 9, s.attributes);
  uint32(w, 10, s.droppedAttributesCount);
  for (const e of s.events) w.message(11, () => writeEvent(w, e));
  uint32(w, 12, s.droppedEventsCount);
  for (const l of s.links) w.message(13, () => writeLink(w, l));
  uint32(w, 14, s.droppedLinksCount);
  if (s.status.code !== 0 || s.status.message !== '') {
    w.message(15, () => {
      string(w, 2, s.status.message);
      if (s.status.code !== 0) w.tag(3, VARINT).int32(s.status.code);
    });
  }
  if (s.flags !== 0) w.tag(16, I32).fixed32(s.flags);
}

function writeEvent(w: ProtobufWriter, e: SpanEvent): void {
  fixed64(w, 1, e.timeUnixNano);
  string(w, 2, e.name);
  attributes(w, 3, e.attributes);
  uint32(w, 4, e.droppedAttributesCount);
}

function writeLink(w: ProtobufWriter, l: SpanLink): void {
  id(w, 1, l.traceId);
  id(w, 2, l.spanId);
  string(w, 3, l.traceState);
  attributes(w, 4, l.attributes);
  uint32(w, 5, l.droppedAttributesCount);
  if (l.flags !== 0) w.tag(6, I32).fixed32(l.flags);
}

function attributes(w: ProtobufWriter, fieldNumber: number, kvs: readonly KeyValue[]): void {
  for (const kv of kvs) w.message(fieldNumber, () => writeKeyValue(w, kv));
}

function writeKeyValue(w: ProtobufWriter, kv: KeyValue): void {
  string(w, 1, kv.key);
  w.message(2, () => writeAnyValue(w, kv.value));
}

/** Writes the one member that is set; an empty AnyValue is an empty message. */
function writeAnyValue(w: ProtobufWriter, v: AnyValue): void {
  if (v.stringValue !== undefined) w.tag(1, LEN).string(v.stringValue);
  else if (v.boolValue !== undefined) w.tag(2, VARINT).bool(v.boolValue);
  else if (v.intValue !== undefined) w.tag(3, VARINT).int64(v.intValue);
  else if (v.doubleValue !== undefined) w.tag(4, I64).double(v.doubleValue);
  else if (v.arrayValue !== undefined) {
    const values = v.arrayValue.values;
    w.message(5, () => {
      for (const item of values) w.message(1, () => writeAnyValue(w, item));
    });
  } else if (v.kvlistValue !== undefined) {
    const values = v.kvlistValue.values;
    w.message(6, () => {
      for (const kv of values) w.message(1, () => writeKeyValue(w, kv));
    });
  } else if (v.bytesValue !== undefined) w.tag(7, LEN).bytes(Buffer.from(v.bytesValue, 'base64'));
}

function string(w: ProtobufWriter, fieldNumber: number, s: string): void {
  if (s !== '') w.tag(fieldNumber, LEN).string(s);
}

function uint32(w: ProtobufWriter, fieldNumber: number, n: number): void {
  if (n !== 0) w.tag(fieldNumber, VARINT).uint32(n);
}

function fixed64(w: ProtobufWriter, fieldNumber: number, decimal: string): void {
  if (decimal !== '0') w.tag(fieldNumber, I64).fixed64(decimal);
}

/** IDs of any even length are written as given, so tests can produce invalid ones. */
function id(w: ProtobufWriter, fieldNumber: number, hex: string): void {
  if (hex !== '') w.tag(fieldNumber, LEN).hex(hex);
}
