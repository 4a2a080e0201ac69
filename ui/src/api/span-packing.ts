/**
 * Decoded spans as one buffer of numbers and a list of strings: what the compact trace
 * decoder writes (decode-compact-trace.ts) and what the trace loader worker hands to the
 * page, transferred, not copied. The page builds the span objects from it in a plain loop
 * (SpanUnpacker). Before, the worker built span objects and the page received a structured
 * clone of them: half a million small objects for a 100k-span trace, serialized on the
 * worker (0.36–0.48 s on the 2-core machine) and deserialized on the page's thread
 * (0.48–1.2 s), on top of building them in the worker (another 0.2 s and its garbage).
 *
 * Writer and unpacker keep their tables across batches: a string, attribute or status is
 * sent once and referred to by number after that, so the page's spans share them (a
 * 100k-span trace repeats a few hundred names, each parent ID once per child, and most
 * attributes across its spans). Equal scalar attributes become one object even when the
 * document sent them in full more than once.
 *
 * Layout of `words`, one span after the other (S = a string number; T = a time, as ns from
 * the document's base time, or NaN followed by S, its decimal text, for an offset the
 * document sent as a decimal string, beyond what a double holds exactly):
 *   traceId S, spanId S, parentSpanId S, traceState S, flags, name S, kind, start T, end T,
 *   attributes (list), droppedAttributesCount,
 *   events: count, then each: time T, name S, attributes (list), droppedAttributesCount,
 *   droppedEventsCount,
 *   links: count, then each: traceId S, spanId S, traceState S, attributes (list), droppedAttributesCount, flags,
 *   droppedLinksCount, status: its number, or NEW then code, message S.
 * An attribute list is its length, then each attribute: its number, or NEW then key S, a
 * value tag, and the value (S, a double, or nothing for booleans and empty values).
 */
import { ScalarAttributeMap, attributeTableField, type AnyValue, type KeyValue, type Span, type SpanEvent, type SpanKind, type SpanLink, type SpanStatus, type StatusCode } from '@threadline/shared';

/** One batch of packed spans; `words` is meant to be transferred, not copied. */
export interface PackedSpans {
  /** Times are ns offsets from this (Unix ns, decimal). */
  baseTimeUnixNano: string;
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

/** Writes spans field by field in the layout above; the caller writes every field of a span, in order, then `endSpan`. */
export class PackedSpanWriter {
  private readonly stringIds = new Map<string, number>();
  private readonly scalarIds = new ScalarAttributeMap<number>();
  private readonly statusIds = new Map<StatusCode, Map<string, number>>();
  private readonly base: bigint;
  private attributeCount = 0;
  private statusCount = 0;
  private stringCount = 0;
  private lastText: string | undefined;
  private lastId = 0;
  private strings: string[] = [];
  private words = new Float64Array(1 << 14);
  private at = 0;
  private spans = 0;

  constructor(private readonly baseTimeUnixNano: string) {
    this.base = BigInt(baseTimeUnixNano);
  }

  /** Spans written since the last take. */
  get count(): number {
    return this.spans;
  }

  /** The spans written since the last take. */
  take(): PackedSpans {
    const packed = { baseTimeUnixNano: this.baseTimeUnixNano, strings: this.strings, words: this.words.slice(0, this.at), count: this.spans };
    this.strings = [];
    this.at = 0;
    this.spans = 0;
    return packed;
  }

  endSpan(): void {
    this.spans++;
  }

  number(n: number): void {
    if (this.at === this.words.length) {
      const grown = new Float64Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words[this.at++] = n;
  }

  /** A string that may have been sent before: sent once, then referred to. */
  text(text: string): void {
    // Every span repeats the trace ID, often the name of the span before: no hashing for them.
    if (text === this.lastText) return this.number(this.lastId);
    let id = this.stringIds.get(text);
    if (id === undefined) {
      id = this.fresh(text);
      this.stringIds.set(text, id);
    } else this.number(id);
    this.lastText = text;
    this.lastId = id;
  }

  /** A span's own ID: new (no lookup), and known by the time its children's parent IDs come. */
  spanId(id: string): void {
    this.stringIds.set(id, this.fresh(id));
  }

  /** `offset`: ns from the base, as a safe integer or a decimal string (checked by the caller). */
  time(offset: number | string): void {
    if (typeof offset === 'number') return this.number(offset);
    this.number(Number.NaN);
    this.fresh((this.base + BigInt(offset)).toString());
  }

  /** Writes the attribute (its number when an equal one was sent) and returns its number. */
  attribute(kv: KeyValue): number {
    const field = attributeTableField(kv.value);
    if (field !== undefined) {
      const known = this.scalarIds.get(kv, field);
      if (known !== undefined) {
        this.number(known);
        return known;
      }
      this.scalarIds.set(kv, field, this.attributeCount);
    }
    this.number(NEW);
    this.text(kv.key);
    this.value(kv.value);
    return this.attributeCount++;
  }

  /** An attribute written before, by its number. */
  knownAttribute(id: number): void {
    this.number(id);
  }

  status(code: StatusCode, message: string): void {
    let byMessage = this.statusIds.get(code);
    if (!byMessage) this.statusIds.set(code, (byMessage = new Map()));
    const known = byMessage.get(message);
    if (known !== undefined) return this.number(known);
    byMessage.set(message, this.statusCount++);
    this.number(NEW);
    this.number(code);
    this.text(message);
  }

  link(link: SpanLink): void {
    this.text(link.traceId);
    this.text(link.spanId);
    this.text(link.traceState);
    this.number(link.attributes.length);
    for (const kv of link.attributes) this.attribute(kv);
    this.number(link.droppedAttributesCount);
    this.number(link.flags);
  }

  private value(v: AnyValue): void {
    if (v.stringValue !== undefined) return this.tagged(Tag.String, v.stringValue);
    if (v.intValue !== undefined) return this.tagged(Tag.Int, v.intValue);
    if (v.doubleValue !== undefined) {
      this.number(Tag.Double);
      return this.number(v.doubleValue);
    }
    if (v.boolValue !== undefined) return this.number(v.boolValue ? Tag.True : Tag.False);
    if (v.bytesValue !== undefined) return this.tagged(Tag.Bytes, v.bytesValue);
    if (v.arrayValue !== undefined || v.kvlistValue !== undefined) return this.tagged(Tag.Json, JSON.stringify(v));
    this.number(Tag.Empty);
  }

  private tagged(tag: Tag, text: string): void {
    this.number(tag);
    this.text(text);
  }

  /** A string not worth looking up, as it is hardly ever repeated (span IDs, times): sent as it is. */
  private fresh(text: string): number {
    const id = this.stringCount++;
    this.strings.push(text);
    this.number(id);
    return id;
  }
}

/** What a span unpacked before the trailer came has for resource, scope and service name (applyTrailer sets them). */
export const unresolvedOwner: Readonly<Pick<Span, 'resource' | 'scope' | 'serviceName'>> = {
  resource: { attributes: [], droppedAttributesCount: 0 },
  scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
  serviceName: '',
};

/**
 * Builds the spans of each batch, in order. Their resource, scope and service name are
 * `unresolvedOwner`'s until the trailer comes (applyTrailer).
 */
export class SpanUnpacker {
  private readonly strings: string[] = [];
  private readonly attributeTable: KeyValue[] = [];
  private readonly statusTable: SpanStatus[] = [];
  private words: Float64Array = new Float64Array(0);
  private at = 0;
  private baseText = '';
  private base = 0n;

  unpack(packed: PackedSpans): Span[] {
    for (const s of packed.strings) this.strings.push(s);
    if (packed.baseTimeUnixNano !== this.baseText) {
      this.baseText = packed.baseTimeUnixNano;
      this.base = BigInt(packed.baseTimeUnixNano);
    }
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
    const startTimeUnixNano = this.time();
    const endTimeUnixNano = this.time();
    const attributes = this.attributes();
    const droppedAttributesCount = this.word();
    const events = this.events();
    const droppedEventsCount = this.word();
    const links = this.links();
    const droppedLinksCount = this.word();
    const status = this.status();
    return {
      traceId, spanId, parentSpanId, traceState, flags, name, kind, startTimeUnixNano, endTimeUnixNano,
      attributes, droppedAttributesCount, events, droppedEventsCount, links, droppedLinksCount, status,
      resource: unresolvedOwner.resource, scope: unresolvedOwner.scope, serviceName: unresolvedOwner.serviceName,
    };
  }

  /**
   * Base + offset in decimal. Through a bigint: as fast as joining the digits of doubles, and
   * the text comes out flat, where joined pieces would be kept as a rope (8 MB more for a
   * 100k-span trace).
   */
  private time(): string {
    const offset = this.word();
    return Number.isNaN(offset) ? this.text() : (this.base + BigInt(offset)).toString();
  }

  private status(): SpanStatus {
    const id = this.word();
    if (id !== NEW) return this.known(this.statusTable, id, 'status');
    const status = { code: this.word() as StatusCode, message: this.text() };
    this.statusTable.push(status);
    return status;
  }

  // Lists with no items share one frozen empty list. No closure per list: a 100k-span trace has hundreds of thousands.
  private events(): SpanEvent[] {
    const count = this.word();
    if (count === 0) return EMPTY_LIST;
    const events = new Array<SpanEvent>(count);
    for (let i = 0; i < count; i++) events[i] = { timeUnixNano: this.time(), name: this.text(), attributes: this.attributes(), droppedAttributesCount: this.word() };
    return events;
  }

  private links(): SpanLink[] {
    const count = this.word();
    if (count === 0) return EMPTY_LIST;
    const links = new Array<SpanLink>(count);
    for (let i = 0; i < count; i++) {
      links[i] = { traceId: this.text(), spanId: this.text(), traceState: this.text(), attributes: this.attributes(), droppedAttributesCount: this.word(), flags: this.word() };
    }
    return links;
  }

  private attributes(): KeyValue[] {
    const count = this.word();
    if (count === 0) return EMPTY_LIST;
    const attributes = new Array<KeyValue>(count);
    for (let i = 0; i < count; i++) attributes[i] = this.attribute();
    return attributes;
  }

  private attribute(): KeyValue {
    const id = this.word();
    if (id !== NEW) return this.known(this.attributeTable, id, 'attribute');
    const kv = { key: this.text(), value: this.value() };
    this.attributeTable.push(kv);
    return kv;
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

/**
 * The events or links of every span that has none: one shared list instead of one per span.
 * Frozen, as nothing may add to a list other spans share.
 */
export const EMPTY_LIST = Object.freeze([]) as unknown as never[];
