/**
 * Decodes a protobuf `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`
 * (OTLP/HTTP binary bodies and OTLP/gRPC messages) into `OtlpTraceRequest`.
 *
 * Follows protobuf semantics: unknown fields, and known fields with an unexpected wire
 * type, are skipped; a singular scalar seen twice keeps the last value; a singular message
 * seen twice is merged. Field numbers are from opentelemetry-proto trace/v1, common/v1,
 * resource/v1 and collector/trace/v1; `case` labels are tags, `(field << 3) | wireType`.
 */

import type { AnyValue, InstrumentationScope, KeyValue, Resource, SpanEvent, SpanLink } from '@threadline/shared';
import { DecodeMeter } from '../../ingest/ingest-limits.js';
import type { PartCache, PartInterner } from './part-interner.js';
import { ProtobufReader } from './protobuf-reader.js';
import { RAW_PROTO, rawProtoOf, setRawProto, type RawProto, type WithRawProto } from './otlp-raw.js';
import {
  MAX_ANY_VALUE_DEPTH,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpStatus,
  type OtlpTraceRequest,
} from './otlp-types.js';

/**
 * The limits of `meter` are applied as the bytes are read: attributes, events and links
 * past a span's share are skipped without being decoded (and counted in its `dropped_*`),
 * long strings are decoded only as far as they are kept, spans past the request's share are
 * skipped, and a request decoding to too many objects stops with a 413 AppError.
 *
 * With `parts`, a resource or scope whose bytes were decoded before (under the meter's
 * limits) is that same object (part-interner.ts).
 */
export function parseExportTraceRequestProto(bytes: Uint8Array, meter: DecodeMeter = new DecodeMeter(), parts?: PartInterner): OtlpTraceRequest {
  const r = new ProtobufReader(bytes, undefined, meter.limits.maxAttributeLength);
  const resourceSpans: OtlpResourceSpans[] = [];
  try {
    while (!r.done) {
      const tag = r.readTag();
      if (tag === 0x0a) resourceSpans.push(readResourceSpans(r, meter, parts)); // 1 resource_spans
      else r.skip(tag);
    }
  } finally {
    meter.truncatedStrings += r.truncatedStrings;
  }
  return { resourceSpans };
}

/** Reads one attribute into `list` if it has room, else skips its bytes; returns 1 when dropped. */
function readAttribute(r: ProtobufReader, m: DecodeMeter, tag: number, list: KeyValue[]): number {
  if (list.length < m.limits.maxSpanAttributes) {
    list.push(readKeyValue(r, 1, m));
    return 0;
  }
  r.skip(tag);
  m.droppedAttributes++;
  return 1;
}

function readResourceSpans(r: ProtobufReader, m: DecodeMeter, parts: PartInterner | undefined): OtlpResourceSpans {
  const parent = r.enter();
  const resource = resourcePart();
  const out: OtlpResourceSpans = { resource: resource.value, scopeSpans: [], schemaUrl: '' };
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 resource
        resource.read(r, m, tag, parts);
        break;
      case 0x12: // 2 scope_spans
        out.scopeSpans.push(readScopeSpans(r, m, parts));
        break;
      case 0x1a: // 3 schema_url
        out.schemaUrl = r.readString();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  out.resource = resource.value;
  for (const ss of out.scopeSpans) for (const span of ss.spans) setRawPart(span, 'resource', resource.bytes);
  return out;
}

const EMPTY = new Uint8Array(0);

/**
 * Records the bytes of a span's resource or scope; `null` (the message came in parts and
 * was merged, or a limit changed it) leaves the span without raw bytes, so that it is
 * encoded again from what was decoded.
 */
function setRawPart(span: OtlpSpan, part: 'resource' | 'scope', bytes: Uint8Array | null | undefined): void {
  const raw = rawProtoOf(span);
  if (!raw) return;
  if (bytes === null) delete (span as WithRawProto)[RAW_PROTO];
  else raw[part] = bytes ?? EMPTY;
}

/** How many times a limit changed what was decoded so far: raw bytes are kept only for a message it did not touch. */
function changesByLimits(r: ProtobufReader, m: DecodeMeter): number {
  return r.truncatedStrings + m.droppedAttributes + m.droppedEvents + m.droppedLinks;
}

const newResource = (): Resource => ({ attributes: [], droppedAttributesCount: 0 });
const newScope = (): InstrumentationScope => ({ name: '', version: '', attributes: [], droppedAttributesCount: 0 });

/**
 * A resource or scope read from its messages, as protobuf merges a message sent in parts:
 * the first part from `parts` when given (then possibly a shared object), a later part merged
 * into a copy. `bytes`: the one message's bytes as `merge` gives them, null once a second part
 * came (no one slice of bytes is the part then), undefined while none came.
 */
export class PartRead<T extends { attributes: KeyValue[] }> {
  bytes: Uint8Array | null | undefined;
  private parts = 0;

  constructor(
    public value: T,
    private readonly cache: (parts: PartInterner) => PartCache<T>,
    private readonly merge: (r: ProtobufReader, out: T, m: DecodeMeter) => Uint8Array | null,
  ) {}

  /** Whether a later part was merged: `value` is then a copy made after its first part may have been handed out. */
  get merged(): boolean {
    return this.parts > 1;
  }

  /** Reads the part's message next in `r` (its tag read). */
  read(r: ProtobufReader, m: DecodeMeter, tag: number, parts: PartInterner | undefined): void {
    if (this.parts++ === 0) {
      if (parts) ({ value: this.value, bytes: this.bytes } = this.cache(parts).read(r, m, tag, () => this.value, (out) => this.merge(r, out, m)));
      else this.bytes = this.merge(r, this.value, m);
      return;
    }
    this.value = { ...this.value, attributes: [...this.value.attributes] };
    this.merge(r, this.value, m);
    this.bytes = null;
  }
}

/** The resource of a resource_spans, and the scope of a scope_spans, as PartReads. */
export const resourcePart = () => new PartRead(newResource(), (parts) => parts.resources, mergeResource);
export const scopePart = () => new PartRead(newScope(), (parts) => parts.scopes, mergeScope);

/** Returns the resource message's bytes, or null when a limit changed it. */
export function mergeResource(r: ProtobufReader, out: Resource, m: DecodeMeter): Uint8Array | null {
  const changes = changesByLimits(r, m);
  const parent = r.enter();
  const bytes = r.messageBytes();
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 attributes
        readAttribute(r, m, tag, out.attributes);
        break;
      case 0x10: // 2 dropped_attributes_count
        out.droppedAttributesCount = r.readUint32();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  return changesByLimits(r, m) === changes ? bytes : null;
}

function readScopeSpans(r: ProtobufReader, m: DecodeMeter, parts: PartInterner | undefined): OtlpScopeSpans {
  const parent = r.enter();
  const scope = scopePart();
  const out: OtlpScopeSpans = { scope: scope.value, spans: [], schemaUrl: '' };
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 scope
        scope.read(r, m, tag, parts);
        break;
      case 0x12: // 2 spans
        if (m.admitSpan()) out.spans.push(readSpan(r, m));
        else r.skip(tag);
        break;
      case 0x1a: // 3 schema_url
        out.schemaUrl = r.readString();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  out.scope = scope.value;
  for (const span of out.spans) setRawPart(span, 'scope', scope.bytes);
  return out;
}

/** Returns the scope message's bytes, or null when a limit changed it. */
export function mergeScope(r: ProtobufReader, out: InstrumentationScope, m: DecodeMeter): Uint8Array | null {
  const changes = changesByLimits(r, m);
  const parent = r.enter();
  const bytes = r.messageBytes();
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 name
        out.name = r.readString();
        break;
      case 0x12: // 2 version
        out.version = r.readString();
        break;
      case 0x1a: // 3 attributes
        readAttribute(r, m, tag, out.attributes);
        break;
      case 0x20: // 4 dropped_attributes_count
        out.droppedAttributesCount = r.readUint32();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  return changesByLimits(r, m) === changes ? bytes : null;
}

function readSpan(r: ProtobufReader, m: DecodeMeter): OtlpSpan {
  const parent = r.enter();
  const raw: RawProto = { span: r.messageBytes(), resource: EMPTY, scope: EMPTY };
  const changes = changesByLimits(r, m);
  m.countObject();
  // Dropped here, added after the loop: the sender's own dropped counts may come later on the wire.
  let droppedAttributes = 0;
  let droppedEvents = 0;
  let droppedLinks = 0;
  const out: OtlpSpan = {
    traceId: '',
    spanId: '',
    traceState: '',
    parentSpanId: '',
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 trace_id
        out.traceId = r.readHex();
        break;
      case 0x12: // 2 span_id
        out.spanId = r.readHex();
        break;
      case 0x1a: // 3 trace_state
        out.traceState = r.readString();
        break;
      case 0x22: // 4 parent_span_id
        out.parentSpanId = r.readHex();
        break;
      case 0x2a: // 5 name
        out.name = r.readString();
        break;
      case 0x30: // 6 kind (enum)
        out.kind = r.readInt32();
        break;
      case 0x39: // 7 start_time_unix_nano (fixed64)
        out.startTimeUnixNano = r.readFixed64String();
        break;
      case 0x41: // 8 end_time_unix_nano (fixed64)
        out.endTimeUnixNano = r.readFixed64String();
        break;
      case 0x4a: // 9 attributes
        droppedAttributes += readAttribute(r, m, tag, out.attributes);
        break;
      case 0x50: // 10 dropped_attributes_count
        out.droppedAttributesCount = r.readUint32();
        break;
      case 0x5a: // 11 events
        if (out.events.length < m.limits.maxSpanEvents) out.events.push(readEvent(r, m));
        else {
          r.skip(tag);
          droppedEvents++;
        }
        break;
      case 0x60: // 12 dropped_events_count
        out.droppedEventsCount = r.readUint32();
        break;
      case 0x6a: // 13 links
        if (out.links.length < m.limits.maxSpanLinks) out.links.push(readLink(r, m));
        else {
          r.skip(tag);
          droppedLinks++;
        }
        break;
      case 0x70: // 14 dropped_links_count
        out.droppedLinksCount = r.readUint32();
        break;
      case 0x7a: // 15 status
        mergeStatus(r, out.status);
        break;
      case 0x85: // 16 flags (fixed32)
        out.flags = r.readFixed32();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  out.droppedAttributesCount += droppedAttributes;
  out.droppedEventsCount += droppedEvents;
  out.droppedLinksCount += droppedLinks;
  m.droppedEvents += droppedEvents;
  m.droppedLinks += droppedLinks;
  if (m.keepRaw && changesByLimits(r, m) === changes) setRawProto(out, raw);
  return out;
}

function readEvent(r: ProtobufReader, m: DecodeMeter): SpanEvent {
  const parent = r.enter();
  m.countObject();
  let dropped = 0;
  const out: SpanEvent = { timeUnixNano: '0', name: '', attributes: [], droppedAttributesCount: 0 };
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x09: // 1 time_unix_nano (fixed64)
        out.timeUnixNano = r.readFixed64String();
        break;
      case 0x12: // 2 name
        out.name = r.readString();
        break;
      case 0x1a: // 3 attributes
        dropped += readAttribute(r, m, tag, out.attributes);
        break;
      case 0x20: // 4 dropped_attributes_count
        out.droppedAttributesCount = r.readUint32();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  out.droppedAttributesCount += dropped;
  return out;
}

export function readLink(r: ProtobufReader, m: DecodeMeter): SpanLink {
  const parent = r.enter();
  m.countObject();
  let dropped = 0;
  const out: SpanLink = { traceId: '', spanId: '', traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 };
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 trace_id
        out.traceId = r.readHex();
        break;
      case 0x12: // 2 span_id
        out.spanId = r.readHex();
        break;
      case 0x1a: // 3 trace_state
        out.traceState = r.readString();
        break;
      case 0x22: // 4 attributes
        dropped += readAttribute(r, m, tag, out.attributes);
        break;
      case 0x28: // 5 dropped_attributes_count
        out.droppedAttributesCount = r.readUint32();
        break;
      case 0x35: // 6 flags (fixed32)
        out.flags = r.readFixed32();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  out.droppedAttributesCount += dropped;
  return out;
}

function mergeStatus(r: ProtobufReader, out: OtlpStatus): void {
  const parent = r.enter();
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x12: // 2 message (1 is reserved)
        out.message = r.readString();
        break;
      case 0x18: // 3 code (enum)
        out.code = r.readInt32();
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
}

/** `depth` is the nesting level of the KeyValue's value: 1 for a span attribute. */
export function readKeyValue(r: ProtobufReader, depth: number, m: DecodeMeter): KeyValue {
  const parent = r.enter();
  const kv = readKeyValueFields(r, depth, m);
  r.leave(parent);
  return kv;
}

/** readKeyValue for a reader set on the KeyValue message itself (no length first): its fields, up to its end. */
export function readKeyValueFields(r: ProtobufReader, depth: number, m: DecodeMeter): KeyValue {
  let key = '';
  let value: AnyValue = {};
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 key
        key = r.readString();
        break;
      case 0x12: // 2 value
        value = readAnyValue(r, depth, value, m);
        break;
      default:
        r.skip(tag);
    }
  }
  m.countObject(key.length);
  return { key, value };
}

/** `prev` is what an earlier occurrence of the same field decoded to, for protobuf's merge. */
function readAnyValue(r: ProtobufReader, depth: number, prev: AnyValue, m: DecodeMeter): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw r.error(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  const parent = r.enter();
  m.countObject();
  let out = prev;
  while (!r.done) {
    const tag = r.readTag();
    switch (tag) {
      case 0x0a: // 1 string_value
        out = { stringValue: r.readString() };
        m.bytes += 2 * out.stringValue!.length;
        break;
      case 0x10: // 2 bool_value
        out = { boolValue: r.readBool() };
        break;
      case 0x18: // 3 int_value (int64)
        out = { intValue: r.readInt64String() };
        break;
      case 0x21: // 4 double_value
        out = { doubleValue: r.readDouble() };
        break;
      case 0x2a: {
        // 5 array_value { repeated AnyValue values = 1 }
        const values = out.arrayValue?.values ?? [];
        readList(r, () => values.push(readAnyValue(r, depth + 1, {}, m)));
        out = { arrayValue: { values } };
        break;
      }
      case 0x32: {
        // 6 kvlist_value { repeated KeyValue values = 1 }
        const values = out.kvlistValue?.values ?? [];
        readList(r, () => values.push(readKeyValue(r, depth + 1, m)));
        out = { kvlistValue: { values } };
        break;
      }
      case 0x3a: // 7 bytes_value
        out = { bytesValue: toBase64(limitBytes(r.readBytes(), m)) };
        break;
      default:
        r.skip(tag);
    }
  }
  r.leave(parent);
  return out;
}

/** ArrayValue and KeyValueList: a message whose only field is `repeated … values = 1`. */
function readList(r: ProtobufReader, readValue: () => void): void {
  const parent = r.enter();
  while (!r.done) {
    const tag = r.readTag();
    if (tag === 0x0a) readValue();
    else r.skip(tag);
  }
  r.leave(parent);
}

/** Base64 grows bytes by 4/3: keep as many as fit the string limit once encoded. */
function limitBytes(bytes: Uint8Array, m: DecodeMeter): Uint8Array {
  const keep = Math.max(3, Math.floor(m.limits.maxAttributeLength / 4) * 3);
  if (bytes.length <= keep) return bytes;
  m.truncatedStrings++;
  return bytes.subarray(0, keep);
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
