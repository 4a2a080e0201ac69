import type { InstrumentationScope, Resource, Span } from '@threadline/shared';
import { parseExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-decoder.js';
import { DEFAULT_INGEST_LIMITS, DecodeMeter } from '../../ingest/ingest-limits.js';
import { writeResourceSpans } from '../../receivers/otlp/otlp-proto-encoder.js';
import { rawProtoOf, type RawProto } from '../../receivers/otlp/otlp-raw.js';
import { toSpan } from '../../receivers/otlp/otlp-to-spans.js';
import { ProtobufReader, WireType } from '../../receivers/otlp/protobuf-reader.js';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';
import type { OtlpScopeSpans, OtlpSpan, OtlpTraceRequest } from '../../receivers/otlp/otlp-types.js';
import { PartInterner } from '../../receivers/otlp/part-interner.js';

/**
 * How the spans of one trace from one write batch are kept on disk (before compression):
 * OTLP's own protobuf, the most compact complete encoding of a span we have, which also
 * keeps NaN, ±Infinity and -0 doubles and int64 values exactly. Framing, in protobuf:
 *
 *   message SpanChunk { repeated Group groups = 1; }
 *   message Group { string service_name = 1; bytes export_trace_request = 2; }
 *
 * A group holds the spans of one resource and service name, so a resource is written once
 * per chunk, not once per span; the service name is kept apart because a receiver may
 * name the service differently from the resource's `service.name` (Zipkin's
 * localEndpoint).
 */

interface Group {
  serviceName: string;
  resource: Resource;
  byScope: Map<InstrumentationScope, Span[]>;
}

/**
 * A ResourceSpans message of the group. Spans decoded from OTLP protobuf carry the bytes
 * they came in (otlp-raw.ts): when every span of the group does, with one resource and
 * one scope per scope list, those bytes are copied instead of encoding the spans again.
 */
function writeGroup(w: ProtobufWriter, group: Group): void {
  const first = rawProtoOf([...group.byScope.values()][0]![0]!);
  const rawScopes = first ? [...group.byScope.values()].map(rawScopeOf) : [];
  if (first && rawScopes.every((raw) => raw !== undefined && raw.resource === first.resource)) {
    w.tag(1, WireType.LEN).bytes(first.resource);
    [...group.byScope.values()].forEach((spans, k) => {
      w.message(2, () => {
        w.tag(1, WireType.LEN).bytes(rawScopes[k]!.scope);
        for (const span of spans) w.tag(2, WireType.LEN).bytes(rawProtoOf(span)!.span);
      });
    });
    return;
  }
  const scopeSpans: OtlpScopeSpans[] = [...group.byScope].map(([scope, list]) => ({ scope, spans: list.map(toOtlpSpan), schemaUrl: '' }));
  writeResourceSpans(w, { resource: group.resource, scopeSpans, schemaUrl: '' });
}

/** The raw parts shared by every span of a scope list, if every span has them and they agree. */
function rawScopeOf(spans: readonly Span[]): RawProto | undefined {
  const first = rawProtoOf(spans[0]!);
  if (!first) return undefined;
  for (const span of spans) {
    const raw = rawProtoOf(span);
    if (!raw || raw.scope !== first.scope || raw.resource !== first.resource) return undefined;
  }
  return first;
}

function toOtlpSpan(s: Span): OtlpSpan {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState,
    parentSpanId: s.parentSpanId,
    flags: s.flags,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: s.attributes,
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events,
    droppedEventsCount: s.droppedEventsCount,
    links: s.links,
    droppedLinksCount: s.droppedLinksCount,
    status: s.status,
  };
}

export function encodeSpanChunk(spans: readonly Span[]): Uint8Array {
  const w = new ProtobufWriter(1024);
  writeSpanChunk(w, spans);
  return w.finish();
}

/**
 * Appends the chunk's bytes to `w` (a batch's chunks share one writer). Spans sharing a
 * resource object and service name share a group (receivers share resource objects per request).
 */
export function writeSpanChunk(w: ProtobufWriter, spans: readonly Span[]): void {
  const groups = new Map<Resource, Map<string, Group>>();
  for (const span of spans) {
    let byService = groups.get(span.resource);
    if (!byService) groups.set(span.resource, (byService = new Map()));
    let group = byService.get(span.serviceName);
    if (!group) byService.set(span.serviceName, (group = { serviceName: span.serviceName, resource: span.resource, byScope: new Map() }));
    let list = group.byScope.get(span.scope);
    if (!list) group.byScope.set(span.scope, (list = []));
    list.push(span);
  }
  for (const byService of groups.values()) {
    for (const group of byService.values()) writeGroupFrame(w, group.serviceName, () => writeGroup(w, group));
  }
}

/**
 * One Group of a chunk: its service name, then an ExportTraceServiceRequest of one
 * resource_spans message, written in place, whose fields `writeResourceSpans` writes.
 */
export function writeGroupFrame(w: ProtobufWriter, serviceName: string, writeResourceSpans: () => void): void {
  w.message(1, () => {
    if (serviceName !== '') w.tag(1, WireType.LEN).string(serviceName);
    w.message(2, () => w.message(1, writeResourceSpans));
  });
}

/**
 * The inverse of encodeSpanChunk. Throws ProtobufDecodeError on bytes it did not write.
 * `keepRaw` false: the spans are only read (served), not stored again, and need not carry
 * their protobuf bytes (setting them was ~5% of serving a big trace, with its garbage).
 */
export function parseSpanChunk(bytes: Uint8Array, keepRaw = true): Span[] {
  const spans: Span[] = [];
  const parts = keepRaw ? undefined : SERVED_PARTS;
  forEachGroup(bytes, (serviceName, request) => appendSpans(spans, parseExportTraceRequestProto(request, new DecodeMeter(undefined, keepRaw), parts), serviceName));
  return spans;
}

/**
 * The resources and scopes of spans read to be served, one object per distinct message
 * (part-interner.ts). Not for spans stored again: writeSpanChunk groups spans by their
 * resource object, and should write a chunk's groups as they were.
 */
export const SERVED_PARTS = new PartInterner(DEFAULT_INGEST_LIMITS);

/** Calls `read` with each group's service name and ExportTraceServiceRequest bytes, in order (groups without a request are skipped). */
export function forEachGroup(chunk: Uint8Array, read: (serviceName: string, request: Uint8Array) => void): void {
  const r = new ProtobufReader(chunk);
  while (!r.done) {
    const tag = r.readTag();
    if (tag !== 0x0a) {
      r.skip(tag);
      continue;
    }
    const parent = r.enter();
    let serviceName = '';
    let request: Uint8Array | undefined;
    while (!r.done) {
      const inner = r.readTag();
      if (inner === 0x0a) serviceName = r.readString();
      else if (inner === 0x12) request = r.readBytes();
      else r.skip(inner);
    }
    r.leave(parent);
    if (request) read(serviceName, request);
  }
}

function appendSpans(out: Span[], request: OtlpTraceRequest, serviceName: string): void {
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) out.push(toSpan(s, rs.resource, ss.scope, serviceName));
    }
  }
}
