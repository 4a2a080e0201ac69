/**
 * Jaeger's JSON (`{"data":[{traceID, spans, processes}]}`, what Jaeger's UI downloads
 * and `/api/traces/{id}` returns) → spans, mapped the way Jaeger's own OTLP
 * translator does: `span.kind`, `error`, `otel.status_*` and `otel.scope.*` tags
 * become span fields, process tags become resource attributes, logs become events.
 */
import { SpanKind, StatusCode, UNKNOWN_SERVICE, normalizeHexId } from '@threadline/shared';
import type { AnyValue, InstrumentationScope, KeyValue, Span, SpanEvent, SpanLink } from '@threadline/shared';
import {
  JsonShapeError,
  expectArray,
  expectObject,
  expectString,
  isObject,
  optionalArray,
  optionalNumber,
  optionalString,
  type JsonObject,
} from './json-guards';
import { microsToNanos } from './nanos';

const KINDS: Record<string, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

/** Tags that Jaeger derives from span fields; they turn back into those fields. */
const FIELD_TAGS = new Set([
  'span.kind',
  'error',
  'otel.status_code',
  'otel.status_description',
  'otel.scope.name',
  'otel.scope.version',
  'otel.library.name',
  'otel.library.version',
  'internal.span.format',
]);

function id(value: unknown, length: number, path: string): string {
  const hex = normalizeHexId(expectString(value, path), length);
  if (hex === null) throw new JsonShapeError(path, `a hex ID of at most ${length} digits`);
  return hex;
}

function tagValue(tag: JsonObject, path: string): AnyValue {
  const value = tag.value;
  switch (tag.type) {
    case 'bool':
      return { boolValue: value === true || value === 'true' };
    case 'int64':
      return { intValue: String(value) };
    case 'float64':
      return { doubleValue: Number(value) };
    case 'binary':
      return { bytesValue: String(value) };
    case 'string':
    case undefined:
      return { stringValue: String(value ?? '') };
    default:
      throw new JsonShapeError(`${path}.type`, 'string, bool, int64, float64 or binary');
  }
}

function parseTags(value: unknown, path: string): KeyValue[] {
  return optionalArray(value, path).map((t, i) => {
    const tag = expectObject(t, `${path}[${i}]`);
    return { key: expectString(tag.key, `${path}[${i}].key`), value: tagValue(tag, `${path}[${i}]`) };
  });
}

function text(attrs: readonly KeyValue[], key: string): string | undefined {
  const v = attrs.find((kv) => kv.key === key)?.value;
  if (!v) return undefined;
  return v.stringValue ?? (v.boolValue !== undefined ? String(v.boolValue) : v.intValue);
}

function parseProcess(value: unknown, path: string): { serviceName: string; attributes: KeyValue[] } {
  const p = expectObject(value, path);
  const serviceName = optionalString(p.serviceName, `${path}.serviceName`) || UNKNOWN_SERVICE;
  const tags = parseTags(p.tags, `${path}.tags`);
  const attributes: KeyValue[] = [{ key: 'service.name', value: { stringValue: serviceName } }, ...tags];
  // Jaeger clients report the host as `hostname`; the clock-skew check looks for `host.name`.
  const host = text(tags, 'hostname');
  if (host !== undefined && text(tags, 'host.name') === undefined) attributes.push({ key: 'host.name', value: { stringValue: host } });
  return { serviceName, attributes };
}

function parseLog(value: unknown, path: string): SpanEvent {
  const log = expectObject(value, path);
  const fields = parseTags(log.fields, `${path}.fields`);
  const nameField = fields.find((f) => f.key === 'event') ?? fields.find((f) => f.key === 'message');
  return {
    timeUnixNano: microsToNanos(optionalNumber(log.timestamp, `${path}.timestamp`)),
    name: nameField?.value.stringValue ?? 'log',
    attributes: nameField ? fields.filter((f) => f !== nameField) : fields,
    droppedAttributesCount: 0,
  };
}

function parseSpan(value: unknown, path: string, traceId: string, processes: Map<string, ReturnType<typeof parseProcess>>): Span {
  const s = expectObject(value, path);
  const tags = parseTags(s.tags, `${path}.tags`);
  const processId = optionalString(s.processID, `${path}.processID`);
  const process = isObject(s.process) ? parseProcess(s.process, `${path}.process`) : processes.get(processId);
  if (!process) throw new JsonShapeError(`${path}.processID`, 'a key of processes');

  const references = optionalArray(s.references, `${path}.references`).map((r, i) => {
    const ref = expectObject(r, `${path}.references[${i}]`);
    return {
      refType: ref.refType,
      traceId: id(ref.traceID ?? traceId, 32, `${path}.references[${i}].traceID`),
      spanId: id(ref.spanID, 16, `${path}.references[${i}].spanID`),
    };
  });
  // The parent is a same-trace reference, CHILD_OF preferred as in Jaeger's UI; the others become links.
  const sameTrace = references.filter((r) => r.traceId === traceId);
  const parentRef = sameTrace.find((r) => r.refType === 'CHILD_OF') ?? sameTrace[0];
  const links: SpanLink[] = references
    .filter((r) => r !== parentRef)
    .map((r) => ({ traceId: r.traceId, spanId: r.spanId, traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 }));

  const statusCode = text(tags, 'otel.status_code');
  const isError = text(tags, 'error') === 'true' || statusCode === 'ERROR';
  const scope: InstrumentationScope = {
    name: text(tags, 'otel.scope.name') ?? text(tags, 'otel.library.name') ?? '',
    version: text(tags, 'otel.scope.version') ?? text(tags, 'otel.library.version') ?? '',
    attributes: [],
    droppedAttributesCount: 0,
  };
  const start = microsToNanos(optionalNumber(s.startTime, `${path}.startTime`));
  const end = microsToNanos(optionalNumber(s.startTime, `${path}.startTime`) + optionalNumber(s.duration, `${path}.duration`));
  return {
    traceId,
    spanId: id(s.spanID, 16, `${path}.spanID`),
    parentSpanId: parentRef?.spanId ?? '',
    traceState: '',
    flags: optionalNumber(s.flags, `${path}.flags`),
    name: optionalString(s.operationName, `${path}.operationName`),
    kind: KINDS[text(tags, 'span.kind') ?? ''] ?? SpanKind.UNSPECIFIED,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: tags.filter((t) => !FIELD_TAGS.has(t.key)),
    droppedAttributesCount: 0,
    events: optionalArray(s.logs, `${path}.logs`).map((l, i) => parseLog(l, `${path}.logs[${i}]`)),
    droppedEventsCount: 0,
    links,
    droppedLinksCount: 0,
    status: {
      code: isError ? StatusCode.ERROR : statusCode === 'OK' ? StatusCode.OK : StatusCode.UNSET,
      message: text(tags, 'otel.status_description') ?? '',
    },
    resource: { attributes: process.attributes, droppedAttributesCount: 0 },
    scope,
    serviceName: process.serviceName,
  };
}

export function parseJaegerJson(doc: unknown): Span[] {
  const root = expectObject(doc, '$');
  const spans: Span[] = [];
  expectArray(root.data, '$.data').forEach((t, i) => {
    const path = `$.data[${i}]`;
    const trace = expectObject(t, path);
    const traceId = id(trace.traceID, 32, `${path}.traceID`);
    const processes = new Map<string, ReturnType<typeof parseProcess>>();
    const rawProcesses = expectObject(trace.processes ?? {}, `${path}.processes`);
    for (const [key, value] of Object.entries(rawProcesses)) processes.set(key, parseProcess(value, `${path}.processes.${key}`));
    optionalArray(trace.spans, `${path}.spans`).forEach((s, j) => spans.push(parseSpan(s, `${path}.spans[${j}]`, traceId, processes)));
  });
  return spans;
}
