import {
  SpanKind,
  StatusCode,
  type AnyValue,
  type JaegerLog,
  type JaegerProcess,
  type JaegerReference,
  type JaegerSpan,
  type JaegerTag,
  type JaegerTrace,
  type KeyValue,
  type Resource,
  type Span,
  type SpanLink,
} from '@threadline/shared';

/**
 * Threadline spans → the Jaeger UI JSON model (`/api/traces`), following what Jaeger
 * itself does with OTLP data (the collector-contrib `traces_to_jaegerproto` translator
 * followed by Jaeger's `model/converter/json`), so Grafana and the Jaeger UI show our
 * traces exactly as they would show Jaeger's.
 */

const SERVICE_NAME = 'service.name';
const MAX_SAFE_INT = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_INT = BigInt(Number.MIN_SAFE_INTEGER);

/** The translator tags internal spans too (its README says not to; its code, which Jaeger runs, does). */
export const SPAN_KIND_TAG: Partial<Record<SpanKind, string>> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

export function toJaegerTrace(traceId: string, spans: readonly Span[]): JaegerTrace {
  const byStart = spans
    .map((span, index) => ({ span, index, start: BigInt(span.startTimeUnixNano) }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.index - b.index));
  const spanIds = new Set(spans.map((s) => s.spanId));
  const processes = new JaegerProcesses();
  const jaegerSpans = byStart.map(({ span }) => toJaegerSpan(span, processes.idOf(span.resource, span.serviceName), spanIds));
  return { traceID: traceId, spans: jaegerSpans, processes: processes.processes, warnings: null };
}

/**
 * A trace's Jaeger processes: one per distinct resource, so two instances of a service
 * (different `host.name`, `service.instance.id`) stay apart, as they do in Jaeger. Numbered
 * p1, p2… in the order `idOf` first meets them (the spans' start order).
 */
export class JaegerProcesses {
  readonly processes: Record<string, JaegerProcess> = {};
  private readonly byKey = new Map<string, string>();

  idOf(resource: Resource, serviceName: string): string {
    const process = processOf(resource, serviceName);
    let id = this.byKey.get(process.key);
    if (id === undefined) {
      id = `p${this.byKey.size + 1}`;
      this.byKey.set(process.key, id);
      this.processes[id] = { serviceName, tags: process.tags };
    }
    return id;
  }
}

/** A resource's process: the key that tells processes apart, and its tags (shared by every trace: not to be changed). */
interface ResourceProcess {
  key: string;
  tags: JaegerTag[];
}

/**
 * The stored spans' resources are shared objects (part-interner.ts): each one's process is
 * worked out once, not once per trace, and its key is one string whose hash V8 keeps.
 */
const resourceProcesses = new WeakMap<Resource, Map<string, ResourceProcess>>();

function processOf(resource: Resource, serviceName: string): ResourceProcess {
  let byService = resourceProcesses.get(resource);
  if (!byService) resourceProcesses.set(resource, (byService = new Map()));
  let process = byService.get(serviceName);
  if (!process) {
    const tags = Object.freeze(resource.attributes.filter((kv) => kv.key !== SERVICE_NAME).map(toJaegerTag)) as JaegerTag[];
    byService.set(serviceName, (process = { key: processKey(resource, serviceName), tags }));
  }
  return process;
}

/** Attributes are sorted for the key only, so a receiver reordering them does not split a process. */
function processKey(resource: Resource, serviceName: string): string {
  const attrs = [...resource.attributes].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return JSON.stringify([serviceName, attrs]);
}

/** A parent that never arrived (dropped, or still buffered in its service's exporter) leaves the span orphaned; Jaeger's clock-skew adjuster flags the same case. */
export function orphanWarning(parentSpanId: string): string {
  return `parent span ID=${parentSpanId} is not in the trace; it may have been dropped or not exported yet`;
}

export function toJaegerSpan(span: Span, processID: string, spanIds: ReadonlySet<string>): JaegerSpan {
  const start = BigInt(span.startTimeUnixNano);
  const end = BigInt(span.endTimeUnixNano);
  const warnings = span.parentSpanId !== '' && !spanIds.has(span.parentSpanId) ? [orphanWarning(span.parentSpanId)] : null;
  return {
    traceID: span.traceId,
    spanID: span.spanId,
    // The low byte of OTLP flags is the W3C trace-flags byte, whose sampled bit is
    // Jaeger's sampled flag (1); the higher OTLP bits (remote parent) mean nothing to Jaeger.
    flags: span.flags & 0xff,
    operationName: span.name,
    references: toJaegerReferences(span.traceId, span.parentSpanId, span.links),
    startTime: nsToMicros(start),
    // Jaeger truncates the duration itself, not the difference of truncated timestamps.
    duration: end > start ? nsToMicros(end - start) : 0,
    tags: toSpanTags(span),
    logs: span.events.map(
      (event): JaegerLog => ({ timestamp: nsToMicros(BigInt(event.timeUnixNano)), fields: toLogFields(event.name, event.attributes) }),
    ),
    processID,
    warnings,
  };
}

/** Truncating, like Jaeger; µs since the epoch stay far below 2^53 until the year 2255. */
export function nsToMicros(ns: bigint): number {
  return Number(ns / 1000n);
}

/**
 * The parent first (backends look for the first CHILD_OF), then one FOLLOWS_FROM per
 * link unless the link says `opentracing.ref_type=child_of` (spans converted from
 * OpenTracing). A link to the parent itself only changes the parent reference's type.
 */
export function toJaegerReferences(traceId: string, parentSpanId: string, links: readonly SpanLink[]): JaegerReference[] {
  const refs: JaegerReference[] = [];
  if (parentSpanId !== '') refs.push({ refType: 'CHILD_OF', traceID: traceId, spanID: parentSpanId });
  for (const link of links) {
    const refType = linkRefType(link);
    const parentRef = refs[0];
    if (parentRef && parentSpanId !== '' && link.traceId === traceId && link.spanId === parentSpanId) {
      parentRef.refType = refType;
      continue;
    }
    refs.push({ refType, traceID: link.traceId, spanID: link.spanId });
  }
  return refs;
}

function linkRefType(link: SpanLink): JaegerReference['refType'] {
  const refType = link.attributes.find((kv) => kv.key === 'opentracing.ref_type')?.value.stringValue;
  return refType === 'child_of' ? 'CHILD_OF' : 'FOLLOWS_FROM';
}

/** Scope, attributes, then the fields Jaeger has no slot for, in the translator's order. */
function toSpanTags(span: Span): JaegerTag[] {
  const isError = span.status.code === StatusCode.ERROR;
  const tags: JaegerTag[] = [];
  if (span.scope.name !== '') tags.push(stringTag('otel.scope.name', span.scope.name));
  if (span.scope.version !== '') tags.push(stringTag('otel.scope.version', span.scope.version));
  for (const kv of span.attributes) {
    // The status decides `error` when it says ERROR; keeping the attribute too would show two.
    if (!(isError && kv.key === 'error')) tags.push(toJaegerTag(kv));
  }
  const kind = SPAN_KIND_TAG[span.kind];
  if (kind !== undefined) tags.push(stringTag('span.kind', kind));
  if (span.status.code === StatusCode.OK) tags.push(stringTag('otel.status_code', 'OK'));
  if (isError) tags.push(stringTag('otel.status_code', 'ERROR'), { key: 'error', type: 'bool', value: true });
  if (span.status.message !== '') tags.push(stringTag('otel.status_description', span.status.message));
  if (span.traceState !== '') tags.push(stringTag('w3c.tracestate', span.traceState));
  // Named by the OpenTelemetry spec's mapping to non-OTLP formats.
  pushCount(tags, 'otel.dropped_attributes_count', span.droppedAttributesCount);
  pushCount(tags, 'otel.dropped_events_count', span.droppedEventsCount);
  pushCount(tags, 'otel.dropped_links_count', span.droppedLinksCount);
  return tags;
}

function pushCount(tags: JaegerTag[], key: string, count: number): void {
  if (count > 0) tags.push({ key, type: 'int64', value: count });
}

/** The event name becomes the `event` field, unless an attribute already claims that key. */
function toLogFields(name: string, attributes: readonly KeyValue[]): JaegerTag[] {
  const fields = attributes.map(toJaegerTag);
  if (name !== '' && !attributes.some((kv) => kv.key === 'event')) fields.unshift(stringTag('event', name));
  return fields;
}

function stringTag(key: string, value: string): JaegerTag {
  return { key, type: 'string', value };
}

export function toJaegerTag({ key, value: v }: KeyValue): JaegerTag {
  if (v.stringValue !== undefined) return stringTag(key, v.stringValue);
  if (v.boolValue !== undefined) return { key, type: 'bool', value: v.boolValue };
  if (v.intValue !== undefined) {
    // Jaeger's own JSON converter does the same: an int64 a JS number cannot hold
    // exactly keeps type int64 but travels as a decimal string, so no client rounds it.
    const n = BigInt(v.intValue);
    return { key, type: 'int64', value: n <= MAX_SAFE_INT && n >= MIN_SAFE_INT ? Number(n) : n.toString() };
  }
  if (v.doubleValue !== undefined) {
    // JSON has no NaN or Infinity; a string keeps them readable instead of turning into null.
    const d = v.doubleValue;
    return { key, type: 'float64', value: Number.isFinite(d) ? d : String(d) };
  }
  // Jaeger's JSON carries binary values as base64, which is how we store them.
  if (v.bytesValue !== undefined) return { key, type: 'binary', value: v.bytesValue };
  if (v.arrayValue !== undefined || v.kvlistValue !== undefined) return stringTag(key, toJsonText(v));
  return stringTag(key, '');
}

/**
 * Arrays and maps become JSON text, as the translator's `AsString` does. Written by hand
 * so int64 elements keep every digit (JSON numbers have no size limit; JS numbers do).
 */
function toJsonText(v: AnyValue): string {
  if (v.stringValue !== undefined) return JSON.stringify(v.stringValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return BigInt(v.intValue).toString();
  if (v.doubleValue !== undefined) return Number.isFinite(v.doubleValue) ? String(v.doubleValue) : JSON.stringify(String(v.doubleValue));
  if (v.bytesValue !== undefined) return JSON.stringify(v.bytesValue);
  if (v.arrayValue !== undefined) return `[${v.arrayValue.values.map(toJsonText).join(',')}]`;
  if (v.kvlistValue !== undefined) {
    return `{${v.kvlistValue.values.map((kv) => `${JSON.stringify(kv.key)}:${toJsonText(kv.value)}`).join(',')}}`;
  }
  return 'null';
}
