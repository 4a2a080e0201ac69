/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` into `OtlpTraceRequest`.
 *
 * OTLP/JSON is protobuf's JSON mapping with OTLP's deviations: trace and span IDs are hex
 * (case-insensitive), not base64, and enums are integers. Like the OpenTelemetry Collector
 * we also accept what plain protojson allows even though OTLP senders must not produce it:
 * snake_case field names and enum names ("SPAN_KIND_SERVER"). Unknown fields are ignored,
 * `null` means "not set", 64-bit integers may be strings or numbers.
 */

import type { AnyValue, InstrumentationScope, KeyValue, Resource, SpanEvent, SpanLink } from '@threadline/shared';
import {
  MAX_ANY_VALUE_DEPTH,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpStatus,
  type OtlpTraceRequest,
} from './otlp-types.js';

export class OtlpJsonDecodeError extends Error {
  constructor(
    /** Where in the request, e.g. `resourceSpans[0].scopeSpans[1].spans[3].startTimeUnixNano`; '' = the whole body. */
    readonly path: string,
    problem: string,
  ) {
    super(`${path || 'request'}: ${problem}`);
    this.name = 'OtlpJsonDecodeError';
  }
}

type JsonObject = Record<string, unknown>;

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
// Canonical decimals short enough to be in range without a BigInt check.
const SHORT_UINT64 = /^(0|[1-9]\d{0,18})$/;
const SHORT_INT64 = /^(0|-?[1-9]\d{0,17})$/;
const DECIMAL_INTEGER = /^-?\d+$/;
const DECIMAL_FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// protojson accepts both base64 alphabets, with or without padding.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function parseExportTraceRequestJson(text: string): OtlpTraceRequest {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new OtlpJsonDecodeError('', `invalid JSON: ${(err as Error).message}`);
  }
  const obj = asObject(root, '');
  return { resourceSpans: list(obj, 'resourceSpans', 'resource_spans', '', readResourceSpans) };
}

function readResourceSpans(obj: JsonObject, path: string): OtlpResourceSpans {
  return {
    resource: readResource(optionalObject(obj, 'resource', 'resource', path), join(path, 'resource')),
    scopeSpans: list(obj, 'scopeSpans', 'scope_spans', path, readScopeSpans),
    schemaUrl: str(obj, 'schemaUrl', 'schema_url', path),
  };
}

function readResource(obj: JsonObject, path: string): Resource {
  return {
    attributes: attributes(obj, path),
    droppedAttributesCount: droppedAttributes(obj, path),
  };
}

function readScopeSpans(obj: JsonObject, path: string): OtlpScopeSpans {
  return {
    scope: readScope(optionalObject(obj, 'scope', 'scope', path), join(path, 'scope')),
    spans: list(obj, 'spans', 'spans', path, readSpan),
    schemaUrl: str(obj, 'schemaUrl', 'schema_url', path),
  };
}

function readScope(obj: JsonObject, path: string): InstrumentationScope {
  return {
    name: str(obj, 'name', 'name', path),
    version: str(obj, 'version', 'version', path),
    attributes: attributes(obj, path),
    droppedAttributesCount: droppedAttributes(obj, path),
  };
}

function readSpan(obj: JsonObject, path: string): OtlpSpan {
  return {
    traceId: hexId(obj, 'traceId', 'trace_id', path),
    spanId: hexId(obj, 'spanId', 'span_id', path),
    traceState: str(obj, 'traceState', 'trace_state', path),
    parentSpanId: hexId(obj, 'parentSpanId', 'parent_span_id', path),
    flags: uint32(obj, 'flags', 'flags', path),
    name: str(obj, 'name', 'name', path),
    kind: enumValue(obj, 'kind', 'kind', path, SPAN_KINDS),
    startTimeUnixNano: uint64(obj, 'startTimeUnixNano', 'start_time_unix_nano', path),
    endTimeUnixNano: uint64(obj, 'endTimeUnixNano', 'end_time_unix_nano', path),
    attributes: attributes(obj, path),
    droppedAttributesCount: droppedAttributes(obj, path),
    events: list(obj, 'events', 'events', path, readEvent),
    droppedEventsCount: uint32(obj, 'droppedEventsCount', 'dropped_events_count', path),
    links: list(obj, 'links', 'links', path, readLink),
    droppedLinksCount: uint32(obj, 'droppedLinksCount', 'dropped_links_count', path),
    status: readStatus(optionalObject(obj, 'status', 'status', path), join(path, 'status')),
  };
}

function readEvent(obj: JsonObject, path: string): SpanEvent {
  return {
    timeUnixNano: uint64(obj, 'timeUnixNano', 'time_unix_nano', path),
    name: str(obj, 'name', 'name', path),
    attributes: attributes(obj, path),
    droppedAttributesCount: droppedAttributes(obj, path),
  };
}

function readLink(obj: JsonObject, path: string): SpanLink {
  return {
    traceId: hexId(obj, 'traceId', 'trace_id', path),
    spanId: hexId(obj, 'spanId', 'span_id', path),
    traceState: str(obj, 'traceState', 'trace_state', path),
    attributes: attributes(obj, path),
    droppedAttributesCount: droppedAttributes(obj, path),
    flags: uint32(obj, 'flags', 'flags', path),
  };
}

function readStatus(obj: JsonObject, path: string): OtlpStatus {
  return {
    code: enumValue(obj, 'code', 'code', path, STATUS_CODES),
    message: str(obj, 'message', 'message', path),
  };
}

function attributes(obj: JsonObject, path: string): KeyValue[] {
  return list(obj, 'attributes', 'attributes', path, (kv, p) => readKeyValue(kv, p, 1));
}

function droppedAttributes(obj: JsonObject, path: string): number {
  return uint32(obj, 'droppedAttributesCount', 'dropped_attributes_count', path);
}

/** `depth` is the nesting level of the value: 1 for a span attribute. */
function readKeyValue(obj: JsonObject, path: string, depth: number): KeyValue {
  return {
    key: str(obj, 'key', 'key', path),
    value: readAnyValue(optionalObject(obj, 'value', 'value', path), join(path, 'value'), depth),
  };
}

function readAnyValue(obj: JsonObject, path: string, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new OtlpJsonDecodeError(path, `AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  let out: AnyValue = {};
  let members = 0;
  for (const key in obj) {
    const v = obj[key];
    if (v === null) continue;
    const p = join(path, key);
    switch (key) {
      case 'stringValue':
      case 'string_value':
        if (typeof v !== 'string') throw new OtlpJsonDecodeError(p, 'expected string');
        out = { stringValue: v };
        break;
      case 'boolValue':
      case 'bool_value':
        if (typeof v !== 'boolean') throw new OtlpJsonDecodeError(p, 'expected boolean');
        out = { boolValue: v };
        break;
      case 'intValue':
      case 'int_value':
        out = { intValue: toInt64(v, p) };
        break;
      case 'doubleValue':
      case 'double_value':
        out = { doubleValue: toDouble(v, p) };
        break;
      case 'arrayValue':
      case 'array_value':
        out = { arrayValue: { values: list(asObject(v, p), 'values', 'values', p, (item, ip) => readAnyValue(item, ip, depth + 1)) } };
        break;
      case 'kvlistValue':
      case 'kvlist_value':
        out = { kvlistValue: { values: list(asObject(v, p), 'values', 'values', p, (kv, kp) => readKeyValue(kv, kp, depth + 1)) } };
        break;
      case 'bytesValue':
      case 'bytes_value':
        out = { bytesValue: toBase64(v, p) };
        break;
      default:
        continue;
    }
    if (++members > 1) throw new OtlpJsonDecodeError(path, 'more than one member of the value oneof is set');
  }
  return out;
}

// ---- field readers: `camel` is the OTLP/JSON name, `snake` the proto name protojson also accepts.

/** The field's value, or undefined when absent or null (protojson's "not set"). */
function field(obj: JsonObject, camel: string, snake: string): unknown {
  return obj[camel] ?? obj[snake] ?? undefined;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function asObject(v: unknown, path: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OtlpJsonDecodeError(path, 'expected object');
  return v as JsonObject;
}

function optionalObject(obj: JsonObject, camel: string, snake: string, path: string): JsonObject {
  const v = field(obj, camel, snake);
  return v === undefined ? {} : asObject(v, join(path, camel));
}

function list<T>(obj: JsonObject, camel: string, snake: string, path: string, read: (item: JsonObject, path: string) => T): T[] {
  const v = field(obj, camel, snake);
  if (v === undefined) return [];
  const p = join(path, camel);
  if (!Array.isArray(v)) throw new OtlpJsonDecodeError(p, 'expected array');
  const out = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    const ip = `${p}[${i}]`;
    out[i] = read(asObject(v[i], ip), ip);
  }
  return out;
}

function str(obj: JsonObject, camel: string, snake: string, path: string): string {
  const v = field(obj, camel, snake);
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new OtlpJsonDecodeError(join(path, camel), 'expected string');
  return v;
}

/** Lowercased but otherwise as sent: `toSpans` judges length and hex-ness span by span. */
function hexId(obj: JsonObject, camel: string, snake: string, path: string): string {
  return str(obj, camel, snake, path).toLowerCase();
}

function uint32(obj: JsonObject, camel: string, snake: string, path: string): number {
  const v = field(obj, camel, snake);
  if (v === undefined) return 0;
  const n = toInteger(v, join(path, camel));
  if (n < 0 || n > 0xffffffff) throw new OtlpJsonDecodeError(join(path, camel), 'out of range for uint32');
  return n;
}

function enumValue(obj: JsonObject, camel: string, snake: string, path: string, names: Record<string, number>): number {
  const v = field(obj, camel, snake);
  if (v === undefined) return 0;
  if (typeof v === 'string' && Object.hasOwn(names, v)) return names[v]!;
  const n = toInteger(v, join(path, camel), 'expected integer or enum name');
  if (n < -0x80000000 || n > 0x7fffffff) throw new OtlpJsonDecodeError(join(path, camel), 'out of range for an enum');
  return n;
}

function uint64(obj: JsonObject, camel: string, snake: string, path: string): string {
  const v = field(obj, camel, snake);
  if (v === undefined) return '0';
  if (typeof v === 'string' && SHORT_UINT64.test(v)) return v;
  const p = join(path, camel);
  const n = toBigInt(v, p);
  if (n < 0n || n > UINT64_MAX) throw new OtlpJsonDecodeError(p, 'out of range for uint64');
  return n.toString();
}

function toInt64(v: unknown, path: string): string {
  if (typeof v === 'string' && SHORT_INT64.test(v)) return v;
  const n = toBigInt(v, path);
  if (n < INT64_MIN || n > INT64_MAX) throw new OtlpJsonDecodeError(path, 'out of range for int64');
  return n.toString();
}

/** A 32-bit integer field: a JSON number or a decimal string. */
function toInteger(v: unknown, path: string, expected = 'expected integer'): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && DECIMAL_INTEGER.test(v) && v.length <= 11) return Number(v);
  throw new OtlpJsonDecodeError(path, expected);
}

/**
 * A 64-bit integer: a decimal string, or a JSON number (whose precision JSON.parse may
 * already have cut; senders are supposed to use strings).
 */
function toBigInt(v: unknown, path: string): bigint {
  if (typeof v === 'string' && DECIMAL_INTEGER.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new OtlpJsonDecodeError(path, 'expected integer string');
}

function toDouble(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (DECIMAL_FLOAT.test(v)) return Number(v);
  }
  throw new OtlpJsonDecodeError(path, 'expected number');
}

/** Normalized to the standard, padded alphabet, which is what the span model stores. */
function toBase64(v: unknown, path: string): string {
  if (typeof v !== 'string' || !BASE64.test(v) || v.replace(/=+$/, '').length % 4 === 1) {
    throw new OtlpJsonDecodeError(path, 'expected base64 string');
  }
  return Buffer.from(v, 'base64').toString('base64');
}
