/**
 * Encodes a trace in the compact format (`@threadline/shared` compact-trace.ts, docs/api.md
 * §5.4) as the store hands it over, a page at a time (SpanStore.streamTrace): each page is
 * written out as JSON text before the next is read, so neither the spans of a 100k-span
 * trace nor the response text are ever whole in memory. Resources and scopes follow the
 * spans because they are only known once every span was seen, and so do the parent fixes
 * of Zipkin shared spans' children (zipkin-shared-spans.ts) for the same reason.
 */
import {
  attributeTableField,
  COMPACT_ATTRIBUTE_TABLE_SIZE,
  COMPACT_TRACE_FORMAT,
  COMPACT_TRACE_FORMAT_3,
  earliestStartNanos,
  exactNanosSince,
  nanosBase,
  ScalarAttributeMap,
  toOtlpJsonText,
  type CompactAttribute,
  type CompactEvent,
  type CompactOffset,
  type CompactSpan,
  type CompactTrace,
  type InstrumentationScope,
  type KeyValue,
  type NanosBase,
  type Resource,
  type Span,
} from '@threadline/shared';
import { SharedChildrenFixes } from '../../receivers/zipkin/zipkin-shared-spans.js';

/** Resources and scopes seen so far, each under the index of its first occurrence. */
class Interner<T> {
  readonly values: T[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly byIdentity = new Map<T, number>();

  indexOf(value: T): number {
    // Stores hand out shared objects for equal resources; the identity check spares a stringify.
    const known = this.byIdentity.get(value);
    if (known !== undefined) return known;
    const key = toOtlpJsonText(value);
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

function toOffset(nanos: string, base: NanosBase): CompactOffset {
  const exact = exactNanosSince(nanos, base);
  if (exact !== undefined) return exact;
  const offset = BigInt(nanos) - base.nanos;
  return offset <= BigInt(Number.MAX_SAFE_INTEGER) && offset >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(offset) : offset.toString();
}

export type CompactFormat = typeof COMPACT_TRACE_FORMAT | typeof COMPACT_TRACE_FORMAT_3;

/**
 * compact-3's attribute table: every attribute sent in full that has an attributeTableField
 * gets the next index (until the table is full), and an equal attribute later is sent as
 * that index.
 */
class AttributeTable {
  private size = 0;
  private readonly indexes = new ScalarAttributeMap<number>();

  refer(list: readonly KeyValue[]): CompactAttribute[] {
    return list.map((kv) => {
      const field = attributeTableField(kv.value);
      if (field === undefined) return kv;
      const known = this.indexes.get(kv, field);
      if (known !== undefined) return known;
      if (this.size < COMPACT_ATTRIBUTE_TABLE_SIZE) this.indexes.set(kv, field, this.size++);
      return kv;
    });
  }
}

/** Turns spans into compact ones, remembering what the trailer needs. */
class CompactEncoder {
  readonly resources = new Interner<Resource & { serviceName?: string }>();
  readonly scopes = new Interner<InstrumentationScope>();
  private readonly names: string[] = [];
  private readonly fixes = new SharedChildrenFixes();
  private readonly table: AttributeTable | undefined;
  private readonly offsets: NanosBase;

  /** `base`: any time near the trace's start; offsets before it are negative. */
  constructor(
    readonly base: bigint,
    readonly format: CompactFormat = COMPACT_TRACE_FORMAT,
  ) {
    this.table = format === COMPACT_TRACE_FORMAT_3 ? new AttributeTable() : undefined;
    this.offsets = nanosBase(base);
  }

  private attributes(list: readonly KeyValue[]): CompactAttribute[] {
    return this.table ? this.table.refer(list) : (list as KeyValue[]);
  }

  encode(span: Span): CompactSpan {
    this.fixes.note(span);
    const resource = this.resources.indexOf(span.resource);
    this.names[resource] ??= span.serviceName;
    // The span's attributes before its events': the order a client reads them, which the table's indexes follow.
    const attributes = this.attributes(span.attributes);
    const events: CompactEvent[] = span.events.map((e) => [toOffset(e.timeUnixNano, this.offsets), e.name, this.attributes(e.attributes), e.droppedAttributesCount]);
    return [
      span.spanId,
      span.parentSpanId,
      span.name,
      span.kind,
      toOffset(span.startTimeUnixNano, this.offsets),
      toOffset(span.endTimeUnixNano, this.offsets),
      resource,
      this.scopes.indexOf(span.scope),
      span.status.code,
      span.status.message,
      attributes,
      events,
      span.links,
      span.flags,
      span.traceState,
      [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    ];
  }

  trailer(): Pick<CompactTrace, 'resources' | 'scopes' | 'parentFixes'> {
    return {
      resources: this.resources.values.map((r, i) => ({ attributes: r.attributes, droppedAttributesCount: r.droppedAttributesCount, serviceName: this.names[i]! })),
      scopes: this.scopes.values,
      parentFixes: [...this.fixes.parents()],
    };
  }
}

/** The whole compact trace as one object, for a trace held whole (tests, small traces); spans in the given order. */
export function buildCompactTrace(traceId: string, spans: readonly Span[], format: CompactFormat = COMPACT_TRACE_FORMAT): CompactTrace {
  const enc = new CompactEncoder(earliestStartNanos(spans), format);
  const encoded = spans.map((span) => enc.encode(span));
  return { traceId, format, baseTimeUnixNano: enc.base.toString(), spans: encoded, ...enc.trailer() };
}

function headerText(traceId: string, enc: CompactEncoder): string {
  return `{"traceId":${JSON.stringify(traceId)},"format":"${enc.format}","baseTimeUnixNano":"${enc.base}","spans":[`;
}

function pageText(page: readonly Span[], enc: CompactEncoder, first: boolean): string {
  if (page.length === 0) return '';
  // One stringify per page: its text without the brackets, on a line of its own (clients may parse page by page).
  const text = toOtlpJsonText(page.map((span) => enc.encode(span)));
  return `\n${first ? '' : ','}${text.slice(1, -1)}`;
}

function trailerText(enc: CompactEncoder): string {
  const { resources, scopes, parentFixes } = enc.trailer();
  return `\n],"resources":${toOtlpJsonText(resources)},"scopes":${toOtlpJsonText(scopes)},"parentFixes":${JSON.stringify(parentFixes)}}`;
}

/**
 * The compact document as JSON text, one piece per page, encoded only as it is pulled (a
 * stream piped to a slow client pulls no faster than it reads, and so reads no further
 * pages from the store). `first` is the trace's first page, already read to know that the
 * trace exists; its earliest start is the document's base time. `rest` is returned
 * (closed) when the consumer stops early.
 */
export async function* compactTraceText(traceId: string, first: readonly Span[], rest: AsyncIterator<Span[]>, format: CompactFormat = COMPACT_TRACE_FORMAT): AsyncGenerator<string> {
  const enc = new CompactEncoder(earliestStartNanos(first), format);
  try {
    yield headerText(traceId, enc) + pageText(first, enc, true);
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield pageText(next.value, enc, false);
    yield trailerText(enc);
  } finally {
    await rest.return?.();
  }
}

/** `compactTraceText` over spans held whole, cut into pages: the same text as a store's pages would give. */
export function* compactTraceChunks(traceId: string, spans: readonly Span[], pageSpans = 1000, format: CompactFormat = COMPACT_TRACE_FORMAT): Generator<string> {
  const enc = new CompactEncoder(earliestStartNanos(spans), format);
  yield headerText(traceId, enc);
  for (let from = 0; from < spans.length; from += pageSpans) yield pageText(spans.slice(from, from + pageSpans), enc, from === 0);
  yield trailerText(enc);
}
