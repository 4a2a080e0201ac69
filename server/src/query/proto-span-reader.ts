/**
 * Reads a span still in OTLP protobuf (a ProtoSpan, proto-span-page.ts) into what the compact
 * encoder (compact-trace.ts) and the Jaeger writer (jaeger-trace-bytes.ts) write, giving what
 * the store's decoder and `toSpan` would give (the same limits, last-value-wins fields, merged
 * status, dropped counts, unusable events and links left out) without building the span:
 * strings stay UTF-8 bytes, times 64-bit halves, and each distinct attribute is decoded once
 * per document (AttributeMemo), then found by its bytes.
 *
 * Its switches follow readSpan and readEvent of otlp-proto-decoder.ts field for field, on
 * purpose: what they decode must match, and the test compares the two on every kind of span.
 *
 * Whatever this reader does not cover, it refuses (throws) rather than guess: a string long
 * enough to be cut by the decoder, a span over its share of decoded objects, bytes that do
 * not parse. The encoder then takes the store's own decoding of the page (ProtoSpanPage.decode),
 * which gives the right span or the error streamTrace gives.
 */
import {
  SpanKind,
  StatusCode,
  attributeTableField,
  isZeroId,
  type KeyValue,
  type SpanLink,
  type TableField,
} from '@threadline/shared';
import { DEFAULT_INGEST_LIMITS, DecodeMeter } from '../ingest/ingest-limits.js';
import { readKeyValueFields, readLink } from '../receivers/otlp/otlp-proto-decoder.js';
import { isUsableLink } from '../receivers/otlp/otlp-to-spans.js';
import { DEFAULT_MAX_DEPTH, ProtobufReader } from '../receivers/otlp/protobuf-reader.js';
import { ProtobufViewReader } from '../receivers/otlp/protobuf-view-reader.js';
import { SHARED_SPAN_ID_ATTRIBUTE } from '../receivers/zipkin/zipkin-shared-spans.js';
import type { ProtoSpan } from '../store/proto-span-page.js';

const LIMITS = DEFAULT_INGEST_LIMITS;
/** The store decodes spans with the default limits (span-chunk-codec.ts parseSpanChunk). */
const UNCOUNTED = { ...LIMITS, maxObjectsPerRequest: Number.POSITIVE_INFINITY };
/** Messages a span's content sits in when the store decodes it (request → resource spans → scope spans → span). */
const SPAN_DEPTH = 3;

/** A compact-3 attribute table entry's place, shared by every equal attribute (compact-trace.ts AttributeTable). */
export interface TableSlot {
  index: number;
}

/** Gives the table slot of an attribute that may enter the table; undefined when it never will. */
export type SlotOf = (kv: KeyValue, field: TableField) => TableSlot | undefined;

/** The attribute in full as the document's encoder writes it (JSON text). */
export type AttributeText = (kv: KeyValue) => string;

/** What the reader of one document needs to know of its encoder. */
export interface ReaderOptions {
  /** compact-3's attribute table, if the document has one. */
  slotOf?: SlotOf;
  text: AttributeText;
}

/** One distinct attribute: decoded once, its JSON text made once. */
export interface AttributeEntry {
  readonly kv: KeyValue;
  /** The attribute in full as the encoder writes it (ReaderOptions.text), in UTF-8. */
  readonly json: Uint8Array;
  readonly slot: TableSlot | undefined;
  /** Objects the decoder counts for it (the KeyValue and its values). */
  readonly objects: number;
}

interface MemoEntry extends AttributeEntry {
  /** Where the KeyValue message it was decoded from is kept in the memo's arena, and its length. */
  readonly at: number;
  readonly length: number;
}

/**
 * What the memo keeps per document (a compact trace, or a Jaeger answer of several traces):
 * entries, bytes of one entry's message, and bytes of all entries' messages and JSON together.
 * A document's distinct attributes are not all kept (the rest are decoded each time they
 * come), so a document of unique values cannot make it big.
 */
const MAX_MEMO_ENTRIES = 65_536;
const MAX_MEMO_BYTES = 512;
const MAX_MEMO_TOTAL_BYTES = 16 * 1024 * 1024;
const MAX_CHAIN = 8;

/**
 * A hash of the bytes for the memo's map, cut to 30 bits (small integers are map keys V8
 * neither boxes nor hashes again), read 4 bytes a step. Equal hashes are told apart by their
 * bytes.
 */
function hashBytes(v: DataView, at: number, length: number): number {
  let h = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  const end = at + length;
  let i = at;
  for (; i + 4 <= end; i += 4) h = Math.imul(h ^ v.getInt32(i, true), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ v.getUint8(i), 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

/**
 * Compared 4 bytes a step, both in one arena and one page buffer: with each entry's bytes in
 * an ArrayBuffer of its own (a slice), the memo made thousands of them per document for the
 * collector to track, and lookups went from one small buffer to the next (transcoding
 * bench:ui's 10k-span trace in process, fastest of 60 in two runs: 41.5 and 41.8 ms against 45.3 and 45.7).
 */
function sameWords(arena: DataView, from: number, v: DataView, at: number, length: number): boolean {
  let i = 0;
  for (; i + 4 <= length; i += 4) if (arena.getInt32(from + i, true) !== v.getInt32(at + i, true)) return false;
  for (; i < length; i++) if (arena.getUint8(from + i) !== v.getUint8(at + i)) return false;
  return true;
}

function sameBytes(entry: Uint8Array, b: Uint8Array, at: number, length: number): boolean {
  if (entry.length !== length) return false;
  for (let i = 0; i < length; i++) if (entry[i] !== b[at + i]) return false;
  return true;
}

/** KeyValue message bytes → the attribute they decode to (the same bytes always decode alike). */
class AttributeMemo {
  private readonly byHash = new Map<number, MemoEntry[]>();
  private size = 0;
  private bytes = 0;
  private readonly meter = new DecodeMeter(UNCOUNTED, false);

  /** Views of the buffer the last attribute was in (one per page of the trace). */
  private buffer: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buffer.buffer);
  /** The kept entries' message bytes, one after the other. */
  private arena = new Uint8Array(16 * 1024);
  private arenaView = new DataView(this.arena.buffer);
  private arenaUsed = 0;
  /**
   * Decodes attributes where they lie. Event attributes sit a message deeper than span
   * attributes: the stricter depth serves both (one less again, as the reader starts inside
   * the KeyValue message, not at its length).
   */
  private readonly values = new ProtobufViewReader(DEFAULT_MAX_DEPTH - SPAN_DEPTH - 3, LIMITS.maxAttributeLength);

  constructor(private readonly options: ReaderOptions) {}

  /** The KeyValue message (without its length prefix) of `length` bytes at `at` in `b`. */
  entryOf(b: Uint8Array, at: number, length: number): AttributeEntry {
    // Never kept (below): not looked up either.
    if (length > MAX_MEMO_BYTES) return this.decode(b, at, length);
    if (b !== this.buffer) {
      this.buffer = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const hash = hashBytes(this.view, at, length);
    const known = this.byHash.get(hash);
    if (known) {
      for (let k = 0; k < known.length; k++) {
        const entry = known[k]!;
        if (entry.length === length && sameWords(this.arenaView, entry.at, this.view, at, length)) return entry;
      }
    }
    const entry = this.decode(b, at, length);
    // Bounded chains: bytes made to collide cost a few comparisons each, not one per entry.
    const cost = length + entry.json.length;
    if (this.size < MAX_MEMO_ENTRIES && this.bytes + cost <= MAX_MEMO_TOTAL_BYTES && (known?.length ?? 0) < MAX_CHAIN) {
      this.size++;
      this.bytes += cost;
      // The message's bytes, copied: the memo outlives the page they are in.
      const kept: MemoEntry = { kv: entry.kv, json: entry.json, slot: entry.slot, objects: entry.objects, at: this.keep(b, at, length), length };
      if (known) known.push(kept);
      else this.byHash.set(hash, [kept]);
      return kept;
    }
    return entry;
  }

  /** Copies the bytes into the arena (grown by doubling; MAX_MEMO_TOTAL_BYTES bounds it) and returns where they are. */
  private keep(b: Uint8Array, at: number, length: number): number {
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = new Uint8Array(Math.max(2 * this.arena.length, this.arenaUsed + length));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
      this.arenaView = new DataView(bigger.buffer);
    }
    this.arena.set(b.subarray(at, at + length), this.arenaUsed);
    this.arenaUsed += length;
    return this.arenaUsed - length;
  }

  private decode(b: Uint8Array, at: number, length: number): AttributeEntry {
    const r = this.values.at(b.subarray(at, at + length));
    const before = this.meter.objects;
    const kv = readKeyValueFields(r, 1, this.meter);
    const field = attributeTableField(kv.value);
    return {
      kv,
      json: Buffer.from(this.options.text(kv), 'utf8'),
      slot: field === undefined ? undefined : this.options.slotOf?.(kv, field),
      objects: this.meter.objects - before,
    };
  }
}

/** Strings are kept as where their UTF-8 bytes are in the span's `bytes`: offset and length. */
export interface EventRecord {
  timeLo: number;
  timeHi: number;
  nameAt: number;
  nameLength: number;
  attributes: AttributeEntry[];
  droppedAttributesCount: number;
}

/** A span as the compact encoder writes it; strings as places in `bytes`, times as uint64 halves. */
export interface SpanRecord {
  /** The Span message. */
  bytes: Uint8Array;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceStateAt: number;
  traceStateLength: number;
  nameAt: number;
  nameLength: number;
  kind: number;
  startLo: number;
  startHi: number;
  endLo: number;
  endHi: number;
  attributes: AttributeEntry[];
  events: EventRecord[];
  links: SpanLink[];
  flags: number;
  statusCode: number;
  statusMessageAt: number;
  statusMessageLength: number;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  /** The first `zipkin.shared_span_id` attribute's string value (SharedChildrenFixes). */
  sharedSpanId: string | undefined;
}

/** Most spans have neither (never written to: a span's own list is made at its first). */
const NO_EVENTS: EventRecord[] = [];
const NO_LINKS: SpanLink[] = [];

/** Thrown for what this reader leaves to the store's decoder. */
class NotCovered extends Error {}

/** toSpan leaves out events without a time. */
function isUntimed(e: EventRecord): boolean {
  return e.timeLo === 0 && e.timeHi === 0;
}

function isSpanKind(kind: number): boolean {
  return kind >= SpanKind.UNSPECIFIED && kind <= SpanKind.CONSUMER;
}

function isStatusCode(code: number): boolean {
  return code === StatusCode.UNSET || code === StatusCode.OK || code === StatusCode.ERROR;
}

/**
 * Reads ProtoSpans for one compact document: the attribute memo and the meter for links last
 * as long as the document.
 */
export class ProtoSpanReader {
  private readonly memo: AttributeMemo;
  // Links are decoded by the decoder's own reader; their objects count against each span's share, not this meter's.
  private readonly linkMeter = new DecodeMeter(UNCOUNTED, false);
  /** Decoded objects of the span being read, and its share. */
  private objects = 0;
  private maxObjects = 0;
  private readonly spans = new ProtobufViewReader(DEFAULT_MAX_DEPTH - SPAN_DEPTH, LIMITS.maxAttributeLength);
  private lastTraceId = new Uint8Array(0);
  private lastTraceIdHex = '';

  constructor(options: ReaderOptions) {
    this.memo = new AttributeMemo(options);
  }

  /**
   * The span as the compact encoder writes it, or undefined when this reader leaves it to the
   * store's decoder (see the top of the file). Changes nothing but the memo.
   */
  read(proto: ProtoSpan): SpanRecord | undefined {
    try {
      return this.readSpan(proto);
    } catch {
      return undefined;
    }
  }

  /** Every span of a trace has the same trace ID: its text is made again only when the bytes differ. */
  private traceIdAt(b: Uint8Array, at: number, length: number): string {
    if (!sameBytes(this.lastTraceId, b, at, length)) {
      this.lastTraceId = b.slice(at, at + length);
      this.lastTraceIdHex = Buffer.from(this.lastTraceId.buffer, 0, length).toString('hex');
    }
    return this.lastTraceIdHex;
  }

  private count(n: number): void {
    this.objects += n;
    if (this.objects > this.maxObjects) throw new NotCovered();
  }

  /** A string field's place (its offset; `lastLo` its length). Longer ones may be cut by the decoder (maxAttributeLength characters), which this reader does not do. */
  private static text(r: ProtobufReader): number {
    const at = r.skipBytes();
    if (r.lastLo > LIMITS.maxAttributeLength) throw new NotCovered();
    return at;
  }

  /** An attribute into `list` while it has room (the decoder's limit), else skipped: returns 1 when dropped. */
  private attribute(r: ProtobufReader, b: Uint8Array, tag: number, list: AttributeEntry[]): number {
    if (list.length >= LIMITS.maxSpanAttributes) {
      r.skip(tag);
      return 1;
    }
    const at = r.skipBytes();
    const entry = this.memo.entryOf(b, at, r.lastLo);
    this.count(entry.objects);
    list.push(entry);
    return 0;
  }

  private event(r: ProtobufReader, b: Uint8Array): EventRecord {
    const parent = r.enter();
    this.count(1);
    const out: EventRecord = { timeLo: 0, timeHi: 0, nameAt: 0, nameLength: 0, attributes: [], droppedAttributesCount: 0 };
    let dropped = 0;
    while (!r.done) {
      const tag = r.readTag();
      switch (tag) {
        case 0x09: // 1 time_unix_nano
          r.readFixed64Halves();
          out.timeLo = r.lastLo;
          out.timeHi = r.lastHi;
          break;
        case 0x12: // 2 name
          out.nameAt = ProtoSpanReader.text(r);
          out.nameLength = r.lastLo;
          break;
        case 0x1a: // 3 attributes
          dropped += this.attribute(r, b, tag, out.attributes);
          break;
        case 0x20:
          out.droppedAttributesCount = r.readUint32();
          break;
        default:
          r.skip(tag);
      }
    }
    r.leave(parent);
    out.droppedAttributesCount += dropped;
    return out;
  }

  private readSpan(proto: ProtoSpan): SpanRecord {
    const r = this.spans.at(proto.bytes);
    const b = this.spans.whole;
    this.objects = 0;
    this.maxObjects = proto.maxObjects;
    this.count(1);
    const out: SpanRecord = {
      bytes: b,
      traceId: '',
      spanId: proto.spanId,
      parentSpanId: '',
      traceStateAt: 0,
      traceStateLength: 0,
      nameAt: 0,
      nameLength: 0,
      kind: 0,
      startLo: 0,
      startHi: 0,
      endLo: 0,
      endHi: 0,
      attributes: [],
      events: NO_EVENTS,
      links: NO_LINKS,
      flags: 0,
      statusCode: 0,
      statusMessageAt: 0,
      statusMessageLength: 0,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      sharedSpanId: undefined,
    };
    let droppedAttributes = 0;
    let droppedEvents = 0;
    let droppedLinks = 0;
    let links: SpanLink[] | undefined;
    while (!r.done) {
      const tag = r.readTag();
      switch (tag) {
        case 0x0a: // 1 trace_id
          out.traceId = this.traceIdAt(b, r.skipBytes(), r.lastLo);
          break;
        case 0x1a: // 3 trace_state
          out.traceStateAt = ProtoSpanReader.text(r);
          out.traceStateLength = r.lastLo;
          break;
        case 0x22: // 4 parent_span_id
          out.parentSpanId = r.readHex();
          break;
        case 0x2a: // 5 name
          out.nameAt = ProtoSpanReader.text(r);
          out.nameLength = r.lastLo;
          break;
        case 0x30: // 6 kind
          out.kind = r.readInt32();
          break;
        case 0x39: // 7 start_time_unix_nano
          r.readFixed64Halves();
          out.startLo = r.lastLo;
          out.startHi = r.lastHi;
          break;
        case 0x41: // 8 end_time_unix_nano
          r.readFixed64Halves();
          out.endLo = r.lastLo;
          out.endHi = r.lastHi;
          break;
        case 0x4a: // 9 attributes
          droppedAttributes += this.attribute(r, b, tag, out.attributes);
          break;
        case 0x50:
          out.droppedAttributesCount = r.readUint32();
          break;
        case 0x5a: // 11 events
          if (out.events.length < LIMITS.maxSpanEvents) {
            if (out.events === NO_EVENTS) out.events = [];
            out.events.push(this.event(r, b));
          }
          else {
            r.skip(tag);
            droppedEvents++;
          }
          break;
        case 0x60:
          out.droppedEventsCount = r.readUint32();
          break;
        case 0x6a: {
          // 13 links: rare; the decoder's own reader
          links ??= [];
          if (links.length < LIMITS.maxSpanLinks) {
            const before = this.linkMeter.objects;
            links.push(readLink(r, this.linkMeter));
            this.count(this.linkMeter.objects - before);
          } else {
            r.skip(tag);
            droppedLinks++;
          }
          break;
        }
        case 0x70:
          out.droppedLinksCount = r.readUint32();
          break;
        case 0x7a: {
          // 15 status: merged field by field when it comes more than once
          const parent = r.enter();
          while (!r.done) {
            const inner = r.readTag();
            if (inner === 0x12) {
              out.statusMessageAt = ProtoSpanReader.text(r);
              out.statusMessageLength = r.lastLo;
            } else if (inner === 0x18) out.statusCode = r.readInt32();
            else r.skip(inner);
          }
          r.leave(parent);
          break;
        }
        case 0x85: // 16 flags
          out.flags = r.readFixed32();
          break;
        default:
          // 2 span_id included: the store read it already.
          r.skip(tag);
      }
    }
    // What toSpan does to a decoded span.
    if (out.events.some(isUntimed)) {
      const events = out.events.filter((e) => !isUntimed(e));
      droppedEvents += out.events.length - events.length;
      out.events = events;
    }
    out.droppedEventsCount += droppedEvents;
    if (links) {
      out.links = links.filter(isUsableLink);
      droppedLinks += links.length - out.links.length;
    }
    out.droppedAttributesCount += droppedAttributes;
    out.droppedLinksCount += droppedLinks;
    if (isZeroId(out.parentSpanId)) out.parentSpanId = '';
    if (!isSpanKind(out.kind)) out.kind = SpanKind.UNSPECIFIED;
    if (!isStatusCode(out.statusCode)) out.statusCode = StatusCode.UNSET;
    out.sharedSpanId = out.attributes.find((a) => a.kv.key === SHARED_SPAN_ID_ATTRIBUTE)?.kv.value.stringValue;
    return out;
  }
}
