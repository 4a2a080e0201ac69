/**
 * Encodes a trace in the compact format (`@threadline/shared` compact-trace.ts, docs/api.md
 * §5.4) as the store hands it over, a page at a time (SpanStore.streamTrace): each page is
 * written out as JSON text before the next is read, so neither the spans of a 100k-span
 * trace nor the response text are ever whole in memory. Resources and scopes follow the
 * spans because they are only known once every span was seen, and so do the parent fixes
 * of Zipkin shared spans' children (zipkin-shared-spans.ts) for the same reason.
 *
 * A store that keeps spans as OTLP protobuf hands its pages over undecoded
 * (SpanStore.streamTraceProto): those spans are transcoded straight into JSON bytes
 * (proto-span-reader.ts reads them, `writeRecord` writes them), the same bytes `encode`
 * and `toOtlpJsonText` give for the decoded span, at a fraction of the work and garbage.
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
import { unsignedDecimal } from '../../receivers/otlp/protobuf-reader.js';
import { isProtoSpan, type ProtoSpan, type ProtoSpanPage, type TracePage } from '../../store/proto-span-page.js';
import { ProtoSpanReader, type AttributeEntry, type SlotOf, type SpanRecord, type TableSlot } from '../proto-span-reader.js';
import { JsonBytes } from '../json-bytes.js';

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
 * that index. Equal attributes share a slot, which holds the index once there is one; slots
 * are only made while the table has room.
 */
class AttributeTable {
  private size = 0;
  private readonly slots = new ScalarAttributeMap<TableSlot>();

  readonly slotOf: SlotOf = (kv, field) => {
    let slot = this.slots.get(kv, field);
    if (slot === undefined && this.size < COMPACT_ATTRIBUTE_TABLE_SIZE) this.slots.set(kv, field, (slot = { index: -1 }));
    return slot;
  };

  /** The index to send instead of an attribute with this slot, or -1 to send it in full (it then takes the next index, if there is room). */
  indexFor(slot: TableSlot | undefined): number {
    if (slot === undefined) return -1;
    if (slot.index >= 0) return slot.index;
    if (this.size < COMPACT_ATTRIBUTE_TABLE_SIZE) slot.index = this.size++;
    return -1;
  }

  refer(list: readonly KeyValue[]): CompactAttribute[] {
    return list.map((kv) => {
      const field = attributeTableField(kv.value);
      const index = field === undefined ? -1 : this.indexFor(this.slotOf(kv, field));
      return index >= 0 ? index : kv;
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
  private readonly baseHi: number;
  private readonly baseLo: number;
  private readonly reader: ProtoSpanReader;
  private readonly out = new JsonBytes();

  /** `base`: any time near the trace's start; offsets before it are negative. */
  constructor(
    readonly base: bigint,
    readonly format: CompactFormat = COMPACT_TRACE_FORMAT,
  ) {
    this.table = format === COMPACT_TRACE_FORMAT_3 ? new AttributeTable() : undefined;
    this.offsets = nanosBase(base);
    this.baseHi = Number(base >> 32n);
    this.baseLo = Number(base & 0xffffffffn);
    this.reader = new ProtoSpanReader({ slotOf: this.table?.slotOf, text: toOtlpJsonText });
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

  /**
   * The page's spans as compact-span JSON text, comma-separated: ProtoSpans transcoded,
   * decoded spans encoded. Every span is read before any is written (so the store's decoding
   * of the page is taken, if needed, before the encoder remembers anything of it).
   */
  pageBytes(page: ProtoSpanPage, first: boolean): Buffer {
    this.out.ascii(first ? '\n' : '\n,');
    this.writePage(page, this.out);
    return this.out.take();
  }

  private writePage(page: ProtoSpanPage, out: JsonBytes): void {
    const records = page.spans.map((s) => (isProtoSpan(s) ? this.reader.read(s) : undefined));
    const decoded = records.some((rec, i) => rec === undefined && isProtoSpan(page.spans[i]!)) ? page.decode() : undefined;
    page.spans.forEach((s, i) => {
      if (i > 0) out.byte(0x2c);
      const rec = records[i];
      if (rec) this.writeRecord(rec, s as ProtoSpan, out);
      else out.text(toOtlpJsonText(this.encode(decoded?.[i] ?? (s as Span))));
    });
  }

  /** `encode` of the span `rec` was read from, written as JSON text (the same text, byte for byte). */
  private writeRecord(rec: SpanRecord, proto: ProtoSpan, out: JsonBytes): void {
    this.fixes.noteIds(rec.traceId, rec.spanId, rec.parentSpanId, proto.serviceName, rec.sharedSpanId);
    const resource = this.resources.indexOf(proto.resource);
    this.names[resource] ??= proto.serviceName;
    out.ascii('["');
    out.ascii(rec.spanId);
    out.ascii('","');
    out.ascii(rec.parentSpanId);
    out.ascii('",');
    out.utf8String(rec.bytes, rec.nameAt, rec.nameLength);
    out.byte(0x2c);
    out.int(rec.kind);
    out.byte(0x2c);
    this.writeOffset(rec.startLo, rec.startHi, out);
    out.byte(0x2c);
    this.writeOffset(rec.endLo, rec.endHi, out);
    out.byte(0x2c);
    out.int(resource);
    out.byte(0x2c);
    out.int(this.scopes.indexOf(proto.scope));
    out.byte(0x2c);
    out.int(rec.statusCode);
    out.byte(0x2c);
    out.utf8String(rec.bytes, rec.statusMessageAt, rec.statusMessageLength);
    out.byte(0x2c);
    this.writeAttributes(rec.attributes, out);
    out.ascii(',[');
    rec.events.forEach((e, i) => {
      out.ascii(i > 0 ? ',[' : '[');
      this.writeOffset(e.timeLo, e.timeHi, out);
      out.byte(0x2c);
      out.utf8String(rec.bytes, e.nameAt, e.nameLength);
      out.byte(0x2c);
      this.writeAttributes(e.attributes, out);
      out.byte(0x2c);
      out.int(e.droppedAttributesCount);
      out.byte(0x5d);
    });
    out.ascii('],');
    if (rec.links.length === 0) out.ascii('[]');
    else out.text(toOtlpJsonText(rec.links));
    out.byte(0x2c);
    out.int(rec.flags);
    out.byte(0x2c);
    out.utf8String(rec.bytes, rec.traceStateAt, rec.traceStateLength);
    out.ascii(',[');
    out.int(rec.droppedAttributesCount);
    out.byte(0x2c);
    out.int(rec.droppedEventsCount);
    out.byte(0x2c);
    out.int(rec.droppedLinksCount);
    out.ascii(']]');
  }

  private writeAttributes(list: readonly AttributeEntry[], out: JsonBytes): void {
    out.byte(0x5b);
    list.forEach((a, i) => {
      if (i > 0) out.byte(0x2c);
      const index = this.table ? this.table.indexFor(a.slot) : -1;
      if (index >= 0) out.int(index);
      else out.bytes(a.json);
    });
    out.byte(0x5d);
  }

  /** toOffset of a uint64 given as halves, without making its decimal text while the offset is exact below 2^52. */
  private writeOffset(lo: number, hi: number, out: JsonBytes): void {
    const high = hi - this.baseHi;
    if (high > -0x100000 && high < 0x100000) out.int(high * 0x100000000 + (lo - this.baseLo));
    else out.text(JSON.stringify(toOffset(unsignedDecimal(lo, hi), this.offsets)));
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

function pieceOf(page: TracePage, enc: CompactEncoder, first: boolean): string | Buffer {
  if (Array.isArray(page)) return pageText(page, enc, first);
  return page.spans.length === 0 ? '' : enc.pageBytes(page, first);
}

/**
 * The compact document as JSON text (UTF-8 bytes for the store's protobuf pages), one piece
 * per page, encoded only as it is pulled (a stream piped to a slow client pulls no faster
 * than it reads, and so reads no further pages from the store). `first` is the trace's
 * first page, already read to know that the trace exists; its earliest start is the
 * document's base time. It is encoded at once, so that a failure to read it throws here,
 * before anything is sent. `rest` is returned (closed) when the consumer stops early.
 */
export function compactTraceText(traceId: string, first: TracePage, rest: AsyncIterator<TracePage>, format: CompactFormat = COMPACT_TRACE_FORMAT): AsyncGenerator<string | Buffer> {
  const enc = new CompactEncoder(earliestStartNanos(Array.isArray(first) ? first : first.spans), format);
  let firstPiece: string | Buffer;
  try {
    firstPiece = pieceOf(first, enc, true);
  } catch (err) {
    void rest.return?.()?.catch(() => undefined);
    throw err;
  }
  return (async function* () {
    try {
      yield headerText(traceId, enc);
      yield firstPiece;
      for (let next = await rest.next(); !next.done; next = await rest.next()) yield pieceOf(next.value, enc, false);
      yield trailerText(enc);
    } finally {
      await rest.return?.();
    }
  })();
}

/** `compactTraceText` over spans held whole, cut into pages: the same text as a store's pages would give. */
export function* compactTraceChunks(traceId: string, spans: readonly Span[], pageSpans = 1000, format: CompactFormat = COMPACT_TRACE_FORMAT): Generator<string> {
  const enc = new CompactEncoder(earliestStartNanos(spans), format);
  yield headerText(traceId, enc);
  for (let from = 0; from < spans.length; from += pageSpans) yield pageText(spans.slice(from, from + pageSpans), enc, from === 0);
  yield trailerText(enc);
}
