/**
 * Hands decoded spans from the trace loader worker to the page as one transferable buffer of
 * numbers and a list of strings, instead of a structured clone of the span objects. A clone
 * of a 100k-span trace is half a million small objects serialized on the worker and
 * deserialized on the page (0.3–0.4 s each side on the 2-core machine), the deserializing
 * on the page's own thread; rebuilding the objects from numbers is a plain loop.
 *
 * Packer and unpacker keep their tables across batches: a string, attribute or status is
 * sent once and referred to by number after that, so the page's spans share them as the
 * worker's did (a 100k-span trace repeats a few hundred names, each parent ID once per
 * child, and most attributes across its spans), and equal statuses and scalar attributes
 * the worker had as separate objects become one.
 *
 * Layout of `words`, one span after the other (S = a string number):
 *   traceId S, spanId S, parentSpanId S, traceState S, flags, name S, kind,
 *   startTimeUnixNano S, endTimeUnixNano S, attributes (list), droppedAttributesCount,
 *   events: count, then each: timeUnixNano S, name S, attributes (list), droppedAttributesCount,
 *   droppedEventsCount,
 *   links: count, then each: traceId S, spanId S, traceState S, attributes (list), droppedAttributesCount, flags,
 *   droppedLinksCount, status: its number, or NEW then code, message S.
 * An attribute list is its length, then each attribute: its number, or NEW then key S, a
 * value tag, and the value (a string number, a double, or 0/1).
 */
import { ScalarAttributeMap, attributeTableField, type AnyValue, type KeyValue, type Span, type SpanEvent, type SpanLink, type SpanStatus, type StatusCode, type SpanKind } from '@threadline/shared';

/** One batch of packed spans; `words` is meant to be transferred, not copied. */
export interface PackedSpans {
  /** Strings first used in this batch, numbered on from the batches before. */
  strings: string[];
  words: Float64Array;
  count: number;
}

/** Marks a table entry (attribute, status) sent in full, numbered next. */
const NEW = -1;

const enum Tag {
  Empty = 0,
  String = 1,
  Int = 2,
  Double = 3,
  True = 4,
  False = 5,
  Bytes = 6,
  /** Arrays and key-value lists, as JSON text: rare, and nested. */
  Json = 7,
}

/** Worker side: packs batches of spans, remembering what earlier batches sent. */
export class SpanPacker {
  private readonly stringIds = new Map<string, number>();
  private readonly attributeIds = new Map<KeyValue, number>();
  private readonly scalarIds = new ScalarAttributeMap<number>();
  private readonly statusIds = new Map<SpanStatus, number>();
  private readonly statusKeys = new Map<string, number>();
  private attributeCount = 0;
  private statusCount = 0;
  private stringCount = 0;
  private lastText: string | undefined;
  private lastId = 0;
  private strings: string[] = [];
  private words = new Float64Array(1 << 16);
  private at = 0;

  pack(spans: readonly Span[]): PackedSpans {
    this.strings = [];
    this.words = new Float64Array(Math.max(1 << 12, spans.length * 24));
    this.at = 0;
    for (const span of spans) this.span(span);
    const packed = { strings: this.strings, words: this.words.subarray(0, this.at).slice(), count: spans.length };
    this.words = new Float64Array(0);
    return packed;
  }

  private span(s: Span): void {
    this.text(s.traceId);
    // A span ID is new (no lookup), and known by the time its children's parent IDs come.
    this.stringIds.set(s.spanId, this.fresh(s.spanId));
    this.text(s.parentSpanId);
    this.text(s.traceState);
    this.word(s.flags);
    this.text(s.name);
    this.word(s.kind);
    this.fresh(s.startTimeUnixNano);
    this.fresh(s.endTimeUnixNano);
    this.attributes(s.attributes);
    this.word(s.droppedAttributesCount);
    this.word(s.events.length);
    for (const e of s.events) {
      this.fresh(e.timeUnixNano);
      this.text(e.name);
      this.attributes(e.attributes);
      this.word(e.droppedAttributesCount);
    }
    this.word(s.droppedEventsCount);
    this.word(s.links.length);
    for (const l of s.links) {
      this.text(l.traceId);
      this.text(l.spanId);
      this.text(l.traceState);
      this.attributes(l.attributes);
      this.word(l.droppedAttributesCount);
      this.word(l.flags);
    }
    this.word(s.droppedLinksCount);
    this.status(s.status);
  }

  private status(status: SpanStatus): void {
    const known = this.statusIds.get(status);
    if (known !== undefined) return this.word(known);
    const key = `${status.code}:${status.message}`;
    const equal = this.statusKeys.get(key);
    if (equal !== undefined) {
      this.statusIds.set(status, equal);
      return this.word(equal);
    }
    this.statusKeys.set(key, this.statusCount);
    this.statusIds.set(status, this.statusCount++);
    this.word(NEW);
    this.word(status.code);
    this.text(status.message);
  }

  private attributes(list: readonly KeyValue[]): void {
    this.word(list.length);
    for (const kv of list) this.attribute(kv);
  }

  private attribute(kv: KeyValue): void {
    const known = this.attributeIds.get(kv);
    if (known !== undefined) return this.word(known);
    const field = attributeTableField(kv.value);
    if (field !== undefined) {
      const equal = this.scalarIds.get(kv, field);
      if (equal !== undefined) {
        this.attributeIds.set(kv, equal);
        return this.word(equal);
      }
      this.scalarIds.set(kv, field, this.attributeCount);
    }
    this.attributeIds.set(kv, this.attributeCount++);
    this.word(NEW);
    this.text(kv.key);
    this.value(kv.value);
  }

  private value(v: AnyValue): void {
    if (v.stringValue !== undefined) return this.tagged(Tag.String, v.stringValue);
    if (v.intValue !== undefined) return this.tagged(Tag.Int, v.intValue);
    if (v.doubleValue !== undefined) {
      this.word(Tag.Double);
      return this.word(v.doubleValue);
    }
    if (v.boolValue !== undefined) return this.word(v.boolValue ? Tag.True : Tag.False);
    if (v.bytesValue !== undefined) return this.tagged(Tag.Bytes, v.bytesValue);
    if (v.arrayValue !== undefined || v.kvlistValue !== undefined) return this.tagged(Tag.Json, JSON.stringify(v));
    this.word(Tag.Empty);
  }

  private tagged(tag: Tag, text: string): void {
    this.word(tag);
    this.text(text);
  }

  /** A string that may have been sent before: sent once, then referred to. */
  private text(text: string): void {
    // The trace ID of every span is one string: no hashing for it.
    if (text === this.lastText) return this.word(this.lastId);
    let id = this.stringIds.get(text);
    if (id === undefined) {
      id = this.fresh(text);
      this.stringIds.set(text, id);
    } else this.word(id);
    this.lastText = text;
    this.lastId = id;
  }

  /**
   * A string not worth looking up, as it is hardly ever repeated (times): sent as it is.
   * Returns its number.
   */
  private fresh(text: string): number {
    const id = this.stringCount++;
    this.strings.push(text);
    this.word(id);
    return id;
  }

  private word(n: number): void {
    if (this.at === this.words.length) {
      const grown = new Float64Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words[this.at++] = n;
  }
}

/**
 * Page side: rebuilds the spans of each batch, in order. Their resource, scope and service
 * name are `unresolved` until the trailer comes (applyTrailer), as the decoder left them.
 */
export class SpanUnpacker {
  private readonly strings: string[] = [];
  private readonly attributeTable: KeyValue[] = [];
  private readonly statusTable: SpanStatus[] = [];
  private words = new Float64Array(0);
  private at = 0;

  constructor(private readonly unresolved: Pick<Span, 'resource' | 'scope' | 'serviceName'>) {}

  unpack(packed: PackedSpans): Span[] {
    for (const s of packed.strings) this.strings.push(s);
    this.words = packed.words;
    this.at = 0;
    const spans = new Array<Span>(packed.count);
    for (let i = 0; i < packed.count; i++) spans[i] = this.span();
    if (this.at !== this.words.length) throw new Error(`a packed batch of ${packed.count} spans has ${this.words.length - this.at} words left over`);
    this.words = new Float64Array(0);
    return spans;
  }

  private span(): Span {
    const traceId = this.text();
    const spanId = this.text();
    const parentSpanId = this.text();
    const traceState = this.text();
    const flags = this.word();
    const name = this.text();
    const kind = this.word() as SpanKind;
    const startTimeUnixNano = this.text();
    const endTimeUnixNano = this.text();
    const attributes = this.attributes();
    const droppedAttributesCount = this.word();
    const events = this.list<SpanEvent>(() => ({ timeUnixNano: this.text(), name: this.text(), attributes: this.attributes(), droppedAttributesCount: this.word() }));
    const droppedEventsCount = this.word();
    const links = this.list<SpanLink>(() => ({ traceId: this.text(), spanId: this.text(), traceState: this.text(), attributes: this.attributes(), droppedAttributesCount: this.word(), flags: this.word() }));
    const droppedLinksCount = this.word();
    const status = this.status();
    return {
      traceId, spanId, parentSpanId, traceState, flags, name, kind, startTimeUnixNano, endTimeUnixNano,
      attributes, droppedAttributesCount, events, droppedEventsCount, links, droppedLinksCount, status,
      resource: this.unresolved.resource, scope: this.unresolved.scope, serviceName: this.unresolved.serviceName,
    };
  }

  private status(): SpanStatus {
    const id = this.word();
    if (id !== NEW) return this.known(this.statusTable, id, 'status');
    const status = { code: this.word() as StatusCode, message: this.text() };
    this.statusTable.push(status);
    return status;
  }

  /** Lists with no items share one frozen empty list, as the decoder's do. */
  private list<T>(item: () => T): T[] {
    const count = this.word();
    if (count === 0) return EMPTY;
    const items = new Array<T>(count);
    for (let i = 0; i < count; i++) items[i] = item();
    return items;
  }

  private attributes(): KeyValue[] {
    return this.list(() => {
      const id = this.word();
      if (id !== NEW) return this.known(this.attributeTable, id, 'attribute');
      const kv = { key: this.text(), value: this.value() };
      this.attributeTable.push(kv);
      return kv;
    });
  }

  private value(): AnyValue {
    const tag = this.word() as Tag;
    switch (tag) {
      case Tag.Empty: return {};
      case Tag.String: return { stringValue: this.text() };
      case Tag.Int: return { intValue: this.text() };
      case Tag.Double: return { doubleValue: this.word() };
      case Tag.True: return { boolValue: true };
      case Tag.False: return { boolValue: false };
      case Tag.Bytes: return { bytesValue: this.text() };
      case Tag.Json: return JSON.parse(this.text()) as AnyValue;
      default: throw new Error(`unknown attribute value tag ${tag}`);
    }
  }

  private known<T>(table: readonly T[], id: number, what: string): T {
    const item = table[id];
    if (item === undefined) throw new Error(`packed spans refer to ${what} ${id}, of ${table.length} sent`);
    return item;
  }

  private text(): string {
    return this.known(this.strings, this.word(), 'string');
  }

  private word(): number {
    if (this.at >= this.words.length) throw new Error('a packed batch ended in the middle of a span');
    return this.words[this.at++]!;
  }
}

const EMPTY = Object.freeze([]) as unknown as never[];
