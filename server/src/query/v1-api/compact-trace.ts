/**
 * Encodes a trace in the compact format (`@threadline/shared` compact-trace.ts, docs/api.md
 * §5.4). Spans go out in chunks as they are encoded, so the response text of a 100k-span
 * trace is never one string in memory; resources and scopes follow the spans because they
 * are only known once every span was seen.
 */
import {
  COMPACT_TRACE_FORMAT,
  earliestStartNanos,
  type CompactEvent,
  type CompactOffset,
  type CompactSpan,
  type CompactTrace,
  type InstrumentationScope,
  type Resource,
  type Span,
} from '@threadline/shared';

const SPANS_PER_CHUNK = 1000;

/** OTLP JSON's spelling of non-finite doubles (JSON.stringify would write null). */
function jsonReplacer(key: string, value: unknown): unknown {
  return key === 'doubleValue' && typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** Resources and scopes seen so far, each under the index of its first occurrence. */
class Interner<T> {
  readonly values: T[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly byIdentity = new Map<T, number>();

  indexOf(value: T): number {
    // Stores hand out shared objects for equal resources; the identity check spares a stringify.
    const known = this.byIdentity.get(value);
    if (known !== undefined) return known;
    const key = JSON.stringify(value, jsonReplacer);
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.byKey.set(key, index);
    }
    this.byIdentity.set(value, index);
    return index;
  }
}

function toOffset(nanos: string, base: bigint): CompactOffset {
  const offset = BigInt(nanos) - base;
  return offset <= BigInt(Number.MAX_SAFE_INTEGER) && offset >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(offset) : offset.toString();
}

interface Encoder {
  readonly base: bigint;
  readonly resources: Interner<Resource & { serviceName?: string }>;
  readonly scopes: Interner<InstrumentationScope>;
}

function encodeSpan(span: Span, enc: Encoder): CompactSpan {
  const events: CompactEvent[] = span.events.map((e) => [toOffset(e.timeUnixNano, enc.base), e.name, e.attributes, e.droppedAttributesCount]);
  return [
    span.spanId,
    span.parentSpanId,
    span.name,
    span.kind,
    toOffset(span.startTimeUnixNano, enc.base),
    toOffset(span.endTimeUnixNano, enc.base),
    enc.resources.indexOf(span.resource),
    enc.scopes.indexOf(span.scope),
    span.status.code,
    span.status.message,
    span.attributes,
    events,
    span.links,
    span.flags,
    span.traceState,
    [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
  ];
}

function serviceNames(spans: readonly Span[], enc: Encoder): string[] {
  const names: string[] = [];
  for (const span of spans) names[enc.resources.indexOf(span.resource)] ??= span.serviceName;
  return names;
}

/** The whole compact trace as one object: for tests and small traces. */
export function buildCompactTrace(traceId: string, spans: readonly Span[]): CompactTrace {
  const enc: Encoder = { base: earliestStartNanos(spans), resources: new Interner(), scopes: new Interner() };
  const encoded = spans.map((span) => encodeSpan(span, enc));
  const names = serviceNames(spans, enc);
  return {
    traceId,
    format: COMPACT_TRACE_FORMAT,
    baseTimeUnixNano: enc.base.toString(),
    spans: encoded,
    resources: enc.resources.values.map((r, i) => ({ attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount, serviceName: names[i]! })),
    scopes: enc.scopes.values,
  };
}

/**
 * The same document as JSON text, in chunks of about a thousand spans, encoded only as
 * they are pulled (a stream piped to a slow client pulls no faster than it reads).
 * Equal to `JSON.stringify(buildCompactTrace(...))` parsed, with non-finite doubles
 * spelled as strings.
 */
export function* compactTraceChunks(traceId: string, spans: readonly Span[]): Generator<string> {
  const enc: Encoder = { base: earliestStartNanos(spans), resources: new Interner(), scopes: new Interner() };
  yield `{"traceId":${JSON.stringify(traceId)},"format":"${COMPACT_TRACE_FORMAT}","baseTimeUnixNano":"${enc.base}","spans":[`;
  for (let from = 0; from < spans.length; from += SPANS_PER_CHUNK) {
    const chunk = spans.slice(from, from + SPANS_PER_CHUNK).map((span) => JSON.stringify(encodeSpan(span, enc), jsonReplacer));
    yield `${from > 0 ? ',' : ''}${chunk.join(',')}`;
  }
  const names = serviceNames(spans, enc);
  const resources = enc.resources.values.map((r, i) => ({ attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount, serviceName: names[i]! }));
  yield `],"resources":${JSON.stringify(resources, jsonReplacer)},"scopes":${JSON.stringify(enc.scopes.values, jsonReplacer)}}`;
}
