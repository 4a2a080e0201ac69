import { SpanKind, StatusCode, stringAttr, type KeyValue, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-encoder.js';
import { rawProtoOf } from '../../receivers/otlp/otlp-raw.js';
import { buildSampleTraceRequest } from '../../receivers/otlp/otlp-sample-requests.js';
import { toSpans } from '../../receivers/otlp/otlp-to-spans.js';
import { inflateChunk } from './chunk-compression.js';
import { openDatabase } from './open-database.js';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { StoreInputError } from './store-input-error.js';
import { at, BASE_NS, spanIdOf, testSpan, traceIdOf } from './test-spans.js';
import { decodePostingList } from './posting-lists.js';
import { tagHash } from './tag-hash.js';

let db: Database.Database;
let writer: SpanWriter;
let reader: SpanReader;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  writer = new SpanWriter(db);
  reader = new SpanReader(db);
});
afterEach(() => db.close());

const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

const EVERY_KIND: KeyValue[] = [
  { key: 'str', value: { stringValue: 'héllo \u0000 wörld 🌍' } },
  { key: 'bool', value: { boolValue: true } },
  { key: 'int.max', value: { intValue: '9223372036854775807' } },
  { key: 'int.min', value: { intValue: '-9223372036854775808' } },
  { key: 'double', value: { doubleValue: 3.141592653589793 } },
  { key: 'nan', value: { doubleValue: NaN } },
  { key: 'inf', value: { doubleValue: -Infinity } },
  { key: 'neg.zero', value: { doubleValue: -0 } },
  { key: 'bytes', value: { bytesValue: 'AAECAwQF/w==' } },
  {
    key: 'array',
    value: { arrayValue: { values: [{ intValue: '1' }, { arrayValue: { values: [{ boolValue: false }] } }, {}] } },
  },
  {
    key: 'kvlist',
    value: { kvlistValue: { values: [{ key: 'nested', value: { kvlistValue: { values: [stringAttr('k', 'v')] } } }] } },
  },
  { key: 'empty', value: {} },
];

/** Every field set, every AnyValue kind, times that do not fit in a double. */
function richSpan(): Span {
  return testSpan({
    traceState: 'vendor=abc,other=xyz',
    flags: 257,
    kind: SpanKind.CONSUMER,
    startTimeUnixNano: '1712345678901234567',
    endTimeUnixNano: '1712345678901234999',
    attributes: EVERY_KIND,
    droppedAttributesCount: 3,
    events: [
      { timeUnixNano: '1712345678901234568', name: 'exception', attributes: EVERY_KIND, droppedAttributesCount: 1 },
      { timeUnixNano: '9223372036854775807', name: 'late', attributes: [], droppedAttributesCount: 0 },
    ],
    droppedEventsCount: 2,
    links: [
      { traceId: traceIdOf(99), spanId: spanIdOf(98), traceState: 'a=b', attributes: EVERY_KIND, droppedAttributesCount: 0, flags: 1 },
    ],
    droppedLinksCount: 5,
    status: { code: StatusCode.ERROR, message: 'it broke' },
    resource: { attributes: [stringAttr('service.name', 'api'), ...EVERY_KIND], droppedAttributesCount: 7 },
    scope: { name: 'go.opentelemetry.io/otel', version: '1.28.0', attributes: EVERY_KIND, droppedAttributesCount: 0 },
  });
}

describe('SpanWriter', () => {
  it('reads a span back exactly as it was written', () => {
    const span = richSpan();
    writer.write([span]);
    const [back] = reader.getTrace(span.traceId);
    expect(back).toEqual(span);
    // toEqual compares -0 and NaN with Object.is; the text compares key order as well.
    expect(JSON.stringify(back)).toBe(JSON.stringify(span));
    expect(Object.is(back!.attributes[7]!.value.doubleValue, -0)).toBe(true);
  });

  it('stores spans decoded from OTLP protobuf by the bytes they came in, reading back what toSpans made of them', () => {
    const request = buildSampleTraceRequest();
    // Normalized by toSpans: an all-zero parent is a root, an event without a time is dropped.
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.parentSpanId = '0000000000000000';
    request.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.events.push({ timeUnixNano: '0', name: 'untimed', attributes: [], droppedAttributesCount: 0 });
    const { spans } = toSpans(parseExportTraceRequestProto(encodeExportTraceRequestProto(request)));
    expect(spans[0]!.parentSpanId).toBe('');
    writer.write(spans);
    const back = spans.flatMap((s) => reader.getTrace(s.traceId).filter((b) => b.spanId === s.spanId));
    expect(back).toEqual(spans);
    const raw = rawProtoOf(spans[0]!)!;
    const block = inflateChunk(db.prepare('SELECT data FROM span_blocks').pluck().get() as Buffer);
    expect(Buffer.from(block).indexOf(Buffer.from(raw.span))).toBeGreaterThan(0);
  });

  it('stores a lone UTF-16 surrogate as U+FFFD, as OTLP protobuf (UTF-8) must', () => {
    const span = testSpan({ attributes: [stringAttr('s', 'a\ud800b')] });
    writer.write([span]);
    expect(reader.getTrace(span.traceId)[0]!.attributes).toEqual([stringAttr('s', 'a\ufffdb')]);
  });

  it('stores nanoseconds as int64 without passing through a double', () => {
    writer.write([richSpan()]);
    const row = db.prepare('SELECT start_ns, duration_ns FROM span_index').safeIntegers(true).get();
    expect(row).toEqual({ start_ns: 1712345678901234567n, duration_ns: 432n });
    const trace = db.prepare('SELECT start_ns, end_ns FROM trace_summaries').safeIntegers(true).get();
    expect(trace).toEqual({ start_ns: 1712345678901234567n, end_ns: 1712345678901234999n });
  });

  it('keeps one copy of a span sent twice, without counting it twice', () => {
    const a = testSpan({ spanId: spanIdOf(1), attributes: [stringAttr('k', 'v')] });
    const b = testSpan({ spanId: spanIdOf(2), parentSpanId: spanIdOf(1) });
    const c = testSpan({ spanId: spanIdOf(3), parentSpanId: spanIdOf(1), status: { code: StatusCode.ERROR, message: '' } });
    writer.write([a, b, a]);
    writer.write([a, b]);
    // A whole retried batch adds nothing at all.
    expect(count('span_chunks')).toBe(1);
    writer.write([a, b, c]);
    expect(count('span_index')).toBe(3);
    expect(reader.getTrace(a.traceId).map((s) => s.spanId)).toEqual([a.spanId, b.spanId, c.spanId]);
    expect(reader.getTraceSummaries([a.traceId])).toMatchObject([{ spanCount: 3, errorCount: 1 }]);
  });

  it('calls betweenChunks before each trace of a write (where the background pass steps aside for queries)', () => {
    let calls = 0;
    writer.betweenChunks = () => calls++;
    writer.write([1, 2, 3].flatMap((t) => [testSpan({ traceId: traceIdOf(t), spanId: spanIdOf(1) }), testSpan({ traceId: traceIdOf(t), spanId: spanIdOf(2) })]));
    expect(calls).toBe(3);
    expect(count('span_chunks')).toBe(3);
  });

  it('posts each write\'s traces per tag in one list, and merges a list whose last trace an earlier list already ends on', () => {
    const tagged = (trace: number, span: number, value: string) =>
      testSpan({ traceId: traceIdOf(trace), spanId: spanIdOf(span), attributes: [stringAttr('k', value)] });
    writer.write([tagged(1, 1, 'shared'), tagged(2, 2, 'shared'), tagged(2, 3, 'only-2')]);
    writer.write([tagged(2, 4, 'shared'), tagged(3, 5, 'shared')]);
    // Trace 2 alone: its list ends on trace 2, as the first write's did: the same key, merged.
    writer.write([tagged(2, 6, 'shared')]);
    const lists = db
      .prepare<[number], { last_num: number; n: number; nums: Buffer }>('SELECT last_num, n, nums FROM tag_posting_lists WHERE tag = ? ORDER BY last_num')
      .all(tagHash('k', 'shared'))
      .map((l) => ({ last: l.last_num, n: l.n, nums: decodePostingList(l.nums) }));
    // Trace numbers 1, 2, 3 in order of first sight. The third write's list [2] merged into the first's; n is a cost estimate and adds up.
    expect(lists).toEqual([
      { last: 2, n: 3, nums: [1, 2] },
      { last: 3, n: 2, nums: [2, 3] },
    ]);
    expect(reader.findTraceIds({ tags: [{ key: 'k', value: 'shared' }], limit: 10 }).sort()).toEqual([traceIdOf(1), traceIdOf(2), traceIdOf(3)]);
    expect(reader.findTraceIds({ tags: [{ key: 'k', value: 'only-2' }], limit: 10 })).toEqual([traceIdOf(2)]);
  });

  it('bounds each list by the first start and last end of the chunks it posts, and widens a merged list to both', () => {
    const tagged = (trace: number, span: number, startMs: number) =>
      testSpan({ traceId: traceIdOf(trace), spanId: spanIdOf(span), startTimeUnixNano: at(startMs), endTimeUnixNano: at(startMs + 50), attributes: [stringAttr('k', 'v')] });
    const baseMs = Number(BASE_NS / 1_000_000n);
    // Trace 1's chunk: spans at 100 and 300 ms (the tag on the first only: the chunk bounds them both). Trace 2 at 200 ms.
    writer.write([tagged(1, 1, 100), testSpan({ traceId: traceIdOf(1), spanId: spanIdOf(2), startTimeUnixNano: at(300), endTimeUnixNano: at(301) }), tagged(2, 3, 200)]);
    const bounds = () =>
      db.prepare<[number], { last_num: number; spans_from_ms: number; spans_to_ms: number }>('SELECT last_num, spans_from_ms, spans_to_ms FROM tag_posting_lists WHERE tag = ?').all(tagHash('k', 'v'));
    // From 100 to 301 ms (trace 1's last end), each a millisecond looser (startBoundsOf).
    expect(bounds()).toEqual([{ last_num: 2, spans_from_ms: baseMs + 99, spans_to_ms: baseMs + 302 }]);
    // A later write whose list also ends on trace 2 merges into that row: its bounds widen to both.
    writer.write([tagged(2, 4, 900)]);
    expect(bounds()).toEqual([{ last_num: 2, spans_from_ms: baseMs + 99, spans_to_ms: baseMs + 951 }]);
  });

  it('stores the spans of a trace in a write as one chunk of a compressed block, far smaller than their JSON', () => {
    const spans = Array.from({ length: 50 }, (_, i) =>
      testSpan({ spanId: spanIdOf(i + 1), attributes: [stringAttr('http.route', '/api/users/{id}'), stringAttr('user.id', `u${i}`)] }),
    );
    writer.write(spans.slice(0, 25));
    writer.write(spans.slice(25));
    expect(count('span_chunks')).toBe(2);
    expect(count('span_blocks')).toBe(2);
    const stored = db.prepare('SELECT sum(length(data)) FROM span_blocks').pluck().get() as number;
    expect(stored).toBeLessThan(JSON.stringify(spans).length / 5);
    expect(reader.getTrace(spans[0]!.traceId)).toEqual(spans);
  });

  it('refuses a batch with a malformed span and writes none of it', () => {
    const bad = testSpan({ spanId: spanIdOf(2), startTimeUnixNano: '1.5e18' });
    const write = () => writer.write([testSpan(), bad]);
    expect(write).toThrow(StoreInputError);
    expect(write).toThrow('span 1: startTimeUnixNano is not a decimal integer');
    expect(() => writer.write([testSpan({ endTimeUnixNano: '1' })])).toThrow(/before/);
    expect(() => writer.write([testSpan({ startTimeUnixNano: '9223372036854775808' })])).toThrow(/int64/);
    for (const text of ['', ' 1', '0x10', '-1', '12345678901234567890', '١٢']) {
      expect(() => writer.write([testSpan({ startTimeUnixNano: text })]), text).toThrow('startTimeUnixNano is not a decimal integer');
    }
    expect(() => writer.write([testSpan({ traceId: 'ABC' })])).toThrow(/traceId/);
    expect(() => writer.write([testSpan({ parentSpanId: '0000000000000000' })])).toThrow(/parentSpanId/);
    expect(count('span_index') + count('span_chunks') + count('trace_summaries')).toBe(0);
  });

  it('stores SQL-looking text literally', () => {
    const nasty = `'); DROP TABLE spans; -- " OR 1=1`;
    const span = testSpan({ name: nasty, serviceName: nasty, attributes: [stringAttr(nasty, nasty)] });
    writer.write([span]);
    expect(reader.getTrace(span.traceId)).toEqual([span]);
    expect(reader.getServices()).toEqual([nasty]);
    expect(reader.getOperations(nasty)).toEqual([{ name: nasty, spanKind: 'server' }]);
  });
});
