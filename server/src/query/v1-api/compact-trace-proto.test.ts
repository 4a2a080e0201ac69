/**
 * The compact trace transcoded from stored protobuf (streamTraceProto's pages) against the
 * same trace decoded into spans and encoded (streamTrace's pages): byte for byte the same
 * response, or the same error after the same bytes, for every trace and both formats.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import compression from 'compression';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SpanKind, StatusCode, type KeyValue, type Span } from '@threadline/shared';
import { AppError } from '../../app-error.js';
import { WireType } from '../../receivers/otlp/protobuf-reader.js';
import { ProtobufWriter } from '../../receivers/otlp/protobuf-writer.js';
import { parseZipkinSpansJson } from '../../receivers/zipkin/zipkin-json-decoder.js';
import { toSpans as zipkinToSpans } from '../../receivers/zipkin/zipkin-to-spans.js';
import { isProtoSpan, type ProtoSpanPage, type TracePage } from '../../store/proto-span-page.js';
import type { SpanStore } from '../../store/span-store.js';
import { protoTracePages } from '../../store/sqlite/proto-trace-pages.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { encodeSpanChunk } from '../../store/sqlite/span-chunk-codec.js';
import { decodeTracePages } from '../../store/sqlite/trace-chunk-pages.js';
import { seededRandom } from '../../test-support/seeded-random.js';
import { buildFleet, TraceGenerator } from '../../../../test/bench/go-fleet-generator.js';
import { generateTrace } from '../../../../test/bench-ui/trace-generator.js';
import { buildSpan, resourceOf, str, TRACE_A } from '../test-support/span-builder.js';
import { RecordingLogger } from '../test-support/test-logger.js';
import { idOf, NS, ns, received } from '../test-support/stored-spans.js';
import { SHARED_TRACE, SHARED_TRACE_UPLOADS } from '../test-support/zipkin-shared-trace.js';
import { compactTraceText, type CompactFormat } from './compact-trace.js';
import { createV1Router } from './v1-router.js';

const FORMATS: CompactFormat[] = ['compact-2', 'compact-3'];

interface Rendered {
  bytes: Buffer;
  error?: unknown;
}

/** The response as the route writes it, and the error that cut it, if any. */
async function render(traceId: string, pages: AsyncIterable<TracePage> | Iterable<TracePage>, format: CompactFormat): Promise<Rendered> {
  const parts: Buffer[] = [];
  try {
    const it = (async function* () {
      yield* pages;
    })();
    const first = await it.next();
    if (first.done) return { bytes: Buffer.alloc(0) };
    for await (const piece of compactTraceText(traceId, first.value, it, format)) parts.push(typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
  return { bytes: Buffer.concat(parts) };
}

interface Usage {
  protoSpans: number;
  decodedSpans: number;
  /** Pages the transcoder handed back to the store's decoding. */
  decodes: number;
}

/** streamTraceProto's pages, counting how they were read (and, with `pulled`, each page pulled). */
function counted(pages: AsyncIterable<TracePage>, usage: Usage, pulled?: () => void): AsyncGenerator<TracePage>;
function counted(pages: Iterable<TracePage>, usage: Usage, pulled?: () => void): Generator<TracePage>;
function counted(pages: Iterable<TracePage> | AsyncIterable<TracePage>, usage: Usage, pulled: () => void = () => {}): Generator<TracePage> | AsyncGenerator<TracePage> {
  if (Symbol.asyncIterator in pages) {
    return (async function* () {
      for await (const page of pages) {
        pulled();
        yield countedPage(page, usage);
      }
    })();
  }
  return (function* () {
    for (const page of pages) {
      pulled();
      yield countedPage(page, usage);
    }
  })();
}

function countedPage(page: TracePage, usage: Usage): TracePage {
  {
    if (Array.isArray(page)) {
      usage.decodedSpans += page.length;
      return page;
    }
    for (const s of page.spans) if (isProtoSpan(s)) usage.protoSpans++;
    else usage.decodedSpans++;
    const counting: ProtoSpanPage = {
      spans: page.spans,
      decode: () => {
        usage.decodes++;
        return page.decode();
      },
    };
    return counting;
  }
}

/** Both paths over the same stored chunks; returns the transcoder's usage of the proto path (compact-3). */
async function expectSame(traceId: string, chunks: Uint8Array[], pageSpans = 64): Promise<Usage & { text: string }> {
  let usage: Usage = { protoSpans: 0, decodedSpans: 0, decodes: 0 };
  let text = '';
  for (const format of FORMATS) {
    usage = { protoSpans: 0, decodedSpans: 0, decodes: 0 };
    const spans = await render(traceId, decodeTracePages({ chunks, joined: [] }, pageSpans), format);
    const proto = await render(traceId, counted(protoTracePages({ chunks, joined: [] }, pageSpans), usage), format);
    expect(proto.error?.constructor).toBe(spans.error?.constructor);
    expect((proto.error as Error | undefined)?.message).toBe((spans.error as Error | undefined)?.message);
    expect(proto.bytes.length).toBe(spans.bytes.length);
    expect(proto.bytes.equals(spans.bytes)).toBe(true);
    text = spans.bytes.toString('utf8');
  }
  return { ...usage, text };
}

describe('compact trace from stored protobuf, against decoded spans', () => {
  it('gives the same bytes for bench:ui traces at several sizes, every span transcoded', async () => {
    for (const [size, pageSpans] of [[300, 64], [3_000, 256], [10_000, 256]] as const) {
      const trace = generateTrace(size, size);
      const chunks = trace.requests.map((request) => encodeSpanChunk(received(request)));
      const usage = await expectSame(trace.traceId, chunks, pageSpans);
      expect(usage).toMatchObject({ protoSpans: size, decodedSpans: 0, decodes: 0 });
      expect(JSON.parse(usage.text).spans).toHaveLength(size);
    }
  });

  it('gives the same bytes for Go-fleet traces, stored one or several chunks each', async () => {
    const generator = new TraceGenerator(buildFleet(7), 7);
    for (let t = 0; t < 30; t++) {
      const spans = generator.next(NS + BigInt(t) * 1_000_000_000n);
      const cut = Math.floor(spans.length / 3);
      const chunks = t % 2 ? [encodeSpanChunk(spans)] : [encodeSpanChunk(spans.slice(cut)), encodeSpanChunk(spans.slice(0, cut))];
      const usage = await expectSame(spans[0]!.traceId, chunks, 8);
      expect(usage.decodes).toBe(0);
      expect(usage.decodedSpans).toBe(0);
    }
  });

  it('keeps the first stored copy of a span sent twice, across chunks and within one', async () => {
    const spans = Array.from({ length: 40 }, (_, i) => buildSpan({ spanId: idOf(i), startTimeUnixNano: ns(i), endTimeUnixNano: ns(i + 5), name: `first ${i}` }));
    const again = spans.slice(10, 20).map((s) => ({ ...s, name: 'second copy', startTimeUnixNano: ns(-100) }));
    const withinOne = [...spans.slice(30), buildSpan({ spanId: idOf(35), name: 'repeated in its chunk' })];
    const usage = await expectSame(TRACE_A, [encodeSpanChunk(spans.slice(0, 30)), encodeSpanChunk(again), encodeSpanChunk(withinOne)], 16);
    expect(usage.text).not.toContain('second copy');
    expect(usage.text).not.toContain('repeated in its chunk');
  });

  it('gives the same bytes for the values JSON cannot spell plainly and the fields toSpan normalizes', async () => {
    const odd: KeyValue[] = [
      { key: 'nan', value: { doubleValue: Number.NaN } },
      { key: 'inf', value: { doubleValue: Infinity } },
      { key: 'minus inf', value: { doubleValue: -Infinity } },
      { key: 'minus zero', value: { doubleValue: -0 } },
      { key: 'max', value: { intValue: '9223372036854775807' } },
      { key: 'min', value: { intValue: '-9223372036854775808' } },
      { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 254, 255]).toString('base64') } },
      { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }, { arrayValue: { values: [] } }] } } },
      { key: 'map', value: { kvlistValue: { values: [str('inner', 'x'), { key: 'n', value: { doubleValue: 0.25 } }] } } },
      { key: 'empty', value: {} },
      { key: 'surrogate \ud800', value: { stringValue: 'lone \udfff and pair \ud83d\ude00' } },
      { key: 'quotes', value: { stringValue: 'say "hi"\\ \n\t\u0001 é 日本' } },
      str('long', 'x'.repeat(300)),
    ];
    const spans = [
      buildSpan({ spanId: idOf(1), parentSpanId: '0000000000000000', attributes: odd, name: 'naïve "name"\n\u0000', traceState: 'k=v', flags: 0x301 }),
      buildSpan({ spanId: idOf(2), parentSpanId: idOf(1), attributes: odd.slice(3), kind: 9 as SpanKind, status: { code: 7 as StatusCode, message: 'ERROR: deadlock "detected"' } }),
      buildSpan({
        spanId: idOf(3),
        parentSpanId: idOf(1),
        startTimeUnixNano: ns(-5_000),
        events: [
          { timeUnixNano: '0', name: 'untimed', attributes: odd.slice(0, 2), droppedAttributesCount: 1 },
          { timeUnixNano: ns(10), name: 'timed \ud800', attributes: odd, droppedAttributesCount: 2 },
          { timeUnixNano: '5', name: 'long before', attributes: [], droppedAttributesCount: 0 },
        ],
        droppedEventsCount: 3,
        links: [
          { traceId: TRACE_A, spanId: idOf(1), traceState: 'a=b', attributes: odd.slice(0, 4), droppedAttributesCount: 1, flags: 1 },
          { traceId: '00000000000000000000000000000000', spanId: idOf(1), traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 },
        ],
        droppedLinksCount: 1,
        droppedAttributesCount: 4,
      }),
      // Offsets past 2^53 ns, both ways: decimal strings.
      buildSpan({ spanId: idOf(4), startTimeUnixNano: '1', endTimeUnixNano: '18446744073709551615' }),
      buildSpan({ spanId: idOf(5), startTimeUnixNano: ns(1), endTimeUnixNano: ns(9_000_000_000_000_000n) }),
    ];
    const usage = await expectSame(TRACE_A, [encodeSpanChunk(spans)]);
    expect(usage.decodes).toBe(0);
    expect(usage.text).toContain('"NaN"');
    expect(usage.text).toContain('"18446744073709551614"');
  });

  it('gives the same bytes where the store decoder applies its limits (the transcoder then takes the decoded page)', async () => {
    const many = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => str(`${prefix}${i}`, 'v'));
    const spans = [
      buildSpan({ spanId: idOf(1), name: 'n'.repeat(5_000) }),
      buildSpan({ spanId: idOf(2), attributes: [str('big', 'é'.repeat(3_000))] }),
      buildSpan({ spanId: idOf(3), attributes: many(200, 'a') }),
      buildSpan({ spanId: idOf(4), events: Array.from({ length: 150 }, (_, i) => ({ timeUnixNano: ns(i), name: `e${i}`, attributes: many(130, 'e'), droppedAttributesCount: 0 })) }),
      buildSpan({ spanId: idOf(5), links: Array.from({ length: 140 }, () => ({ traceId: TRACE_A, spanId: idOf(1), traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 })) }),
      ...Array.from({ length: 20 }, (_, i) => buildSpan({ spanId: idOf(10 + i), attributes: many(3, 'plain') })),
    ];
    const usage = await expectSame(TRACE_A, [encodeSpanChunk(spans)], 8);
    expect(usage.decodes).toBeGreaterThan(0);
    expect(usage.text).toContain('…[truncated]');
  });

  it('fails like the decoder when a chunk decodes to more objects than it allows (413)', async () => {
    const wide = { key: 'wide', value: { arrayValue: { values: Array.from({ length: 1_700 }, (_, i) => ({ intValue: String(i) })) } } };
    // One resource: the spans share a group of the chunk, whose objects the decoder counts together.
    const resource = resourceOf('frontend');
    const spans = Array.from({ length: 4 }, (_, s) => buildSpan({ spanId: idOf(s), resource, attributes: Array.from({ length: 30 }, (_, i) => ({ ...wide, key: `wide${i}` })) }));
    const spansPath = await render(TRACE_A, decodeTracePages({ chunks: [encodeSpanChunk(spans)], joined: [] }, 64), 'compact-3');
    expect(spansPath.error).toBeInstanceOf(AppError);
    await expectSame(TRACE_A, [encodeSpanChunk(spans)]);
  });

  it('repoints Zipkin shared-span children the same way, with the children stored first', async () => {
    const upload = (spans: object[]) => encodeSpanChunk(zipkinToSpans(parseZipkinSpansJson(JSON.stringify(spans))).spans);
    const usage = await expectSame(SHARED_TRACE, SHARED_TRACE_UPLOADS.map(upload), 2);
    expect(JSON.parse(usage.text).parentFixes).toHaveLength(1);
  });

  it('gives the same bytes across pages: a later chunk starting before the first page (negative offsets), chunks cut at page size', async () => {
    const chunks = [0, 1, 2].map((k) =>
      encodeSpanChunk(Array.from({ length: 50 }, (_, i) => buildSpan({ spanId: idOf(k * 100 + i), startTimeUnixNano: ns((2 - k) * 1_000 + i), attributes: [str('k', String(k)), str('i', String(i % 7))] }))),
    );
    for (const pageSpans of [1, 7, 50, 64, 1_000]) await expectSame(TRACE_A, chunks, pageSpans);
    expect(JSON.parse((await expectSame(TRACE_A, chunks, 7)).text).spans.some((s: unknown[]) => Number(s[4]) < 0)).toBe(true);
  });

  it('fills the compact-3 attribute table the same way past its last index', async () => {
    const spans = Array.from({ length: 700 }, (_, s) => buildSpan({ spanId: idOf(s), startTimeUnixNano: ns(s), attributes: Array.from({ length: 100 }, (_, i) => str('attr', `${s}-${i}`)) }));
    spans.push(buildSpan({ spanId: idOf(900), startTimeUnixNano: ns(1_000), attributes: [str('attr', '0-1'), str('attr', '699-99'), str('new', 'after full')] }));
    await expectSame(TRACE_A, [encodeSpanChunk(spans)], 256);
  });
});

/** A stored chunk written by hand: one group, one resource, one scope, these Span messages. */
function chunkOf(spanMessages: Uint8Array[], serviceName = 'svc'): Uint8Array {
  const w = new ProtobufWriter();
  w.message(1, (g) => {
    g.tag(1, WireType.LEN).string(serviceName);
    g.message(2, (req) =>
      req.message(1, (rs) => {
        rs.message(1, (res) => res.message(1, (kv) => kv.tag(1, WireType.LEN).string('service.name').message(2, (v) => v.tag(1, WireType.LEN).string(serviceName))));
        rs.message(2, (ss) => {
          ss.message(1, (scope) => scope.tag(1, WireType.LEN).string('lib'));
          for (const span of spanMessages) ss.tag(2, WireType.LEN).bytes(span);
        });
      }),
    );
  });
  return w.finish();
}

function spanMessage(id: number, write: (w: ProtobufWriter) => void = () => {}): Uint8Array {
  const w = new ProtobufWriter();
  w.tag(1, WireType.LEN).hex(TRACE_A);
  w.tag(2, WireType.LEN).hex(idOf(id));
  w.tag(5, WireType.LEN).string(`span ${id}`);
  w.tag(7, WireType.I64).fixed64(ns(id));
  w.tag(8, WireType.I64).fixed64(ns(id + 10));
  write(w);
  return w.finish();
}

describe('compact trace from hand-written protobuf, against decoded spans', () => {
  it('follows protobuf rules the receivers never write: repeated and merged fields, unknown fields, odd wire types', async () => {
    const spans = [
      spanMessage(1, (w) => w.tag(5, WireType.LEN).string('second name wins').tag(6, WireType.VARINT).int32(-1)),
      spanMessage(2, (w) => w.message(15, (st) => st.tag(2, WireType.LEN).string('kept')).message(15, (st) => st.tag(3, WireType.VARINT).int32(2))),
      spanMessage(3, (w) => w.tag(99, WireType.LEN).string('unknown').tag(5, WireType.VARINT).uint32(7).tag(2, WireType.LEN).hex(idOf(30))),
      spanMessage(4, (w) =>
        w.message(9, (kv) =>
          kv
            .tag(1, WireType.LEN)
            .string('merged')
            .message(2, (v) => v.message(5, (a) => a.message(1, (x) => x.tag(3, WireType.VARINT).int64('1'))))
            .message(2, (v) => v.message(5, (a) => a.message(1, (x) => x.tag(3, WireType.VARINT).int64('2')))),
        ).message(9, (kv) => kv.tag(1, WireType.LEN).string('no value')),
      ),
      spanMessage(5, (w) => w.tag(4, WireType.LEN).hex('0000000000000000').tag(5, WireType.LEN).bytes(new Uint8Array([0x61, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]))),
      spanMessage(6, (w) => w.tag(7, WireType.I64).fixed64(ns(-1)).message(11, (e) => e.tag(2, WireType.LEN).string('no time'))),
    ];
    for (const pageSpans of [64, 2]) {
      const usage = await expectSame(TRACE_A, [chunkOf(spans), chunkOf([spanMessage(7)], '')], pageSpans);
      expect(usage.decodes).toBe(0);
      expect(usage.text).toContain('second name wins');
    }
  });

  it('reads resources and scopes sent in parts as the decoder does, whole chunks and chunks cut into pieces', async () => {
    const w = new ProtobufWriter();
    w.message(1, (g) => {
      g.tag(1, WireType.LEN).string('first name').tag(1, WireType.LEN).string('svc ü');
      g.message(2, (req) =>
        req.message(1, (rs) => {
          rs.message(1, (res) => res.message(1, (kv) => kv.tag(1, WireType.LEN).string('service.name').message(2, (v) => v.tag(1, WireType.LEN).string('svc'))));
          rs.message(2, (ss) => {
            ss.message(1, (scope) => scope.tag(1, WireType.LEN).string('lib'));
            for (let i = 0; i < 5; i++) ss.tag(2, WireType.LEN).bytes(spanMessage(i));
            ss.message(1, (scope) => scope.tag(2, WireType.LEN).string('v2'));
            ss.tag(3, WireType.LEN).string('schema');
          });
          rs.message(1, (res) => res.message(1, (kv) => kv.tag(1, WireType.LEN).string('host.name').message(2, (v) => v.tag(1, WireType.LEN).string('h1'))));
          rs.tag(9, WireType.VARINT).uint32(3);
        }),
      );
    });
    for (const pageSpans of [64, 3, 1]) await expectSame(TRACE_A, [w.finish(), chunkOf([spanMessage(9)])], pageSpans);
  });

  it('fails the same way, after the same bytes, for corrupt chunks', async () => {
    const random = seededRandom(11);
    const good = Array.from({ length: 4 }, (_, c) =>
      chunkOf(Array.from({ length: 12 }, (_, i) => spanMessage(c * 20 + i, (w) => w.message(9, (kv) => kv.tag(1, WireType.LEN).string('k').message(2, (v) => v.tag(1, WireType.LEN).string(`v${i % 3}`)))))),
    );
    let failures = 0;
    for (let round = 0; round < 300; round++) {
      const chunks = good.map((c) => c.slice());
      const victim = chunks[Math.floor(random() * chunks.length)]!;
      const flips = 1 + Math.floor(random() * 3);
      for (let k = 0; k < flips; k++) victim[Math.floor(random() * victim.length)] = Math.floor(random() * 256);
      if (round % 5 === 0) chunks[1] = chunks[1]!.subarray(0, Math.floor(random() * chunks[1]!.length));
      // 16 spans a page: each chunk a piece as it is; 5: chunks cut into pieces.
      const pageSpans = round % 2 ? 16 : 5;
      const spansPath = await render(TRACE_A, decodeTracePages({ chunks, joined: [] }, pageSpans), 'compact-3');
      if (spansPath.error) failures++;
      await expectSame(TRACE_A, chunks, pageSpans);
    }
    expect(failures).toBeGreaterThan(30);
  });
});

describe('the compact route over the SQLite store', () => {
  it('answers with the same bytes and the same errors as from decoded spans, gzip or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-compact-'));
    const store = await createSqliteStore({ path: join(dir, 'x.db') });
    try {
      const trace = generateTrace(2_000, 5);
      for (const request of trace.requests) await store.writeBatch(received(request));
      const resource = resourceOf('frontend');
      const wide = { key: 'wide', value: { arrayValue: { values: Array.from({ length: 1_700 }, (_, i) => ({ intValue: String(i) })) } } };
      const tooMany = Array.from({ length: 4 }, (_, s) => buildSpan({ spanId: idOf(s), resource, attributes: Array.from({ length: 30 }, (_, i) => ({ ...wide, key: `wide${i}` })) }));
      await store.writeBatch(tooMany);
      // Searches wait for the background indexing, which rewrites where the chunks lie: both answers must read the same chunks.
      await store.getServices();
      // The same store, seen by the route as one that can only hand over decoded spans.
      const decodedOnly: SpanStore = Object.create(store, { streamTraceProto: { value: undefined } });
      const logger = new RecordingLogger();
      const appOf = (s: SpanStore) => express().use(compression({ level: 1 })).use('/api/v1', createV1Router(s, { logger }));
      let protoPulls = 0;
      const counting: SpanStore = Object.create(store, {
        streamTraceProto: { value: (id: string) => counted(store.streamTraceProto(id), { protoSpans: 0, decodedSpans: 0, decodes: 0 }, () => protoPulls++) },
      });
      for (const [id, format] of [[trace.traceId, 'compact-3'], [trace.traceId, 'compact'], [TRACE_A, 'compact-3'], ['0123456789abcdef0123456789abcdef', 'compact-3']] as const) {
        for (const encoding of ['gzip', 'identity']) {
          const get = (s: SpanStore) => request(appOf(s)).get(`/api/v1/traces/${id}?format=${format}`).set('Accept-Encoding', encoding).buffer(true).parse(rawBody);
          const [expected, actual] = [await get(decodedOnly), await get(counting)];
          expect(actual.status).toBe(expected.status);
          expect(actual.headers['content-type']).toBe(expected.headers['content-type']);
          expect((actual.body as Buffer).equals(expected.body as Buffer)).toBe(true);
        }
      }
      expect(protoPulls).toBeGreaterThan(0);
      expect((await request(appOf(counting)).get(`/api/v1/traces/${TRACE_A}?format=compact-3`)).status).toBe(413);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops reading the store when the reader of the response stops', async () => {
    const trace = generateTrace(3_000, 9);
    const chunks = trace.requests.map((request) => encodeSpanChunk(received(request)));
    let pulled = 0;
    const pages = counted(protoTracePages({ chunks, joined: [] }, 64), { protoSpans: 0, decodedSpans: 0, decodes: 0 }, () => pulled++);
    const it = (async function* () {
      yield* pages;
    })();
    const first = await it.next();
    const text = compactTraceText(trace.traceId, first.value!, it, 'compact-3');
    await text.next();
    await text.next();
    await text.return(undefined);
    expect(pulled).toBe(1);
    expect((await it.next()).done).toBe(true);
  });
});

function rawBody(res: request.Response, done: (err: Error | null, body: Buffer) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (d: Buffer) => parts.push(d));
  res.on('end', () => done(null, Buffer.concat(parts)));
}
