/**
 * Checks that JSON claiming to be Threadline's span model (the `/api/v1/traces`
 * response, or a file saved from it) has the shape the views rely on. Missing
 * optional members get their OTLP defaults; wrong types are an error.
 */
import { UNKNOWN_SERVICE } from '@threadline/shared';
import type { AnyValue, InstrumentationScope, KeyValue, Resource, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '@threadline/shared';
import {
  JsonShapeError,
  expectObject,
  expectString,
  isObject,
  optionalArray,
  optionalNumber,
  optionalString,
} from './json-guards';
import { isDecimalNanos } from './nanos';

const MAX_VALUE_DEPTH = 32;

function nanos(value: unknown, path: string): string {
  const text = expectString(value, path);
  if (!isDecimalNanos(text)) throw new JsonShapeError(path, 'Unix nanoseconds as a decimal string');
  return text;
}

const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * OTLP JSON spells non-finite doubles as the strings "NaN", "Infinity" and "-Infinity"
 * (and allows finite ones as numeric strings); anything else is not a double.
 */
function parseDouble(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const special = NON_FINITE[value];
    if (special !== undefined) return special;
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (Number.isFinite(n)) return n;
  }
  throw new JsonShapeError(path, 'a number, "NaN", "Infinity" or "-Infinity"');
}

function parseAnyValue(value: unknown, path: string, depth = 0): AnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new JsonShapeError(path, `values nested at most ${MAX_VALUE_DEPTH} deep`);
  const v = expectObject(value ?? {}, path);
  if (typeof v.stringValue === 'string') return { stringValue: v.stringValue };
  if (typeof v.boolValue === 'boolean') return { boolValue: v.boolValue };
  if (typeof v.intValue === 'string' || typeof v.intValue === 'number') return { intValue: String(v.intValue) };
  // null is how JSON.stringify writes a non-finite double that was not spelled as OTLP JSON does: the value is lost.
  if (v.doubleValue !== undefined && v.doubleValue !== null) return { doubleValue: parseDouble(v.doubleValue, `${path}.doubleValue`) };
  if (typeof v.bytesValue === 'string') return { bytesValue: v.bytesValue };
  if (isObject(v.arrayValue)) {
    const values = optionalArray(v.arrayValue.values, `${path}.arrayValue.values`);
    return { arrayValue: { values: values.map((item, i) => parseAnyValue(item, `${path}.arrayValue.values[${i}]`, depth + 1)) } };
  }
  if (isObject(v.kvlistValue)) {
    const values = optionalArray(v.kvlistValue.values, `${path}.kvlistValue.values`);
    return { kvlistValue: { values: values.map((kv, i) => parseKeyValue(kv, `${path}.kvlistValue.values[${i}]`, depth + 1)) } };
  }
  return {};
}

export function parseKeyValue(value: unknown, path: string, depth = 0): KeyValue {
  const kv = expectObject(value, path);
  return { key: expectString(kv.key, `${path}.key`), value: parseAnyValue(kv.value, `${path}.value`, depth) };
}

export function parseAttributes(value: unknown, path: string): KeyValue[] {
  return optionalArray(value, path).map((kv, i) => parseKeyValue(kv, `${path}[${i}]`));
}

export function parseResource(value: unknown, path: string): Resource {
  const r = expectObject(value ?? {}, path);
  return {
    attributes: parseAttributes(r.attributes, `${path}.attributes`),
    droppedAttributesCount: optionalNumber(r.droppedAttributesCount, `${path}.droppedAttributesCount`),
  };
}

export function parseScope(value: unknown, path: string): InstrumentationScope {
  const s = expectObject(value ?? {}, path);
  return {
    name: optionalString(s.name, `${path}.name`),
    version: optionalString(s.version, `${path}.version`),
    attributes: parseAttributes(s.attributes, `${path}.attributes`),
    droppedAttributesCount: optionalNumber(s.droppedAttributesCount, `${path}.droppedAttributesCount`),
  };
}

function parseEvent(value: unknown, path: string): SpanEvent {
  const e = expectObject(value, path);
  return {
    timeUnixNano: nanos(e.timeUnixNano, `${path}.timeUnixNano`),
    name: optionalString(e.name, `${path}.name`),
    attributes: parseAttributes(e.attributes, `${path}.attributes`),
    droppedAttributesCount: optionalNumber(e.droppedAttributesCount, `${path}.droppedAttributesCount`),
  };
}

export function parseLink(value: unknown, path: string): SpanLink {
  const l = expectObject(value, path);
  return {
    traceId: expectString(l.traceId, `${path}.traceId`),
    spanId: expectString(l.spanId, `${path}.spanId`),
    traceState: optionalString(l.traceState, `${path}.traceState`),
    attributes: parseAttributes(l.attributes, `${path}.attributes`),
    droppedAttributesCount: optionalNumber(l.droppedAttributesCount, `${path}.droppedAttributesCount`),
    flags: optionalNumber(l.flags, `${path}.flags`),
  };
}

export function parseSpanJson(value: unknown, path: string): Span {
  const s = expectObject(value, path);
  const status = expectObject(s.status ?? {}, `${path}.status`);
  const resource = parseResource(s.resource, `${path}.resource`);
  const serviceAttr = resource.attributes.find((kv) => kv.key === 'service.name')?.value.stringValue;
  return {
    traceId: expectString(s.traceId, `${path}.traceId`),
    spanId: expectString(s.spanId, `${path}.spanId`),
    parentSpanId: optionalString(s.parentSpanId, `${path}.parentSpanId`),
    traceState: optionalString(s.traceState, `${path}.traceState`),
    flags: optionalNumber(s.flags, `${path}.flags`),
    name: optionalString(s.name, `${path}.name`),
    kind: optionalNumber(s.kind, `${path}.kind`) as SpanKind,
    startTimeUnixNano: nanos(s.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endTimeUnixNano: nanos(s.endTimeUnixNano, `${path}.endTimeUnixNano`),
    attributes: parseAttributes(s.attributes, `${path}.attributes`),
    droppedAttributesCount: optionalNumber(s.droppedAttributesCount, `${path}.droppedAttributesCount`),
    events: optionalArray(s.events, `${path}.events`).map((e, i) => parseEvent(e, `${path}.events[${i}]`)),
    droppedEventsCount: optionalNumber(s.droppedEventsCount, `${path}.droppedEventsCount`),
    links: optionalArray(s.links, `${path}.links`).map((l, i) => parseLink(l, `${path}.links[${i}]`)),
    droppedLinksCount: optionalNumber(s.droppedLinksCount, `${path}.droppedLinksCount`),
    status: {
      code: optionalNumber(status.code, `${path}.status.code`) as StatusCode,
      message: optionalString(status.message, `${path}.status.message`),
    },
    resource,
    scope: parseScope(s.scope, `${path}.scope`),
    serviceName: optionalString(s.serviceName, `${path}.serviceName`) || serviceAttr || UNKNOWN_SERVICE,
  };
}
