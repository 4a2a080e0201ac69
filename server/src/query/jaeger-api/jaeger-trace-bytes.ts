/**
 * A trace in the Jaeger JSON model (`/api/traces`), transcoded from the OTLP protobuf the
 * store keeps (SpanStore.streamTraceProto) straight into UTF-8 bytes: the same bytes as
 * `JSON.stringify(toJaegerTrace(traceId, await readTrace(store, traceId)))`, without the
 * `Span` objects, the Jaeger objects and the stringify of megabytes in between.
 *
 * Grafana's Jaeger search asks for 20 whole traces at a time. Made through objects, one such
 * answer of 20 traces of 512 spans took ~200 ms of the main thread (a third of it
 * JSON.stringify, a fifth decoding, a seventh garbage collection), and ingest's threads step
 * aside while a query is in flight (foreground-gate.ts): under overload, those searches
 * held the acknowledged rate down.
 *
 * Jaeger lists spans in start order and numbers processes in that order, and a span's
 * parent and warnings depend on the whole trace (Zipkin shared spans, orphans), so a trace
 * is read whole before any of it is written. Spans the reader leaves to the store's decoder
 * (proto-span-reader.ts) are converted as decoded spans, in their place.
 */
import { StatusCode, type InstrumentationScope, type Span } from '@threadline/shared';
import { SharedChildrenFixes, toSharedChildrenRepointed } from '../../receivers/zipkin/zipkin-shared-spans.js';
import { unsignedDecimal } from '../../receivers/otlp/protobuf-reader.js';
import { isProtoSpan, type ProtoSpan, type TracePage } from '../../store/proto-span-page.js';
import { compareByStart, compareIds } from '../../store/span-order.js';
import type { SpanStore } from '../../store/span-store.js';
import { JsonBytes } from '../json-bytes.js';
import { ProtoSpanReader, type SpanRecord } from '../proto-span-reader.js';
import { readTrace } from '../read-trace.js';
import { JaegerProcesses, SPAN_KIND_TAG, orphanWarning, toJaegerReferences, toJaegerSpan, toJaegerTag, toJaegerTrace } from './span-to-jaeger.js';

/** A span of the trace as read: still protobuf (`rec`), or decoded by the store (`span`). */
type Item = { rec: SpanRecord; proto: ProtoSpan; span?: undefined } | { span: Span; rec?: undefined; proto?: undefined };

interface Keyed {
  item: Item;
  /** The start in nanoseconds as uint64 halves, and the span ID: getTrace's order. */
  hi: number;
  lo: number;
  spanId: string;
}

const TWO_32 = 0x1_0000_0000;

/**
 * Traces from this many spans are transcoded. Measured in one process: Go-fleet traces of ~16
 * spans took 340 µs a trace transcoded against 250 µs through objects; the overload test's
 * 512-span traces 3 ms against 10 ms (20 at a time, one writer).
 */
export const TRANSCODE_FROM_SPANS = 128;

/**
 * ⌊x / 1000⌋ for a safe integer x ≥ 0. Exact: when x / 1000 is not an integer it is at least
 * 1/1000 from one, and the division's rounding error is below (x / 1000)·2^-53 < 1/1000.
 */
function floorThousandth(x: number): number {
  return Math.floor(x / 1000);
}

/** nsToMicros of the uint64 `hi·2^32 + lo`, as a number (rounded, as Number() of a bigint is, past 2^53). */
function microsOf(hi: number, lo: number): number {
  const high = Math.floor(hi / 1000);
  const micros = high * TWO_32 + floorThousandth((hi - high * 1000) * TWO_32 + lo);
  return micros <= Number.MAX_SAFE_INTEGER ? micros : Number(BigInt(unsignedDecimal(lo, hi)) / 1000n);
}

/** The duration as toJaegerSpan gives it: end − start truncated to µs, 0 when the end is not after the start. */
function durationMicros(rec: SpanRecord): number {
  const hi = rec.endHi - rec.startHi;
  const lo = rec.endLo - rec.startLo;
  if (hi < 0 || (hi === 0 && lo <= 0)) return 0;
  const ns = hi * TWO_32 + lo;
  if (ns <= Number.MAX_SAFE_INTEGER) return floorThousandth(ns);
  return Number((BigInt(unsignedDecimal(rec.endLo, rec.endHi)) - BigInt(unsignedDecimal(rec.startLo, rec.startHi))) / 1000n);
}

/** A number as JSON.stringify writes it. */
function writeNumber(n: number, out: JsonBytes): void {
  if (Number.isSafeInteger(n)) out.int(n);
  else out.ascii(JSON.stringify(n));
}

/** compareByStart for spans read with their start as uint64 halves. */
function byStart(a: Keyed, b: Keyed): number {
  return a.hi - b.hi || a.lo - b.lo || compareIds(a.spanId, b.spanId);
}

function keyed(item: Item): Keyed {
  if (item.rec) return { item, hi: item.rec.startHi, lo: item.rec.startLo, spanId: item.rec.spanId };
  const start = BigInt(item.span.startTimeUnixNano);
  return { item, hi: Number(start >> 32n), lo: Number(start & 0xffffffffn), spanId: item.span.spanId };
}

/**
 * Fixed texts, encoded once: copying bytes is ~30 times faster than JsonBytes.ascii's
 * character loop, which took a third of the writer's time when every piece went through it.
 */
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const tagJson = (key: string, type: string, value: unknown) => utf8(JSON.stringify({ key, type, value }));
const KIND_TAGS = new Map(Object.entries(SPAN_KIND_TAG).map(([kind, name]) => [Number(kind), tagJson('span.kind', 'string', name)]));
const STATUS_OK_TAG = tagJson('otel.status_code', 'string', 'OK');
const STATUS_ERROR_TAGS = utf8(`${JSON.stringify({ key: 'otel.status_code', type: 'string', value: 'ERROR' })},${JSON.stringify({ key: 'error', type: 'bool', value: true })}`);
const DROPPED_COUNT_TAGS = ['otel.dropped_attributes_count', 'otel.dropped_events_count', 'otel.dropped_links_count'].map((key) => utf8(`{"key":"${key}","type":"int64","value":`));
const TEXT = {
  spanStart: utf8('{"traceID":"'),
  spanId: utf8('","spanID":"'),
  flags: utf8('","flags":'),
  operationName: utf8(',"operationName":'),
  references: utf8(',"references":'),
  noReferences: utf8('[]'),
  childOf: utf8('[{"refType":"CHILD_OF","traceID":"'),
  childOfEnd: utf8('"}]'),
  startTime: utf8(',"startTime":'),
  duration: utf8(',"duration":'),
  tags: utf8(',"tags":['),
  logs: utf8('],"logs":['),
  firstLog: utf8('{"timestamp":'),
  nextLog: utf8(',{"timestamp":'),
  fields: utf8(',"fields":['),
  eventField: utf8('{"key":"event","type":"string","value":'),
  logEnd: utf8(']}'),
  processId: utf8('],"processID":"'),
  warnings: utf8('","warnings":['),
  warningsEnd: utf8(']}'),
  noWarnings: utf8('","warnings":null}'),
  statusDescription: utf8('{"key":"otel.status_description","type":"string","value":'),
  traceState: utf8('{"key":"w3c.tracestate","type":"string","value":'),
};

/**
 * Writes traces read from protobuf; one per answer, so attributes met in one trace are known
 * in the next. Several traces may be read at once (a search reads ahead): only the
 * synchronous parts of `traceBytes` touch the writer's state, and a trace is written whole
 * between two awaits.
 */
export class JaegerTraceWriter {
  // Made at the first trace transcoded: a get-trace of a small trace needs neither.
  private transcoding: { reader: ProtoSpanReader; out: JsonBytes } | undefined;
  /** A scope's `otel.scope.*` tags as JSON, comma-separated, without the list's brackets. */
  private readonly scopeTags = new Map<InstrumentationScope, Buffer>();
  /** The trace ID of the spans being written, and its text. */
  private traceId = '';
  private traceIdText: Buffer = Buffer.alloc(0);

  /**
   * The trace's pages as the Jaeger trace's JSON text (UTF-8), or undefined when there are none.
   * A trace of fewer than `transcodeFrom` spans is decoded and converted through objects, as
   * before the transcoder: below that, the transcoder's fixed costs per trace (a distinct
   * attribute decoded and written as a tag, a process key) were more than it saved. Throws
   * what reading or decoding the pages throws.
   */
  async traceBytes(traceId: string, pages: AsyncIterable<TracePage> | Iterable<TracePage>, transcodeFrom = TRANSCODE_FROM_SPANS): Promise<Buffer | undefined> {
    const read: TracePage[] = [];
    let spans = 0;
    for await (const page of pages) {
      read.push(page);
      spans += Array.isArray(page) ? page.length : page.spans.length;
    }
    if (spans === 0) return undefined;
    if (spans < transcodeFrom) {
      // getTrace's order: a page is in it already; across pages, start then span ID (toJaegerTrace keeps the order of equal starts).
      const decoded = read.length === 1 && Array.isArray(read[0]) ? read[0] : read.flatMap((page) => (Array.isArray(page) ? page : page.decode())).sort(compareByStart);
      return Buffer.from(JSON.stringify(toJaegerTrace(traceId, toSharedChildrenRepointed(decoded))), 'utf8');
    }
    const items: Keyed[] = [];
    for (const page of read) {
      if (Array.isArray(page)) {
        for (const span of page) items.push(keyed({ span }));
        continue;
      }
      const records = page.spans.map((s) => (isProtoSpan(s) ? this.parts().reader.read(s) : undefined));
      const decoded = records.some((rec, i) => rec === undefined && isProtoSpan(page.spans[i]!)) ? page.decode() : undefined;
      page.spans.forEach((s, i) => {
        const rec = records[i];
        items.push(keyed(rec ? { rec, proto: s as ProtoSpan } : { span: decoded?.[i] ?? (s as Span) }));
      });
    }
    items.sort(byStart);
    try {
      this.writeTrace(traceId, items.map((k) => k.item));
    } catch (err) {
      // What was written is dropped, so that the writer's next trace starts empty.
      this.parts().out.take();
      throw err;
    }
    return this.parts().out.take();
  }

  /** The span reader (each distinct attribute's Jaeger tag made once, as many as its memo keeps) and the output. */
  private parts(): { reader: ProtoSpanReader; out: JsonBytes } {
    return (this.transcoding ??= { reader: new ProtoSpanReader({ text: (kv) => JSON.stringify(toJaegerTag(kv)) }), out: new JsonBytes() });
  }

  private writeTrace(traceId: string, items: readonly Item[]): void {
    const fixes = new SharedChildrenFixes();
    const spanIds = new Set<string>();
    for (const { rec, proto, span } of items) {
      if (rec) fixes.noteIds(rec.traceId, rec.spanId, rec.parentSpanId, proto.serviceName, rec.sharedSpanId);
      else fixes.note(span);
      spanIds.add(rec ? rec.spanId : span.spanId);
    }
    const parents = fixes.parents();
    const processes = new JaegerProcesses();
    const out = this.parts().out;
    out.ascii('{"traceID":');
    out.ascii(JSON.stringify(traceId));
    out.ascii(',"spans":[');
    items.forEach(({ rec, proto, span }, i) => {
      if (i > 0) out.byte(0x2c);
      const parent = parents.get(i);
      if (rec) {
        this.writeSpan(rec, parent ?? rec.parentSpanId, processes.idOf(proto.resource, proto.serviceName), proto.scope, spanIds);
      } else {
        const repointed = parent === undefined ? span : { ...span, parentSpanId: parent };
        out.text(JSON.stringify(toJaegerSpan(repointed, processes.idOf(span.resource, span.serviceName), spanIds)));
      }
    });
    out.ascii('],"processes":');
    out.text(JSON.stringify(processes.processes));
    out.ascii(',"warnings":null}');
  }

  /** JSON.stringify(toJaegerSpan(span)) for the span `rec` was read from, with `parentSpanId` as its parent. */
  private writeSpan(rec: SpanRecord, parentSpanId: string, processId: string, scope: InstrumentationScope, spanIds: ReadonlySet<string>): void {
    const out = this.parts().out;
    if (rec.traceId !== this.traceId) {
      this.traceId = rec.traceId;
      this.traceIdText = utf8(rec.traceId);
    }
    out.bytes(TEXT.spanStart);
    out.bytes(this.traceIdText);
    out.bytes(TEXT.spanId);
    out.ascii(rec.spanId);
    out.bytes(TEXT.flags);
    out.int(rec.flags & 0xff);
    out.bytes(TEXT.operationName);
    out.utf8String(rec.bytes, rec.nameAt, rec.nameLength);
    out.bytes(TEXT.references);
    if (rec.links.length > 0) out.text(JSON.stringify(toJaegerReferences(rec.traceId, parentSpanId, rec.links)));
    else if (parentSpanId === '') out.bytes(TEXT.noReferences);
    else {
      out.bytes(TEXT.childOf);
      out.bytes(this.traceIdText);
      out.bytes(TEXT.spanId);
      out.ascii(parentSpanId);
      out.bytes(TEXT.childOfEnd);
    }
    out.bytes(TEXT.startTime);
    writeNumber(microsOf(rec.startHi, rec.startLo), out);
    out.bytes(TEXT.duration);
    writeNumber(durationMicros(rec), out);
    out.bytes(TEXT.tags);
    this.writeTags(rec, scope);
    out.bytes(TEXT.logs);
    rec.events.forEach((e, i) => {
      out.bytes(i > 0 ? TEXT.nextLog : TEXT.firstLog);
      writeNumber(microsOf(e.timeHi, e.timeLo), out);
      out.bytes(TEXT.fields);
      let first = true;
      // The event name becomes the `event` field, unless an attribute already claims that key (toLogFields).
      if (e.nameLength > 0 && !e.attributes.some((a) => a.kv.key === 'event')) {
        out.bytes(TEXT.eventField);
        out.utf8String(rec.bytes, e.nameAt, e.nameLength);
        out.byte(0x7d);
        first = false;
      }
      for (const a of e.attributes) {
        if (!first) out.byte(0x2c);
        first = false;
        out.bytes(a.json);
      }
      out.bytes(TEXT.logEnd);
    });
    out.bytes(TEXT.processId);
    out.ascii(processId);
    if (parentSpanId !== '' && !spanIds.has(parentSpanId)) {
      out.bytes(TEXT.warnings);
      out.text(JSON.stringify(orphanWarning(parentSpanId)));
      out.bytes(TEXT.warningsEnd);
    } else out.bytes(TEXT.noWarnings);
  }

  /** toSpanTags (span-to-jaeger.ts), in its order. */
  private writeTags(rec: SpanRecord, scope: InstrumentationScope): void {
    const out = this.parts().out;
    const scopeTags = this.scopeTagsOf(scope);
    out.bytes(scopeTags);
    let first = scopeTags.length === 0;
    const comma = () => {
      if (!first) out.byte(0x2c);
      first = false;
    };
    const isError = rec.statusCode === StatusCode.ERROR;
    for (const a of rec.attributes) {
      // The status decides `error` when it says ERROR; keeping the attribute too would show two.
      if (isError && a.kv.key === 'error') continue;
      comma();
      out.bytes(a.json);
    }
    const kind = KIND_TAGS.get(rec.kind);
    if (kind !== undefined) {
      comma();
      out.bytes(kind);
    }
    if (rec.statusCode === StatusCode.OK) {
      comma();
      out.bytes(STATUS_OK_TAG);
    }
    if (isError) {
      comma();
      out.bytes(STATUS_ERROR_TAGS);
    }
    if (rec.statusMessageLength > 0) {
      comma();
      out.bytes(TEXT.statusDescription);
      out.utf8String(rec.bytes, rec.statusMessageAt, rec.statusMessageLength);
      out.byte(0x7d);
    }
    if (rec.traceStateLength > 0) {
      comma();
      out.bytes(TEXT.traceState);
      out.utf8String(rec.bytes, rec.traceStateAt, rec.traceStateLength);
      out.byte(0x7d);
    }
    const counts = [rec.droppedAttributesCount, rec.droppedEventsCount, rec.droppedLinksCount];
    counts.forEach((count, i) => {
      if (count <= 0) return;
      comma();
      out.bytes(DROPPED_COUNT_TAGS[i]!);
      out.int(count);
      out.byte(0x7d);
    });
  }

  /** The scope's name and version tags as JSON, without brackets: '' for an unnamed, unversioned scope. */
  private scopeTagsOf(scope: InstrumentationScope): Buffer {
    let text = this.scopeTags.get(scope);
    if (text === undefined) {
      const tags = [];
      if (scope.name !== '') tags.push({ key: 'otel.scope.name', type: 'string', value: scope.name });
      if (scope.version !== '') tags.push({ key: 'otel.scope.version', type: 'string', value: scope.version });
      text = utf8(JSON.stringify(tags).slice(1, -1));
      this.scopeTags.set(scope, text);
    }
    return text;
  }
}

/**
 * The Jaeger trace's JSON text, or undefined for an unknown trace: transcoded when the store
 * hands over protobuf, else made from the decoded spans. A trace that fails to transcode
 * (a chunk the decoder refuses) is read again the usual way, so it fails, or succeeds, as it
 * always did.
 */
export async function jaegerTraceBytes(store: SpanStore, traceId: string, writer = new JaegerTraceWriter()): Promise<Buffer | undefined> {
  const pages = store.getTraceProto ? store.getTraceProto(traceId) : store.streamTraceProto?.(traceId);
  if (pages) {
    try {
      return await writer.traceBytes(traceId, pages instanceof Promise ? await pages : pages);
    } catch {
      // Read again below: the decoded path gives the error its callers know.
    }
  }
  const spans = await readTrace(store, traceId);
  return spans.length === 0 ? undefined : Buffer.from(JSON.stringify(toJaegerTrace(traceId, spans)), 'utf8');
}
