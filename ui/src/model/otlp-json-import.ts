/**
 * An OTLP/JSON `ExportTraceServiceRequest` (`{"resourceSpans":[…]}`) → spans.
 * Besides the spec's form (hex IDs, decimal-string times, integer enums) it accepts
 * what real producers write: base64 IDs, numeric times, enum names as strings.
 */
import { UNKNOWN_SERVICE, toHex } from '@threadline/shared';
import type { InstrumentationScope, Resource, Span, SpanKind, StatusCode } from '@threadline/shared';
import {
  JsonShapeError,
  expectArray,
  expectObject,
  optionalArray,
  optionalNumber,
  optionalString,
  type JsonObject,
} from './json-guards';
import { parseAttributes, parseResource, parseScope } from './span-json';

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function enumValue(value: unknown, names: Record<string, number>, path: string): number {
  if (typeof value === 'string') {
    const n = names[value];
    if (n === undefined) throw new JsonShapeError(path, `one of ${Object.keys(names).join(', ')}`);
    return n;
  }
  return optionalNumber(value, path);
}

function base64ToHex(text: string): string | null {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return toHex(bytes);
  } catch {
    return null;
  }
}

/** An ID as lowercase hex; `byteLength` tells hex (2 chars a byte) from base64. */
function parseId(value: unknown, byteLength: number, path: string): string {
  const text = optionalString(value, path);
  if (text === '') return '';
  if (text.length === byteLength * 2 && /^[0-9a-fA-F]+$/.test(text)) return text.toLowerCase();
  const hex = base64ToHex(text);
  if (hex !== null && hex.length === byteLength * 2) return hex;
  throw new JsonShapeError(path, `a ${byteLength}-byte ID in hex`);
}

function parseTime(value: unknown, path: string): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.round(value)).toString();
  throw new JsonShapeError(path, 'Unix nanoseconds');
}

function parseSpan(s: JsonObject, path: string, resource: Resource, scope: InstrumentationScope, serviceName: string): Span {
  const status = expectObject(s.status ?? {}, `${path}.status`);
  return {
    traceId: parseId(s.traceId, 16, `${path}.traceId`),
    spanId: parseId(s.spanId, 8, `${path}.spanId`),
    parentSpanId: parseId(s.parentSpanId, 8, `${path}.parentSpanId`),
    traceState: optionalString(s.traceState, `${path}.traceState`),
    flags: optionalNumber(s.flags, `${path}.flags`),
    name: optionalString(s.name, `${path}.name`),
    kind: enumValue(s.kind, SPAN_KINDS, `${path}.kind`) as SpanKind,
    startTimeUnixNano: parseTime(s.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endTimeUnixNano: parseTime(s.endTimeUnixNano, `${path}.endTimeUnixNano`),
    attributes: parseAttributes(s.attributes, `${path}.attributes`),
    droppedAttributesCount: optionalNumber(s.droppedAttributesCount, `${path}.droppedAttributesCount`),
    events: optionalArray(s.events, `${path}.events`).map((value, i) => {
      const e = expectObject(value, `${path}.events[${i}]`);
      return {
        timeUnixNano: parseTime(e.timeUnixNano, `${path}.events[${i}].timeUnixNano`),
        name: optionalString(e.name, `${path}.events[${i}].name`),
        attributes: parseAttributes(e.attributes, `${path}.events[${i}].attributes`),
        droppedAttributesCount: optionalNumber(e.droppedAttributesCount, `${path}.events[${i}].droppedAttributesCount`),
      };
    }),
    droppedEventsCount: optionalNumber(s.droppedEventsCount, `${path}.droppedEventsCount`),
    links: optionalArray(s.links, `${path}.links`).map((value, i) => {
      const l = expectObject(value, `${path}.links[${i}]`);
      return {
        traceId: parseId(l.traceId, 16, `${path}.links[${i}].traceId`),
        spanId: parseId(l.spanId, 8, `${path}.links[${i}].spanId`),
        traceState: optionalString(l.traceState, `${path}.links[${i}].traceState`),
        attributes: parseAttributes(l.attributes, `${path}.links[${i}].attributes`),
        droppedAttributesCount: optionalNumber(l.droppedAttributesCount, `${path}.links[${i}].droppedAttributesCount`),
        flags: optionalNumber(l.flags, `${path}.links[${i}].flags`),
      };
    }),
    droppedLinksCount: optionalNumber(s.droppedLinksCount, `${path}.droppedLinksCount`),
    status: {
      code: enumValue(status.code, STATUS_CODES, `${path}.status.code`) as StatusCode,
      message: optionalString(status.message, `${path}.status.message`),
    },
    resource,
    scope,
    serviceName,
  };
}

export function parseOtlpJson(doc: unknown): Span[] {
  const root = expectObject(doc, '$');
  const spans: Span[] = [];
  expectArray(root.resourceSpans, '$.resourceSpans').forEach((rsValue, r) => {
    const rsPath = `$.resourceSpans[${r}]`;
    const rs = expectObject(rsValue, rsPath);
    const resource = parseResource(rs.resource, `${rsPath}.resource`);
    const serviceName = resource.attributes.find((kv) => kv.key === 'service.name')?.value.stringValue || UNKNOWN_SERVICE;
    // `instrumentationLibrarySpans` is the pre-1.0 name some old exporters still write.
    const scopeSpans = optionalArray(rs.scopeSpans ?? rs.instrumentationLibrarySpans, `${rsPath}.scopeSpans`);
    scopeSpans.forEach((ssValue, s) => {
      const ssPath = `${rsPath}.scopeSpans[${s}]`;
      const ss = expectObject(ssValue, ssPath);
      const scope = parseScope(ss.scope ?? ss.instrumentationLibrary, `${ssPath}.scope`);
      optionalArray(ss.spans, `${ssPath}.spans`).forEach((spanValue, i) => {
        const path = `${ssPath}.spans[${i}]`;
        spans.push(parseSpan(expectObject(spanValue, path), path, resource, scope, serviceName));
      });
    });
  });
  return spans;
}
