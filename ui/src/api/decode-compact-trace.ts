/**
 * Decodes the compact trace formats (`?format=compact` and `compact-3`, docs/api.md §5.4)
 * into the span model: into packed spans (span-packing.ts), which the trace loader worker
 * hands to the page as they are and the page unpacks, or straight into span objects (what
 * the page decodes itself, fetch-trace.ts). Every span of one resource or scope shares one decoded object, and
 * so does every equal scalar attribute (compact-3's table gives most of that sharing by
 * itself): that is most of the heap a big trace saves besides the smaller response.
 */
import { COMPACT_ATTRIBUTE_TABLE_SIZE, COMPACT_TRACE_FORMAT, COMPACT_TRACE_FORMAT_3, attributeTableField, nanosBase, type InstrumentationScope, type NanosBase, type KeyValue, type Resource, type Span, type SpanEvent, type SpanKind, type SpanStatus, type StatusCode } from '@threadline/shared';
import { JsonShapeError, expectArray, expectObject, expectString, optionalNumber, optionalString, type JsonPath } from '../model/json-guards';
import { isDecimalNanos } from '../model/nanos';
import type { SpanOffsets } from '../model/span-offsets';
import { parseKeyValue, parseLink, parseResource, parseScope } from '../model/span-json';
import { decoding } from './decode-responses';
import { EMPTY_LIST, PackedSpanWriter, SpanUnpacker, unresolvedOwner, type PackedSpans } from './span-packing';
import type { TraceResponse } from './wire-types';

const OFFSET = /^-?\d+$/;
/** Dropped counts of a span that sends none. */
const NO_DROPS = [0, 0, 0];

/** Whether an attribute sent in full enters compact-3's table (the rule the server follows). */
function enters(item: unknown): boolean {
  return attributeTableField((item as { value?: unknown }).value) !== undefined;
}

function indexIn(length: number, index: unknown, path: JsonPath): number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= length) throw new JsonShapeError(path, `an index below ${length}`);
  return index;
}

/** `$.spans`, then the indexes `at` and `more`. */
function spansPath(at: readonly number[], ...more: number[]): string {
  return `$.spans${[...at, ...more].map((i) => `[${i}]`).join('')}`;
}

/**
 * Field `k` (item `i` of it, when not -1) of what `at` points to, as a JsonPath made into
 * text only when a check fails: a path string made for each of some 20 fields of every span,
 * valid or not, was a good part of decoding a big trace. One object serves every check, its
 * indexes set before each.
 */
class FieldPath {
  k = 0;
  i = -1;

  constructor(private readonly at: readonly number[]) {}

  toString(): string {
    return this.i < 0 ? spansPath(this.at, this.k) : spansPath(this.at, this.k, this.i);
  }
}

const ENDPOINT = '/api/v1/traces/{traceId}?format=compact-3';

/** What the trailer says about the spans, checked against them: enough to finish spans decoded earlier (applyTrailer). */
export interface CompactTrailer {
  readonly resources: readonly { readonly resource: Resource; readonly serviceName: string }[];
  readonly scopes: readonly InstrumentationScope[];
  /** Resource and scope index of every span, in document order: two numbers a span. */
  readonly owners: Uint32Array;
  readonly parentFixes: readonly (readonly [index: number, parentSpanId: string])[];
}

/**
 * Gives every span its resource, scope and service name, and applies the parent fixes.
 * `spans`: the document's spans in order, as decoded before the trailer came.
 */
export function applyTrailer(spans: readonly Span[], trailer: CompactTrailer): void {
  if (spans.length * 2 !== trailer.owners.length) throw new Error(`the trailer is for ${trailer.owners.length / 2} spans, not ${spans.length}`);
  spans.forEach((span, i) => {
    const owner = trailer.resources[trailer.owners[2 * i]!]!;
    span.resource = owner.resource;
    span.serviceName = owner.serviceName;
    span.scope = trailer.scopes[trailer.owners[2 * i + 1]!]!;
  });
  for (const [index, parentSpanId] of trailer.parentFixes) spans[index]!.parentSpanId = parentSpanId;
}

/** Every span of a document taken in one batch, finished with its trailer. */
export function finishSpans(packed: PackedSpans, trailer: CompactTrailer): Span[] {
  const spans = new SpanUnpacker().unpack(packed);
  applyTrailer(spans, trailer);
  return spans;
}

/**
 * Decodes a compact trace in the order the server writes it: the header, spans in any
 * number of batches (as they arrive), then the trailer with resources, scopes and parent
 * fixes. Lets a client decode a streamed response while the rest is still on its way, and
 * hand over the decoded spans in batches (takeSpans) before the trailer came.
 */
export class CompactTraceDecoder {
  readonly traceId: string;
  /** Holds the spans decoded and not yet taken, packed (undefined when they are made as objects). */
  private readonly writer: PackedSpanWriter | undefined;
  /** The spans decoded so far, when they are made as objects. */
  private readonly objects: Span[] | undefined;
  /** The document's base time: of the times made from offsets, and of the offsets handed on (offsetsOf). */
  private readonly base: NanosBase;
  /** Start and end offsets of the spans made as objects, as sent (NaN for those sent as text); see offsetsOf. */
  private readonly offsets: number[] = [];
  /** compact-3's attribute table as the attributes themselves, when spans are made as objects. */
  private readonly kvTable: KeyValue[] = [];
  /**
   * Names, parent IDs and statuses repeat from span to span, but JSON.parse makes a string of
   * each occurrence: the spans made as objects share one of each, as the unpacked ones do
   * (bench:ui's 100k-span trace held 82–85 MB of page heap in two of three runs without).
   */
  private readonly shared = new Map<string, string>();
  private readonly statuses = new Map<string, SpanStatus>();
  /** Resource and scope index of every span so far, as sent (checked once the trailer came). */
  private readonly owners: unknown[] = [];
  /** compact-3's attribute table (attributes sent in full, in reading order) as the writer's attribute numbers; undefined for compact-2. */
  private readonly table: number[] | undefined;
  /** Where in `$.spans` the span being read is, as indexes: for the path of an error. */
  private readonly at: number[] = [];
  private readonly fieldPath = new FieldPath(this.at);

  /**
   * `header`: the document, or just its leading fields (`traceId`, `format`, `baseTimeUnixNano`).
   * `output`: whether spans are packed (takeSpans) or made as span objects (objectsSoFar, finishObjects).
   * Objects cost the page less than packing each span and unpacking it again: the page that
   * decodes bench:ui's 10,000-span trace itself painted it first at a median 863 ms against
   * 953 ms (30 loads each, alternating, together with formatCount and the written-out palette).
   */
  constructor(header: unknown, output: 'packed' | 'objects' = 'packed') {
    let base: string;
    [this.traceId, base, this.table] = decoding(ENDPOINT, () => {
      const doc = expectObject(header, '$');
      if (doc.format !== COMPACT_TRACE_FORMAT && doc.format !== COMPACT_TRACE_FORMAT_3) {
        throw new JsonShapeError('$.format', `"${COMPACT_TRACE_FORMAT}" or "${COMPACT_TRACE_FORMAT_3}"`);
      }
      const baseText = expectString(doc.baseTimeUnixNano, '$.baseTimeUnixNano');
      if (!isDecimalNanos(baseText)) throw new JsonShapeError('$.baseTimeUnixNano', 'nanoseconds as a decimal string');
      return [expectString(doc.traceId, '$.traceId'), baseText, doc.format === COMPACT_TRACE_FORMAT_3 ? [] : undefined] as const;
    });
    this.base = nanosBase(BigInt(base));
    if (output === 'packed') this.writer = new PackedSpanWriter(base);
    else this.objects = [];
  }

  /**
   * An attribute list, field `k` of what `at` points to. compact-3: a number is the table
   * index of an attribute sent before (shared, not copied); an attribute sent in full enters
   * the table by the rule the server follows (attributeTableField), in reading order.
   */
  private attributeList(writer: PackedSpanWriter, value: unknown, k: number): void {
    const table = this.table;
    const raw = expectArray(value ?? [], this.field(k));
    writer.number(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i];
      if (table && typeof item === 'number') {
        writer.knownAttribute(table[indexIn(table.length, item, this.field(k, i))]!);
        continue;
      }
      const path = spansPath(this.at, k, i);
      const id = writer.attribute(parseKeyValue(item, path));
      if (table && table.length < COMPACT_ATTRIBUTE_TABLE_SIZE && enters(item)) table.push(id);
    }
  }

  /** attributeList, made as objects: a table index gives the attribute sent before itself (one object, shared). */
  private attributeObjects(value: unknown, k: number): KeyValue[] {
    const raw = expectArray(value ?? [], this.field(k));
    if (raw.length === 0) return EMPTY_LIST;
    const table = this.table ? this.kvTable : undefined;
    const list = new Array<KeyValue>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i];
      if (table && typeof item === 'number') {
        list[i] = table[indexIn(table.length, item, this.field(k, i))]!;
        continue;
      }
      const kv = parseKeyValue(item, spansPath(this.at, k, i));
      if (table && table.length < COMPACT_ATTRIBUTE_TABLE_SIZE && enters(item)) table.push(kv);
      list[i] = kv;
    }
    return list;
  }

  /** The path of field `k` (item `i` of it) of what `at` points to, for a check (made into text only if it fails). */
  private field(k: number, i = -1): JsonPath {
    this.fieldPath.k = k;
    this.fieldPath.i = i;
    return this.fieldPath;
  }

  /** A time as sent: ns from the base time, a JSON number when exact, else a decimal string. */
  private offset(value: unknown, k: number): number | string {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && OFFSET.test(value)) return value;
    throw new JsonShapeError(this.field(k), 'an integer ns offset (number or decimal string)');
  }

  /** How many spans were decoded so far, taken or not. */
  get spanCount(): number {
    return this.owners.length / 2;
  }

  /** The next spans of `$.spans`, in order. */
  addSpans(values: readonly unknown[]): void {
    decoding(ENDPOINT, () => {
      for (const value of values) {
        this.at.length = 0;
        const s = expectArray(value, this.field(this.spanCount));
        this.at.push(this.spanCount);
        if (this.writer) this.packSpan(this.writer, s);
        else this.objects!.push(this.objectSpan(s));
        this.owners.push(s[6], s[7]);
      }
    });
  }

  /** How many spans were decoded since the last takeSpans (packed only). */
  get freshCount(): number {
    return this.writer?.count ?? 0;
  }

  /** The spans decoded since the last call, in order, packed; their resource, scope and service name come with the trailer. */
  takeSpans(): PackedSpans {
    if (!this.writer) throw new Error('this decoder makes span objects, not packed spans');
    return this.writer.take();
  }

  /** The spans decoded so far, when they are made as objects (the list grows as more are added; the trailer finishes them). */
  get objectsSoFar(): readonly Span[] {
    return this.objects ?? [];
  }

  /** The offsets of the spans made as objects from `from` up to `to` (objectsSoFar's indexes). */
  offsetsOf(from: number, to: number): SpanOffsets {
    return { base: this.base, startEnd: this.offsets.slice(2 * from, 2 * to) };
  }

  /** Every span decoded, as objects, finished with the trailer (`doc`, as for `trailer`). */
  finishObjects(doc: unknown): Span[] {
    if (!this.objects) throw new Error('this decoder packs its spans');
    applyTrailer(this.objects, this.trailer(doc));
    return this.objects;
  }

  /** `doc`: the document, or just its trailing fields (`resources`, `scopes`, `parentFixes`); every index is checked. */
  trailer(doc: unknown): CompactTrailer {
    return decoding(ENDPOINT, () => {
      const trailer = expectObject(doc, '$');
      const resources = expectArray(trailer.resources, '$.resources').map((r, i) => ({
        resource: parseResource(r, `$.resources[${i}]`),
        serviceName: expectString(expectObject(r, `$.resources[${i}]`).serviceName, `$.resources[${i}].serviceName`),
      }));
      const scopes: InstrumentationScope[] = expectArray(trailer.scopes, '$.scopes').map((s, i) => parseScope(s, `$.scopes[${i}]`));
      const owners = new Uint32Array(this.owners.length);
      this.owners.forEach((index, k) => {
        const [list, field] = k % 2 === 0 ? [resources, 6] : [scopes, 7];
        owners[k] = indexIn(list.length, index, `$.spans[${k >> 1}][${field}]`);
      });
      const parentFixes = expectArray(trailer.parentFixes, '$.parentFixes').map((fix, i) => {
        const [index, parentSpanId] = expectArray(fix, `$.parentFixes[${i}]`);
        return [indexIn(this.spanCount, index, `$.parentFixes[${i}][0]`), expectString(parentSpanId, `$.parentFixes[${i}][1]`)] as const;
      });
      return { resources, scopes, owners, parentFixes };
    });
  }

  /** Every span of the document, finished with its trailer: for a document whose spans were never taken. */
  finish(trailer: unknown): TraceResponse {
    return { traceId: this.traceId, spans: this.objects ? this.finishObjects(trailer) : finishSpans(this.takeSpans(), this.trailer(trailer)) };
  }

  /** Checks the span `at` points to and writes it, field by field in the packed layout (span-packing.ts). */
  private packSpan(w: PackedSpanWriter, s: unknown[]): void {
    const at = this.at;
    w.text(this.traceId);
    w.spanId(expectString(s[0], this.field(0)));
    w.text(optionalString(s[1], this.field(1)));
    w.text(optionalString(s[14], this.field(14)));
    w.number(optionalNumber(s[13], this.field(13)));
    w.text(optionalString(s[2], this.field(2)));
    w.number(optionalNumber(s[3], this.field(3)));
    w.time(this.offset(s[4], 4));
    w.time(this.offset(s[5], 5));
    // The span's attributes before its events': compact-3's table indexes count in this order.
    this.attributeList(w, s[10], 10);
    const dropped = expectArray(s[15] ?? NO_DROPS, this.field(15));
    at.push(15);
    w.number(optionalNumber(dropped[0], this.field(0)));
    at.pop();
    const events = expectArray(s[11], this.field(11));
    w.number(events.length);
    at.push(11);
    for (let j = 0; j < events.length; j++) {
      const event = expectArray(events[j], this.field(j));
      at.push(j);
      w.time(this.offset(event[0], 0));
      w.text(optionalString(event[1], this.field(1)));
      this.attributeList(w, event[2], 2);
      w.number(optionalNumber(event[3], this.field(3)));
      at.pop();
    }
    at.pop();
    at.push(15);
    w.number(optionalNumber(dropped[1], this.field(1)));
    at.pop();
    const links = expectArray(s[12] ?? [], this.field(12));
    w.number(links.length);
    links.forEach((l, j) => w.link(parseLink(l, spansPath(this.at, 12, j))));
    at.push(15);
    w.number(optionalNumber(dropped[2], this.field(2)));
    at.pop();
    w.status(optionalNumber(s[8], this.field(8)) as StatusCode, optionalString(s[9], this.field(9)));
    w.endSpan();
  }

  /** packSpan's checks, in its order (compact-3's table depends on it), making the span object itself. */
  private objectSpan(s: unknown[]): Span {
    const at = this.at;
    const spanId = expectString(s[0], this.field(0));
    const parentSpanId = this.share(optionalString(s[1], this.field(1)));
    const traceState = optionalString(s[14], this.field(14));
    const flags = optionalNumber(s[13], this.field(13));
    const name = this.share(optionalString(s[2], this.field(2)));
    const kind = optionalNumber(s[3], this.field(3)) as SpanKind;
    const startOffset = this.offset(s[4], 4);
    const endOffset = this.offset(s[5], 5);
    const startTimeUnixNano = this.nanos(startOffset);
    const endTimeUnixNano = this.nanos(endOffset);
    const attributes = this.attributeObjects(s[10], 10);
    const dropped = expectArray(s[15] ?? NO_DROPS, this.field(15));
    at.push(15);
    const droppedAttributesCount = optionalNumber(dropped[0], this.field(0));
    at.pop();
    const rawEvents = expectArray(s[11], this.field(11));
    let events: SpanEvent[] = EMPTY_LIST;
    if (rawEvents.length > 0) {
      events = new Array<SpanEvent>(rawEvents.length);
      at.push(11);
      for (let j = 0; j < rawEvents.length; j++) {
        const event = expectArray(rawEvents[j], this.field(j));
        at.push(j);
        const timeUnixNano = this.nanos(this.offset(event[0], 0));
        const eventName = this.share(optionalString(event[1], this.field(1)));
        events[j] = { timeUnixNano, name: eventName, attributes: this.attributeObjects(event[2], 2), droppedAttributesCount: optionalNumber(event[3], this.field(3)) };
        at.pop();
      }
      at.pop();
    }
    at.push(15);
    const droppedEventsCount = optionalNumber(dropped[1], this.field(1));
    at.pop();
    const rawLinks = expectArray(s[12] ?? [], this.field(12));
    const links = rawLinks.length === 0 ? EMPTY_LIST : rawLinks.map((l, j) => parseLink(l, spansPath(this.at, 12, j)));
    at.push(15);
    const droppedLinksCount = optionalNumber(dropped[2], this.field(2));
    at.pop();
    const status = this.status(optionalNumber(s[8], this.field(8)) as StatusCode, optionalString(s[9], this.field(9)));
    // Once the span passed every check, so that the offsets stay in step with the objects. One sent as
    // text (beyond a double's exact range) is left for the tree to read from the time.
    this.offsets.push(typeof startOffset === 'number' ? startOffset : Number.NaN, typeof endOffset === 'number' ? endOffset : Number.NaN);
    return {
      traceId: this.traceId, spanId, parentSpanId, traceState, flags, name, kind, startTimeUnixNano, endTimeUnixNano,
      attributes, droppedAttributesCount, events, droppedEventsCount, links, droppedLinksCount, status,
      resource: unresolvedOwner.resource, scope: unresolvedOwner.scope, serviceName: unresolvedOwner.serviceName,
    };
  }

  /** The first string equal to `text` this decoder saw. */
  private share(text: string): string {
    const known = this.shared.get(text);
    if (known !== undefined) return known;
    this.shared.set(text, text);
    return text;
  }

  private status(code: StatusCode, message: string): SpanStatus {
    const key = `${code}:${message}`;
    let status = this.statuses.get(key);
    if (status === undefined) this.statuses.set(key, (status = { code, message }));
    return status;
  }

  /** An offset as Unix ns in decimal, as SpanUnpacker writes it. */
  private nanos(offset: number | string): string {
    return (this.base.nanos + BigInt(offset)).toString();
  }
}


/** A whole compact document, already parsed. */
export function parseCompactTraceResponse(body: unknown, output: 'packed' | 'objects' = 'objects'): TraceResponse {
  return wholeDocumentDecoder(body, output).finish(body);
}

/** A decoder holding every span of a whole compact document, already parsed; its trailer is in `body` too. */
export function wholeDocumentDecoder(body: unknown, output: 'packed' | 'objects' = 'packed'): CompactTraceDecoder {
  const decoder = new CompactTraceDecoder(body, output);
  decoder.addSpans(decoding(ENDPOINT, () => expectArray(expectObject(body, '$').spans, '$.spans')));
  return decoder;
}
